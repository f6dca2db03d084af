/**
 * getme-load: `GET /me` (getMe) through the local platform — HTTP server, JWT authorizer, the handler with its
 * real dependencies, DynamoDB on moto — under load from autocannon at 10 and 100 connections.
 *
 * Three processes: the platform (bench/support/platform-host.ts, its logs to /dev/null), the load generator
 * (bench/support/load-worker.ts) and this one, which only orchestrates; moto is one more, started by the
 * platform. They all share this machine's cores, so the numbers are a floor for what the
 * platform does when it has the machine to itself.
 *
 * It also loads the emulator's DynamoDB GetItem directly (raw HTTP, no SDK): getMe makes one GetItem per
 * request, so that number is the ceiling for getMe on this machine.
 *
 * SKYCAST_BENCH_CPU_PROF=1 writes a CPU profile of the platform process (Chrome DevTools format).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { getMe } from '#contract/accounts.ts';
import { emulatorClientConfig, LOCAL_CREDENTIALS } from '../local/provision.ts';
import { createSignedInUser } from '../test/support/accounts.ts';
import { exited, forkModule, nextMessage } from './support/child.ts';
import type { LoadRun, LoadSummary } from './support/load-worker.ts';
import { childProcesses, processCpuSeconds } from './support/machine.ts';
import type { PlatformReady } from './support/platform-host.ts';
import type { BenchRow } from './support/report.ts';
import { round } from './support/stats.ts';

const WARMUP_SECONDS = 3;
const RUN_SECONDS = 10;
const CONNECTIONS = [10, 100];
const DIRECT_SECONDS = 5;

/** 10× the 66 requests/s a comparable Python service serves. */
const GOAL_REQUESTS_PER_SECOND = 660;
const GOAL_P99_MS = 61;

function coresNote(): string {
  return (
    `the load generator (autocannon, 1 process), the platform (Node, 1 process) and moto (Python) ` +
    `share this machine's ${os.availableParallelism()} cores ` +
    `(${os.cpus()[0]?.model.trim() ?? 'unknown CPU'})`
  );
}

/** The processes whose CPU time is accounted per request (Linux only; missing ones are skipped). */
type Processes = Record<'platform' | 'moto' | 'loadGenerator', number | undefined>;

/** CPU milliseconds each process spent per answered request: independent of how busy the machine was. */
type CpuPerRequest = Partial<Record<keyof Processes, number>>;

interface Measured {
  summary: LoadSummary;
  cpuPerRequest: CpuPerRequest;
}

async function loadOnce(
  loader: ReturnType<typeof forkModule>,
  run: LoadRun,
  processes: Processes,
): Promise<Measured> {
  const names = Object.keys(processes) as (keyof Processes)[];
  const cpu = () => names.map((name) => processCpuSeconds(processes[name] ?? -1));
  const answer = nextMessage<{ type: 'summary'; summary: LoadSummary }>(
    loader,
    'summary',
    (run.durationSeconds + 60) * 1000,
  );
  const before = cpu();
  loader.send({ type: 'run', run });
  const { summary } = await answer;
  const after = cpu();
  const answered = summary.ok + summary.non2xx;
  const cpuPerRequest: CpuPerRequest = {};
  names.forEach((name, i) => {
    const start = before[i];
    const end = after[i];
    if (start !== undefined && end !== undefined && answered > 0) {
      cpuPerRequest[name] = round(((end - start) * 1000) / answered, 3);
    }
  });
  return { summary, cpuPerRequest };
}

function loadRows(label: string, { summary, cpuPerRequest }: Measured, goals: boolean): BenchRow[] {
  const latency = summary.latencyMs;
  const detail = {
    ...summary,
    latencyMs:
      latency && Object.fromEntries(Object.entries(latency).map(([key, value]) => [key, round(value, 2)])),
    cpuMsPerRequest: cpuPerRequest,
  };
  return [
    {
      metric: `${label}: requests/s (2xx)`,
      value: Math.round(summary.okPerSecond),
      unit: '1/s',
      ...(goals ? { goal: { atLeast: GOAL_REQUESTS_PER_SECOND } } : {}),
      note: coresNote(),
      detail,
    },
    { metric: `${label}: latency p50`, value: round(latency?.p50 ?? Number.NaN, 1), unit: 'ms' },
    { metric: `${label}: latency p95`, value: round(latency?.p95 ?? Number.NaN, 1), unit: 'ms' },
    {
      metric: `${label}: latency p99`,
      value: round(latency?.p99 ?? Number.NaN, 1),
      unit: 'ms',
      ...(goals ? { goal: { atMost: GOAL_P99_MS } } : {}),
    },
    {
      metric: `${label}: non-2xx responses`,
      value: summary.non2xx,
      unit: 'count',
      ...(goals ? { goal: { atMost: 0 } } : {}),
    },
    {
      metric: `${label}: errors (incl. timeouts)`,
      value: summary.errors,
      unit: 'count',
      ...(goals ? { goal: { atMost: 0 } } : {}),
    },
    ...(['platform', 'moto'] as const)
      // A process the requests never reach stays in the JSON only.
      .filter((name) => (cpuPerRequest[name] ?? 0) >= 0.01)
      .map((name) => ({
        metric: `${label}: ${name} CPU time per request`,
        value: cpuPerRequest[name]!,
        unit: 'ms',
        note:
          'CPU time per request = user + system CPU time of that process during the run / responses; ' +
          'it depends much less than throughput on what else the machine was doing',
      })),
  ];
}

export async function getMeLoad(): Promise<BenchRow[]> {
  const profileDir = process.env.SKYCAST_BENCH_CPU_PROF
    ? mkdtempSync(join(os.tmpdir(), 'skycast-bench-profile-'))
    : undefined;
  const platform = forkModule(new URL('./support/platform-host.ts', import.meta.url).pathname, {
    stdout: 'ignore',
    nodeFlags: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  });
  const loader = forkModule(new URL('./support/load-worker.ts', import.meta.url).pathname, {
    stdout: 'inherit',
  });
  try {
    const ready = await nextMessage<PlatformReady>(platform, 'ready');
    // Rejects with the platform's own error if it fails (or exits) while the load runs; the runs race it.
    const platformDown: Promise<never> = nextMessage(platform, 'never', 24 * 3600_000).then(() => {
      throw new Error('The platform host sent an unexpected message');
    });
    platformDown.catch(() => {}); // raced below; it also rejects when we stop the platform at the end
    const measure = (run: LoadRun) => Promise.race([loadOnce(loader, run, processes), platformDown]);
    const { config, motoEndpoint } = ready;
    console.error(`  platform up at ${ready.url} (DynamoDB on moto); signing a user in`);
    const child = (match: string) =>
      platform.pid === undefined ? undefined : childProcesses(platform.pid, match)[0];
    const processes: Processes = {
      platform: platform.pid,
      moto: child('moto_server'),
      loadGenerator: loader.pid,
    };

    const cognito = new CognitoIdentityProviderClient(
      emulatorClientConfig({ endpoint: motoEndpoint, region: config.region }),
    );
    const user = await createSignedInUser(cognito, {
      userPoolId: config.userPoolId,
      clientId: config.userPoolClientId,
    });
    cognito.destroy();

    const apiUrl = new URL(config.apiUrl, ready.url).href.replace(/\/$/, '');
    const url = `${apiUrl}${getMe.path}`;
    const headers = { authorization: `Bearer ${user.accessToken}` };
    // The first call creates the profile; a failure here says why, instead of a table full of non-2xx.
    const first = await fetch(url, { headers });
    if (!first.ok) throw new Error(`GET ${url} answered ${first.status}: ${await first.text()}`);

    console.error(`  warming up for ${WARMUP_SECONDS} s`);
    await measure({ url, headers, connections: 10, durationSeconds: WARMUP_SECONDS });

    const rows: BenchRow[] = [];
    for (const connections of CONNECTIONS) {
      console.error(`  GET /me, ${connections} connections, ${RUN_SECONDS} s`);
      const measured = await measure({ url, headers, connections, durationSeconds: RUN_SECONDS });
      rows.push(...loadRows(`getMe, ${connections} connections`, measured, true));
    }

    const table = ready.resources.tableName;
    const emulator = 'moto';
    console.error(`  ${emulator}'s GetItem directly, 10 connections, ${DIRECT_SECONDS} s`);
    const direct = await measure({
      url: motoEndpoint,
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.GetItem',
        // moto reads the access key and region from the credential scope; it does not check the signature.
        authorization: `AWS4-HMAC-SHA256 Credential=${LOCAL_CREDENTIALS.accessKeyId}/20250101/${config.region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify({
        TableName: table,
        Key: { pk: { S: `USER#${user.sub}` }, sk: { S: 'PROFILE' } },
      }),
      connections: 10,
      durationSeconds: DIRECT_SECONDS,
      // moto's server closes every connection.
      closeAfterEachResponse: true,
    });
    const directRows = loadRows(`${emulator} GetItem direct, 10 connections`, direct, false);
    rows.push({
      ...directRows[0]!,
      note:
        `${emulator} GetItem direct = raw DynamoDB GetItem HTTP requests to ${emulator} (no SDK, no signing): ` +
        'the ceiling for getMe, which makes one GetItem per request',
    });
    rows.push(...directRows.filter((row) => /p50|moto CPU/.test(row.metric)));
    const emulatorMs = direct.cpuPerRequest.moto;
    if (emulatorMs !== undefined) {
      rows.push({
        metric: `${emulator} GetItem ceiling on one free core, estimate (1 s / its CPU per GetItem)`,
        value: Math.round(1000 / emulatorMs),
        unit: '1/s',
        note:
          'moto is one Python process: its request threads take turns on the GIL, so it uses about one ' +
          'core at most, whatever the machine has',
      });
    }
    if (direct.summary.non2xx > 0 || direct.summary.errors > 0) {
      throw new Error(
        `${emulator} GetItem direct had ${direct.summary.non2xx} non-2xx and ${direct.summary.errors} errors`,
      );
    }
    return rows;
  } finally {
    if (loader.connected) loader.disconnect();
    if (platform.connected) platform.send({ type: 'stop' });
    await Promise.all([exited(loader), exited(platform, 20_000)]);
    if (profileDir) console.error(`  CPU profile of the platform process: ${profileDir}`);
  }
}
