/**
 * upload-2gib: a 2 GiB file uploaded through the local platform by scripts/uploader.ts (`uploadFile`) in
 * parallel multipart parts, as `npm run upload` does: createUpload, presigned part PUTs straight to the S3
 * emulator (moto), listUploadParts for more part URLs every 100 parts, completeUpload.
 *
 * The uploading client runs in a process of its own (bench/support/upload-client.ts), one per run, so its
 * peak memory (the kernel's high-water mark, `process.resourceUsage().maxRSS`, and sampled
 * `process.memoryUsage()`) is the upload's alone. The goal: it streams, so its peak RSS stays far below the
 * file size — under 200 MiB for a 2 GiB file. Throughput and wall time run from createUpload to
 * completeUpload's answer; the CPU of the platform, moto and the client is measured over the same window.
 *
 * The file is random bytes (made before any timing, in the temp folder, removed at the end), so once its
 * object lands the pipeline's submit function marks it FAILED (NOT_A_VIDEO) from its first bytes. That
 * happens after completeUpload has answered, outside the measured window; each run waits for it and deletes
 * the video (its object goes too) before the next run starts. moto keeps parts in temp files and builds the
 * whole object in memory on completion (several copies at once for a moment): the run checks the room first.
 *
 * Knobs: SKYCAST_BENCH_UPLOAD_GIB (file size, 2), SKYCAST_BENCH_UPLOAD_CONCURRENCY (parts in flight, "4,8").
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statfsSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { planParts } from '#contract/part-plan.ts';
import { callApi } from '../scripts/uploader.ts';
import {
  type HostedPlatform,
  hostPlatform,
  type ProcessName,
  uploadInChild,
} from './support/hosted-platform.ts';
import { processMemory } from './support/machine.ts';
import type { BenchRow } from './support/report.ts';
import { round } from './support/stats.ts';
import type { UploadReport } from './support/upload-client.ts';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const SIZE = Math.round(Number(process.env.SKYCAST_BENCH_UPLOAD_GIB ?? 2) * GiB);
const CONCURRENCY = (process.env.SKYCAST_BENCH_UPLOAD_CONCURRENCY ?? '4,8')
  .split(',')
  .map((value) => Number(value.trim()))
  .filter((value) => Number.isInteger(value) && value > 0);
const GOAL_PEAK_RSS_MIB = 200;

/** Bytes of memory the kernel could hand out now without swapping (MemAvailable). */
function availableMemory(): number {
  try {
    const kib = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
    if (kib) return Number(kib) * 1024;
  } catch {}
  return os.freemem();
}

/**
 * Disk: the file, its parts in moto's temp files and the assembled object in another. Memory: moto's
 * CompleteMultipartUpload holds the object about 4.6 times over for a moment (measured: 4.7 GiB for 1 GiB) —
 * the parts joined in a bytearray, a copy for the CRC64NVME checksum S3 now adds by default, and a bytes copy
 * of each.
 */
function checkRoom(dir: string): void {
  const { bavail, bsize } = statfsSync(dir);
  const disk = bavail * bsize;
  const needDisk = 3 * SIZE + GiB;
  if (disk < needDisk) {
    throw new Error(
      `upload-2gib needs ${(needDisk / GiB).toFixed(1)} GiB free in ${dir} (the file, and moto's copies of its ` +
        `parts and of the object); there are ${(disk / GiB).toFixed(1)} GiB. Set TMPDIR to a roomier disk.`,
    );
  }
  const memory = availableMemory();
  const needMemory = 5 * SIZE + 2 * GiB;
  if (memory < needMemory) {
    throw new Error(
      `upload-2gib needs about ${(needMemory / GiB).toFixed(1)} GiB of available memory (moto assembles the ` +
        `object in memory, several copies at once); ${(memory / GiB).toFixed(1)} GiB are available. ` +
        'SKYCAST_BENCH_UPLOAD_GIB=1 halves that.',
    );
  }
}

/** Random bytes, 1 MiB at a time, each block made different by its number: no two blocks alike, no holes. */
async function makeFile(path: string, size: number): Promise<number> {
  const started = performance.now();
  const block = randomBytes(MiB);
  const file = await open(path, 'w');
  try {
    for (let offset = 0, index = 0; offset < size; offset += MiB, index++) {
      for (let at = 0; at < MiB; at += 64 * 1024) block.writeUInt32LE(index, at);
      await file.write(block, 0, Math.min(MiB, size - offset), offset);
    }
  } finally {
    await file.close();
  }
  return (performance.now() - started) / 1000;
}

interface VideoView {
  status: string;
  failure?: { code: string; message: string };
}

/** Waits until the pipeline has settled the video (FAILED: the bytes are no video), then deletes it. */
async function settleAndDelete(host: HostedPlatform, videoId: string): Promise<Record<string, unknown>> {
  const started = performance.now();
  let video: VideoView | undefined;
  while (performance.now() - started < 180_000) {
    video = await callApi<VideoView>(host.client, 'GET', `/videos/${videoId}`);
    if (video.status === 'FAILED' || video.status === 'READY') break;
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 250));
  }
  const settledSeconds = (performance.now() - started) / 1000;
  await callApi(host.client, 'DELETE', `/videos/${videoId}`);
  return { status: video?.status, failure: video?.failure?.code, settledSeconds: round(settledSeconds, 2) };
}

type Cpu = Partial<Record<ProcessName, number>>;

interface Run {
  concurrency: number;
  report: UploadReport;
  /** CPU seconds of each platform process while the parts went up (createUpload's answer → the last part). */
  partsCpu: Cpu;
  partsSeconds: number;
  /** The same during completeUpload. */
  completeCpu: Cpu;
  completeSeconds: number;
  /** Highest sampled RSS of each platform process during the upload and until the video settled, bytes. */
  peakRss: Partial<Record<ProcessName, number>>;
  settled: Record<string, unknown>;
}

const cpuBetween = (before: Cpu, after: Cpu): Cpu =>
  Object.fromEntries(
    (Object.keys(after) as ProcessName[]).flatMap((name) => {
      const start = before[name];
      const end = after[name];
      return start === undefined || end === undefined ? [] : [[name, end - start]];
    }),
  );

async function measuredUpload(host: HostedPlatform, path: string, concurrency: number): Promise<Run> {
  const peakRss: Run['peakRss'] = {};
  const watch = setInterval(() => {
    for (const [name, pid] of Object.entries(host.pids) as [ProcessName, number | undefined][]) {
      const memory = pid === undefined ? undefined : processMemory(pid);
      if (memory) peakRss[name] = Math.max(peakRss[name] ?? 0, memory.rssBytes);
    }
  }, 250);
  try {
    const marks: { at: number; cpu: Cpu }[] = [];
    const mark = () => marks.push({ at: performance.now(), cpu: host.cpuSeconds() });
    const report = await Promise.race([
      uploadInChild(
        {
          apiUrl: host.client.apiUrl,
          accessToken: host.client.accessToken,
          path,
          title: `bench upload, ${concurrency} in flight`,
          concurrency,
          sampleEveryMs: 20,
        },
        { onStarted: mark, onPartsUploaded: mark },
      ),
      host.down,
    ]);
    mark();
    const [started, partsDone, completed] = marks;
    if (!started || !partsDone || !completed) throw new Error('The upload client skipped a step');
    if (report.status !== 'UPLOADED') throw new Error(`completeUpload answered ${report.status}`);
    const settled = await Promise.race([settleAndDelete(host, report.videoId), host.down]);
    return {
      concurrency,
      report,
      partsCpu: cpuBetween(started.cpu, partsDone.cpu),
      partsSeconds: (partsDone.at - started.at) / 1000,
      completeCpu: cpuBetween(partsDone.cpu, completed.cpu),
      completeSeconds: (completed.at - partsDone.at) / 1000,
      peakRss,
      settled,
    };
  } finally {
    clearInterval(watch);
  }
}

function rowsOf(run: Run, partSize: number): BenchRow[] {
  const { report, concurrency } = run;
  const size = (report.bytes / GiB).toFixed(report.bytes % GiB ? 2 : 0);
  const label = `${size} GiB, ${concurrency} parts in flight`;
  const seconds = report.completedMs / 1000;
  const partsSeconds = (report.lastPartMs - report.createdMs) / 1000;
  const mib = (bytes: number) => round(bytes / MiB, 1);
  const inMiB = (figures: object) =>
    Object.fromEntries(Object.entries(figures).map(([key, value]) => [key, mib(value as number)]));
  const clientCpu = (report.cpu.userMs + report.cpu.systemMs) / 1000;
  const rounded = (cpu: Cpu) =>
    Object.fromEntries(Object.entries(cpu).map(([key, value]) => [key, round(value, 2)]));
  const detail = {
    bytes: report.bytes,
    partSize,
    parts: report.parts,
    createUploadMs: round(report.createdMs, 1),
    partsSeconds: round(partsSeconds, 2),
    completeUploadMs: round(report.completedMs - report.lastPartMs, 1),
    partPutMs: Object.fromEntries(Object.entries(report.partPutMs).map(([k, v]) => [k, round(v, 1)])),
    apiCalls: report.apiCalls,
    clientMemoryMiB: {
      before: inMiB(report.memory.before),
      maxRss: mib(report.memory.maxRss),
      peakSample: inMiB(report.memory.peakSample),
      highest: inMiB(report.memory.highest),
      samples: report.memory.samples,
      rssTimeline: report.memory.rssTimelineMiB,
    },
    clientCpuSeconds: {
      user: round(report.cpu.userMs / 1000, 2),
      system: round(report.cpu.systemMs / 1000, 2),
    },
    partsPhase: { seconds: round(run.partsSeconds, 2), cpuSeconds: rounded(run.partsCpu) },
    completePhase: { seconds: round(run.completeSeconds, 2), cpuSeconds: rounded(run.completeCpu) },
    peakRssMiB: inMiB(run.peakRss),
    afterwards: run.settled,
  };
  const cores = (cpu: Cpu, name: ProcessName, over: number) => {
    const value = cpu[name];
    return value === undefined ? [] : [round(value / over, 2)];
  };
  const rows: BenchRow[] = [
    {
      metric: `${label}: throughput`,
      value: round(report.bytes / MiB / seconds, 1),
      unit: 'MiB/s',
      note:
        'throughput and wall time = createUpload until completeUpload answers; the part PUTs go to moto (the S3 ' +
        'emulator) at presigned URLs; the file is read from the page cache',
      detail,
    },
    { metric: `${label}: wall time`, value: round(seconds, 2), unit: 's' },
    { metric: `${label}: parts`, value: report.parts, unit: `× ${partSize / MiB} MiB` },
    {
      metric: `${label}: while the parts go up: throughput`,
      value: round(report.bytes / MiB / partsSeconds, 1),
      unit: 'MiB/s',
    },
    { metric: `${label}: part PUT p50`, value: round(report.partPutMs.p50, 1), unit: 'ms' },
    { metric: `${label}: part PUT p99`, value: round(report.partPutMs.p99, 1), unit: 'ms' },
    {
      metric: `${label}: completeUpload`,
      value: round((report.completedMs - report.lastPartMs) / 1000, 2),
      unit: 's',
      note:
        'completeUpload = the API call after the last part: the platform checks the parts (ListParts) and moto ' +
        'assembles the object (CompleteMultipartUpload: it copies every part into one buffer in memory)',
    },
    {
      metric: `${label}: client peak RSS (maxRSS)`,
      value: mib(report.memory.maxRss),
      unit: 'MiB',
      goal: { atMost: GOAL_PEAK_RSS_MIB },
      note:
        'client peak RSS = the high-water mark the kernel kept for the uploading process ' +
        '(process.resourceUsage().maxRSS), Node and tsx included; "before the upload" = the same process ' +
        'before it sent a byte; the JSON has the V8 heap, external and ArrayBuffer memory at the peak',
    },
    { metric: `${label}: client RSS before the upload`, value: mib(report.memory.before.rss), unit: 'MiB' },
    {
      metric: `${label}: client ArrayBuffers at most`,
      value: mib(report.memory.highest.arrayBuffers),
      unit: 'MiB',
    },
    ...[round(clientCpu / partsSeconds, 2)].map((value) => ({
      metric: `${label}: client CPU while the parts go up`,
      value,
      unit: 'cores',
      note:
        'cores = CPU time (user + system) of that process over the phase / its wall time; moto is one Python ' +
        'process whose request threads share the GIL, so about 1 core is its ceiling',
    })),
    ...cores(run.partsCpu, 'moto', run.partsSeconds).map((value) => ({
      metric: `${label}: moto CPU while the parts go up`,
      value,
      unit: 'cores',
    })),
    ...cores(run.partsCpu, 'platform', run.partsSeconds).map((value) => ({
      metric: `${label}: platform CPU while the parts go up`,
      value,
      unit: 'cores',
    })),
    ...cores(run.completeCpu, 'moto', run.completeSeconds).map((value) => ({
      metric: `${label}: moto CPU during completeUpload`,
      value,
      unit: 'cores',
    })),
  ];
  if (run.peakRss.moto !== undefined)
    rows.push({ metric: `${label}: moto peak RSS`, value: mib(run.peakRss.moto), unit: 'MiB' });
  return rows;
}

export async function upload2GiB(): Promise<BenchRow[]> {
  if (CONCURRENCY.length === 0) throw new Error('SKYCAST_BENCH_UPLOAD_CONCURRENCY names no concurrency');
  const dir = await mkdtemp(join(os.tmpdir(), 'skycast-bench-upload-'));
  try {
    checkRoom(dir);
    const path = join(dir, 'bench-2gib.mp4');
    console.error(`  writing ${(SIZE / GiB).toFixed(2)} GiB of random bytes to ${path}`);
    const writeSeconds = await makeFile(path, SIZE);
    const { partSize } = planParts(SIZE);
    const host = await hostPlatform();
    try {
      const rows: BenchRow[] = [];
      for (const concurrency of CONCURRENCY) {
        console.error(`  uploading, ${concurrency} parts in flight…`);
        const run = await measuredUpload(host, path, concurrency);
        console.error(
          `    ${round(run.report.bytes / MiB / (run.report.completedMs / 1000), 1)} MiB/s, client peak RSS ` +
            `${round(run.report.memory.maxRss / MiB, 1)} MiB; video ${run.settled.status} (${run.settled.failure}), deleted`,
        );
        const runRows = rowsOf(run, partSize);
        if (rows.length === 0 && runRows[0])
          runRows[0].detail = { ...runRows[0].detail, fileWriteSeconds: round(writeSeconds, 2) };
        rows.push(...runRows);
      }
      return rows;
    } finally {
      await host.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
