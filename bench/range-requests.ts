/**
 * range-requests: 1 MiB byte-range GETs of one object, through the local media server (local/media-server/,
 * reading from moto) and through nginx serving the same bytes from a temporary folder, in one run, at 1 and 16
 * connections (keep-alive, closed loop, the same pseudo-random ranges for both). Reported: time to first byte
 * (response headers) p50/p99, the media server's p50 as a multiple of nginx's, requests per second, and CPU per
 * request. Goals: p50 at most 3 ms, and at most 1.5× nginx's.
 *
 * And where the media server's time goes, measured the same way: moto's GetObject straight over HTTP (no SDK,
 * one connection per request, as moto closes each one), GetObject through the AWS SDK configured as the media
 * server's client, and moto's raw GetObject of a 1 MiB range from objects of several sizes (moto copies the
 * whole object on every GET, whatever the range).
 *
 * Processes: this one (the load generator; it does nothing else while it measures), the media server (this
 * module forked with SKYCAST_RANGE_BENCH_CHILD=1, so it has an event loop of its own), moto, and nginx with one
 * worker process (one event loop, like the media server). They share the machine's cores.
 *
 * Every media server request carries the playback cookies the API would hand out (CloudFront signed cookies, a
 * custom policy for the video's prefix), which the media server verifies as CloudFront does; nginx gets the same
 * header and ignores it.
 *
 * SKYCAST_BENCH_CPU_PROF=1 writes a CPU profile of the media server process (Chrome DevTools format);
 * SKYCAST_RANGE_BENCH_SECONDS=<n> shortens (or lengthens) each measured run, 8 s by default.
 *
 * Needs nginx: `apt-get install nginx-light` (Debian/Ubuntu), `brew install nginx` (macOS), or SKYCAST_NGINX=<path>.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import { delimiter, join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { cookieHeader, signPlayback } from '../lambdas/delivery/playback.ts';
import { emulatorClientConfig } from '../local/emulator-clients.ts';
import { startMediaServer } from '../local/media-server/index.ts';
import { type RunningEmulator, startMoto } from '../local/moto.ts';
import { freePort, waitFor } from '../local/tcp-ports.ts';
import { exited, failToParent, forkModule, nextMessage, sendToParent } from './support/child.ts';
import { childProcesses, processCpuSeconds } from './support/machine.ts';
import type { BenchRow } from './support/report.ts';
import { type Distribution, distribution, round } from './support/stats.ts';

const MiB = 1024 * 1024;
const RANGE_BYTES = MiB;
/** A long HLS segment or a short progressive MP4: big enough for ranges to matter, as players ask for them. */
const OBJECT_BYTES = 8 * MiB;
/** moto's cost per GET grows with the object, not the range: these show by how much. */
const MOTO_OBJECT_SIZES = [2 * MiB, 8 * MiB, 64 * MiB];
const CONNECTIONS = [1, 16];
const WARMUP_SECONDS = 2;
const RUN_SECONDS = Number(process.env.SKYCAST_RANGE_BENCH_SECONDS ?? 8);
const SIZE_RUN_SECONDS = 3;
const GOAL_P50_MS = 3;
const GOAL_RATIO = 1.5;

const REGION = 'us-east-1';
const BUCKETS = { media: 'bench-range-media', recordings: 'bench-range-recordings' };
const KEY = 'videos/bench/hls/index_1080p_00001.ts';
const KEY_PAIR_ID = 'KBENCHRANGES01';

// ─── The media server, in a process of its own ──────────────────────────────────────────────────────────────

interface ChildReady {
  type: 'ready';
  url: string;
  pid: number;
}

if (process.env.SKYCAST_RANGE_BENCH_CHILD === '1') {
  try {
    const server = await startMediaServer({
      s3: { endpoint: process.env.SKYCAST_RANGE_BENCH_S3 as string, region: REGION },
      buckets: BUCKETS,
      trustedKeys: new Map([[KEY_PAIR_ID, process.env.SKYCAST_RANGE_BENCH_PUBLIC_KEY as string]]),
    });
    process.on('message', (message: { type?: string }) => {
      if (message.type === 'stop') void server.stop().then(() => process.exit(0));
    });
    sendToParent({ type: 'ready', url: server.url, pid: process.pid });
  } catch (error) {
    failToParent(error);
  }
}

// ─── nginx ─────────────────────────────────────────────────────────────────────────────────────────────────

const NGINX_MISSING =
  'No nginx found, and this benchmark compares the media server with nginx serving the same bytes. ' +
  'Install it (Debian/Ubuntu: sudo apt-get install nginx-light; Fedora: sudo dnf install nginx; macOS: ' +
  'brew install nginx) or point SKYCAST_NGINX at its binary, then run `npm run bench -- range-requests` again.';

/** nginx's binary: SKYCAST_NGINX, else PATH, else the sbin folders Debian installs it in (not on every PATH). */
function findNginx(): string {
  const chosen = process.env.SKYCAST_NGINX;
  const candidates = chosen
    ? [chosen]
    : [
        ...(process.env.PATH ?? '').split(delimiter).map((folder) => join(folder, 'nginx')),
        '/usr/sbin/nginx',
        '/usr/local/sbin/nginx',
        '/opt/homebrew/bin/nginx',
      ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found || spawnSync(found, ['-v']).status !== 0) {
    throw new Error(
      chosen ? `SKYCAST_NGINX=${chosen} is not an nginx that runs. ${NGINX_MISSING}` : NGINX_MISSING,
    );
  }
  return found;
}

interface RunningNginx {
  url: string;
  masterPid: number;
  stop(): Promise<void>;
}

/** nginx with one worker, sendfile and keep-alive, serving `root` on a free loopback port, in the foreground. */
async function startNginx(binary: string, folder: string, root: string): Promise<RunningNginx> {
  const port = await freePort();
  const prefix = join(folder, 'nginx');
  mkdirSync(join(prefix, 'logs'), { recursive: true });
  // Run as root, the master hands the worker to `user`: the one who owns the files.
  const user = process.getuid?.() === 0 ? `user ${os.userInfo().username};` : '';
  const config = join(prefix, 'nginx.conf');
  writeFileSync(
    config,
    `${user}
worker_processes 1;
daemon off;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'logs', 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 65;
  types { video/mp2t ts; }
  client_body_temp_path ${join(prefix, 'body')};
  proxy_temp_path ${join(prefix, 'proxy')};
  fastcgi_temp_path ${join(prefix, 'fastcgi')};
  uwsgi_temp_path ${join(prefix, 'uwsgi')};
  scgi_temp_path ${join(prefix, 'scgi')};
  server {
    listen 127.0.0.1:${port};
    root ${root};
  }
}
`,
  );
  const child: ChildProcess = spawn(
    binary,
    ['-p', prefix, '-c', config, '-e', join(prefix, 'logs', 'error.log')],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([
      waitFor('nginx', async () => (await fetch(`${url}/${KEY}`, { method: 'HEAD' })).ok, {
        timeoutMs: 10_000,
      }),
      new Promise((_, reject) =>
        child.once('exit', (code) => reject(new Error(`nginx exited with code ${code}: ${stderr.trim()}`))),
      ),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url,
    masterPid: child.pid as number,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGQUIT');
      await exited(child);
    },
  };
}

// ─── Load ──────────────────────────────────────────────────────────────────────────────────────────────────

/** A small seeded generator, so both servers are asked for the same ranges in the same order. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rangeAt = (random: () => number, objectBytes: number) => {
  const start = Math.floor(random() * (objectBytes - RANGE_BYTES + 1));
  return `bytes=${start}-${start + RANGE_BYTES - 1}`;
};

interface Measured {
  requests: number;
  perSecond: number;
  /** Request sent → response headers in, ms. */
  ttfbMs: Distribution;
  /** Request sent → last byte in, ms. */
  totalMs: Distribution;
  errors: number;
}

/** One way of getting a range: resolves at the first byte, then at the last. */
type Fetcher = (range: string) => Promise<{ firstByte: number; done: Promise<number> }>;

/** An HTTP GET with a Range header; `agent: undefined` opens a connection per request. */
function httpFetcher(url: string, agent: Agent | undefined, headers: Record<string, string> = {}): Fetcher {
  const { hostname, port, pathname, search } = new URL(url);
  const path = `${pathname}${search}`;
  return (range) =>
    new Promise((resolveFirst, reject) => {
      const req = request(
        { host: hostname, port, path, agent: agent ?? false, headers: { ...headers, range } },
        (res) => {
          const firstByte = performance.now();
          const done = new Promise<number>((resolveDone, rejectDone) => {
            let bytes = 0;
            let failure = '';
            res.on('data', (chunk: Buffer) => {
              bytes += chunk.length;
              if (res.statusCode !== 206 && failure.length < 300) failure += chunk.toString('utf8');
            });
            res.on('end', () => {
              if (res.statusCode !== 206 || bytes !== RANGE_BYTES) {
                const detail = failure ? `: ${failure.slice(0, 300)}` : '';
                rejectDone(
                  new Error(`${pathname}: ${res.statusCode} with ${bytes} bytes for ${range}${detail}`),
                );
              } else resolveDone(performance.now());
            });
            res.on('error', rejectDone);
          });
          resolveFirst({ firstByte, done });
        },
      );
      req.on('error', reject);
      req.end();
    });
}

/** GetObject through the SDK: the first byte is when `send` resolves (headers in), as in the media server. */
function sdkFetcher(client: S3Client): Fetcher {
  return async (range) => {
    const output = await client.send(new GetObjectCommand({ Bucket: BUCKETS.media, Key: KEY, Range: range }));
    const firstByte = performance.now();
    const done = (async () => {
      const bytes = await (
        output.Body as { transformToByteArray(): Promise<Uint8Array> }
      ).transformToByteArray();
      if (bytes.length !== RANGE_BYTES) throw new Error(`SDK: ${bytes.length} bytes for ${range}`);
      return performance.now();
    })();
    return { firstByte, done };
  };
}

/** `connections` closed loops, each asking for its next range as soon as the last one has fully arrived. */
async function load(
  fetcher: Fetcher,
  connections: number,
  seconds: number,
  objectBytes = OBJECT_BYTES,
): Promise<Measured> {
  const ttfb: number[] = [];
  const total: number[] = [];
  let errors = 0;
  const begin = performance.now();
  const end = begin + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, index) => {
      const random = mulberry32(index + 1);
      while (performance.now() < end) {
        const range = rangeAt(random, objectBytes);
        const sent = performance.now();
        try {
          const { firstByte, done } = await fetcher(range);
          const last = await done;
          ttfb.push(firstByte - sent);
          total.push(last - sent);
        } catch (error) {
          if (++errors === 1) console.error(`  first error: ${(error as Error).message}`);
        }
      }
    }),
  );
  const elapsed = (performance.now() - begin) / 1000;
  if (ttfb.length === 0) throw new Error(`No range request succeeded (${errors} errors)`);
  return {
    requests: ttfb.length,
    perSecond: ttfb.length / elapsed,
    ttfbMs: distribution(ttfb),
    totalMs: distribution(total),
    errors,
  };
}

/** CPU time each named group of processes used while `during` ran, per request, in ms. */
async function withCpu<T extends Measured>(
  groups: Record<string, number[]>,
  during: () => Promise<T>,
): Promise<T & { cpuMsPerRequest: Record<string, number> }> {
  const sample = () =>
    Object.fromEntries(
      Object.entries(groups).map(([name, pids]) => [
        name,
        pids.reduce((sum, pid) => sum + (processCpuSeconds(pid) ?? Number.NaN), 0),
      ]),
    );
  const before = sample();
  const measured = await during();
  const after = sample();
  const cpuMsPerRequest: Record<string, number> = {};
  for (const name of Object.keys(groups)) {
    const used = ((after[name] as number) - (before[name] as number)) * 1000;
    // Where /proc is not there (macOS), nothing is reported.
    if (Number.isFinite(used)) cpuMsPerRequest[name] = used / measured.requests;
  }
  return { ...measured, cpuMsPerRequest };
}

/**
 * A GetObject URL that moto accepts without the SDK: the signature is in the query string and leaves out the
 * Range header, so one URL serves every range, and no request pays for signing.
 */
const presigned = (client: S3Client, key: string) =>
  getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKETS.media, Key: key }), { expiresIn: 3600 });

const roundDistribution = (d: Distribution) =>
  Object.fromEntries(Object.entries(d).map(([key, value]) => [key, round(value, 3)]));

// ─── The benchmark ─────────────────────────────────────────────────────────────────────────────────────────

export async function rangeRequests(): Promise<BenchRow[]> {
  const nginxBinary = findNginx();
  const folder = mkdtempSync(join(os.tmpdir(), 'skycast-bench-range-'));
  // nginx's worker may run as another user than the one who made the folder.
  chmodSync(folder, 0o755);
  const bytes = Buffer.alloc(OBJECT_BYTES);
  const random = mulberry32(42);
  for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE(Math.floor(random() * 2 ** 32), i);

  let moto: RunningEmulator | undefined;
  let nginx: RunningNginx | undefined;
  let child: ChildProcess | undefined;
  let s3: S3Client | undefined;
  const agents: Agent[] = [];
  try {
    const root = join(folder, 'www');
    mkdirSync(join(root, KEY, '..'), { recursive: true });
    writeFileSync(join(root, KEY), bytes);
    for (const path of [
      root,
      join(root, 'videos'),
      join(root, 'videos/bench'),
      join(root, 'videos/bench/hls'),
    ]) {
      chmodSync(path, 0o755);
    }
    chmodSync(join(root, KEY), 0o644);

    console.error('  starting moto and putting the object');
    moto = await startMoto();
    // Configured as the media server's own client (local/media-server/).
    s3 = new S3Client({
      ...emulatorClientConfig({ endpoint: moto.endpoint, region: REGION }),
      forcePathStyle: true,
      requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }), requestTimeout: 30_000 },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    for (const bucket of Object.values(BUCKETS)) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKETS.media, Key: KEY, Body: bytes }));

    console.error('  starting the media server (own process) and nginx (one worker)');
    const profileDir = process.env.SKYCAST_BENCH_CPU_PROF
      ? mkdtempSync(join(os.tmpdir(), 'skycast-bench-profile-'))
      : undefined;
    if (profileDir) console.error(`  CPU profile of the media server goes to ${profileDir}`);
    const signingKey = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    child = forkModule('bench/range-requests.ts', {
      stdout: 'ignore',
      nodeFlags: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
      env: {
        ...process.env,
        SKYCAST_RANGE_BENCH_CHILD: '1',
        SKYCAST_RANGE_BENCH_S3: moto.endpoint,
        SKYCAST_RANGE_BENCH_PUBLIC_KEY: signingKey.publicKey,
      },
    });
    const ready = await nextMessage<ChildReady>(child, 'ready', 60_000);
    // The cookies getVideo would hand out for this video, for the whole run.
    const playback = signPlayback(
      { keyPairId: KEY_PAIR_ID, privateKey: signingKey.privateKey },
      { mediaUrl: ready.url, playbackPath: 'videos/bench/hls/index.m3u8', now: new Date(), ttlSeconds: 3600 },
    );
    const signed = { cookie: cookieHeader(playback) };
    nginx = await startNginx(nginxBinary, folder, root);
    const nginxWorkers = childProcesses(nginx.masterPid, 'nginx');
    const motoPid = moto.pid as number;

    const mediaUrl = `${ready.url}/${KEY}`;
    const nginxUrl = `${nginx.url}/${KEY}`;
    // Both serve the same bytes for the same range, or there is nothing to compare.
    const unsigned = await fetch(mediaUrl, { headers: { range: 'bytes=1000-1048575' } });
    if (unsigned.status !== 403)
      throw new Error(`${mediaUrl} served ${unsigned.status} without signed cookies`);
    for (const url of [mediaUrl, nginxUrl]) {
      const answer = await fetch(url, { headers: { ...signed, range: 'bytes=1000-1048575' } });
      const got = Buffer.from(await answer.arrayBuffer());
      if (answer.status !== 206 || !got.equals(bytes.subarray(1000, 1048576))) {
        throw new Error(`${url} did not serve the object's bytes for a range (status ${answer.status})`);
      }
    }

    const rows: BenchRow[] = [];
    const note =
      `TTFB = request sent → response headers in, 1 MiB ranges at pseudo-random offsets of one ${OBJECT_BYTES / MiB} ` +
      'MiB object, keep-alive, each connection asking again as soon as its last range has fully arrived';
    for (const connections of CONNECTIONS) {
      const keepAlive = () => {
        const agent = new Agent({ keepAlive: true, maxSockets: connections });
        agents.push(agent);
        return agent;
      };
      const media = httpFetcher(mediaUrl, keepAlive(), signed);
      const web = httpFetcher(nginxUrl, keepAlive(), signed);
      const raw = httpFetcher(await presigned(s3, KEY), undefined);
      const sdk = sdkFetcher(s3);

      console.error(`  ${connections} connection(s): warming up`);
      await load(media, connections, WARMUP_SECONDS);
      await load(web, connections, WARMUP_SECONDS);
      console.error(
        `  ${connections} connection(s): media server, nginx, moto raw, moto via SDK (${RUN_SECONDS} s each)`,
      );
      const mediaRun = await withCpu({ 'media server process': [ready.pid], moto: [motoPid] }, () =>
        load(media, connections, RUN_SECONDS),
      );
      const nginxRun = await withCpu({ 'nginx worker': nginxWorkers }, () =>
        load(web, connections, RUN_SECONDS),
      );
      const rawRun = await withCpu({ moto: [motoPid] }, () => load(raw, connections, RUN_SECONDS));
      const sdkRun = await withCpu({ moto: [motoPid] }, () => load(sdk, connections, RUN_SECONDS));

      const label = (what: string) => `${what}, ${connections} connection${connections === 1 ? '' : 's'}`;
      const ratio = mediaRun.ttfbMs.p50 / nginxRun.ttfbMs.p50;
      rows.push(
        {
          metric: label('media server: TTFB p50'),
          value: round(mediaRun.ttfbMs.p50, 2),
          unit: 'ms',
          goal: { atMost: GOAL_P50_MS },
          note,
          detail: {
            ttfbMs: roundDistribution(mediaRun.ttfbMs),
            totalMs: roundDistribution(mediaRun.totalMs),
            requests: mediaRun.requests,
            errors: mediaRun.errors,
          },
        },
        { metric: label('media server: TTFB p99'), value: round(mediaRun.ttfbMs.p99, 2), unit: 'ms' },
        {
          metric: label('nginx: TTFB p50'),
          value: round(nginxRun.ttfbMs.p50, 3),
          unit: 'ms',
          detail: {
            ttfbMs: roundDistribution(nginxRun.ttfbMs),
            totalMs: roundDistribution(nginxRun.totalMs),
            requests: nginxRun.requests,
            errors: nginxRun.errors,
          },
        },
        { metric: label('nginx: TTFB p99'), value: round(nginxRun.ttfbMs.p99, 3), unit: 'ms' },
        {
          metric: label('media server ÷ nginx: TTFB p50'),
          value: round(ratio, 1),
          unit: '×',
          goal: { atMost: GOAL_RATIO },
          detail: { p99Ratio: round(mediaRun.ttfbMs.p99 / nginxRun.ttfbMs.p99, 2) },
        },
        { metric: label('media server: ranges/s'), value: Math.round(mediaRun.perSecond), unit: '1/s' },
        { metric: label('nginx: ranges/s'), value: Math.round(nginxRun.perSecond), unit: '1/s' },
        {
          metric: label('moto GetObject, raw HTTP: TTFB p50'),
          value: round(rawRun.ttfbMs.p50, 2),
          unit: 'ms',
          note:
            'moto raw = the same range GET straight to moto (no SDK: a URL presigned once, a new connection each ' +
            'time, as moto closes them): the floor under anything that reads from moto',
          detail: {
            ttfbMs: roundDistribution(rawRun.ttfbMs),
            requests: rawRun.requests,
            errors: rawRun.errors,
          },
        },
        {
          metric: label('moto GetObject, raw HTTP: TTFB p99'),
          value: round(rawRun.ttfbMs.p99, 2),
          unit: 'ms',
        },
        {
          metric: label('moto GetObject via the SDK: TTFB p50'),
          value: round(sdkRun.ttfbMs.p50, 2),
          unit: 'ms',
          note:
            "via the SDK = GetObject with the media server's client settings, timed until send() resolves; " +
            'media server TTFB − this = what the media server itself adds',
          detail: {
            ttfbMs: roundDistribution(sdkRun.ttfbMs),
            requests: sdkRun.requests,
            errors: sdkRun.errors,
          },
        },
        {
          metric: label('moto GetObject via the SDK: TTFB p99'),
          value: round(sdkRun.ttfbMs.p99, 2),
          unit: 'ms',
        },
      );
      const cpuRows: [string, number | undefined][] = [
        ['media server process: CPU per range', mediaRun.cpuMsPerRequest['media server process']],
        ['moto, serving the media server: CPU per range', mediaRun.cpuMsPerRequest.moto],
        ['nginx worker: CPU per range', nginxRun.cpuMsPerRequest['nginx worker']],
      ];
      for (const [what, value] of cpuRows) {
        if (value === undefined) continue;
        rows.push({
          metric: label(what),
          value: round(value, 3),
          unit: 'ms',
          note: 'CPU per range = user + system CPU time of that process during the run ÷ ranges served',
        });
      }
      const errors = mediaRun.errors + nginxRun.errors + rawRun.errors + sdkRun.errors;
      if (errors > 0) throw new Error(`${errors} range requests failed at ${connections} connection(s)`);
    }

    console.error(
      `  moto alone: a 1 MiB range of objects of ${MOTO_OBJECT_SIZES.map((size) => size / MiB).join(', ')} MiB`,
    );
    for (const size of MOTO_OBJECT_SIZES) {
      const key = `sizes/${size}.bin`;
      await s3.send(new PutObjectCommand({ Bucket: BUCKETS.media, Key: key, Body: Buffer.alloc(size, 7) }));
      const raw = httpFetcher(await presigned(s3, key), undefined);
      const run = await withCpu({ moto: [motoPid] }, () => load(raw, 1, SIZE_RUN_SECONDS, size));
      rows.push({
        metric: `moto GetObject, raw HTTP, 1 MiB of a ${size / MiB} MiB object: TTFB p50`,
        value: round(run.ttfbMs.p50, 2),
        unit: 'ms',
        note:
          'moto reads and copies the whole object under a per-object lock on every GET, then cuts the range out: ' +
          'its time grows with the object, and concurrent GETs of one object wait for each other',
        detail: { ttfbMs: roundDistribution(run.ttfbMs), motoCpuMsPerRequest: run.cpuMsPerRequest.moto },
      });
    }
    return rows;
  } finally {
    for (const agent of agents) agent.destroy();
    if (child) {
      if (child.connected) child.send({ type: 'stop' });
      await exited(child);
    }
    await nginx?.stop();
    s3?.destroy();
    await moto?.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}
