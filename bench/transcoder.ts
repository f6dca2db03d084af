/**
 * transcoder: the local MediaConvert's transcode of a 1080p upload — the job buildTranscodeJob makes from
 * buildLadder (four H.264/AAC HLS rungs, 1080p to 360p, plus thumbnails and a poster) — run two ways on the
 * same source, with the same encoder settings, in one run:
 * - **one process**: what the emulator runs, one ffmpeg that decodes once and `split`s the picture into every
 *   output (local/mediaconvert/command.ts, `oneProcessCommand`);
 * - **baseline**: the naive way, one ffmpeg per output (`singleBranchCommand`, the very same filters and
 *   encoder settings), all started together so they share the cores; each decodes the source itself.
 * Rounds alternate which goes first, and both ways must write the same files. Then the same job runs end to
 * end as users get it: uploaded to moto, CreateJob through the SDK to the emulator, until COMPLETE.
 *
 * The source is made by ffmpeg before any timing: testsrc2 (a moving pattern) at 1920×1080, 30 fps, H.264
 * High at 17 Mb/s like a camera file, a 48 kHz tone in AAC. Realtime factor = source duration / wall time.
 * Knobs: SKYCAST_BENCH_TRANSCODER_SECONDS (source length, 20), SKYCAST_BENCH_TRANSCODER_ROUNDS (2),
 * SKYCAST_BENCH_X264_PRESET (the emulator's default) and SKYCAST_BENCH_X264_THREADS (x264's choice).
 *
 * Both ways are CPU-bound, so their wall times are only as good as the machine is idle: each run's share of
 * the CPU taken by other processes is in the JSON, and the least disturbed round is reported on its own.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateJobCommand, MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { buildTranscodeJob, type TranscodeJobInput } from '../lambdas/transcoding/job.ts';
import { buildLadder } from '../lambdas/transcoding/ladder.ts';
import { oneProcessCommand, singleBranchCommand } from '../local/mediaconvert/command.ts';
import type { X264Preset } from '../local/mediaconvert/encoder-settings.ts';
import { runFfmpeg } from '../local/mediaconvert/ffmpeg-process.ts';
import {
  DEFAULT_X264_PRESET,
  type JobStateChangeEvent,
  startMediaConvertEmulator,
} from '../local/mediaconvert/index.ts';
import { readCreateJob } from '../local/mediaconvert/job-spec.ts';
import { probeMedia } from '../local/mediaconvert/media-info.ts';
import { type Branch, planTranscode, type TranscodePlan } from '../local/mediaconvert/transcode-plan.ts';
import { startMoto } from '../local/moto.ts';
import { emulatorClientConfig, provision } from '../local/provision.ts';
import { otherProcessesCores, sampleCpu } from './support/machine.ts';
import type { BenchRow } from './support/report.ts';
import { round } from './support/stats.ts';

const SECONDS = Number(process.env.SKYCAST_BENCH_TRANSCODER_SECONDS ?? 20);
const ROUNDS = Number(process.env.SKYCAST_BENCH_TRANSCODER_ROUNDS ?? 2);
const PRESET = (process.env.SKYCAST_BENCH_X264_PRESET ?? DEFAULT_X264_PRESET) as X264Preset;
const THREADS = process.env.SKYCAST_BENCH_X264_THREADS
  ? Number(process.env.SKYCAST_BENCH_X264_THREADS)
  : undefined;
const GOAL_SPEED_RATIO = 1.15;
const GOAL_REALTIME = 1.3;

const run = promisify(execFile);

async function makeSource(path: string): Promise<void> {
  await run('ffmpeg', [
    ...['-hide_banner', '-v', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=1920x1080:rate=30:duration=${SECONDS}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${SECONDS}`],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-b:v', '17M', '-pix_fmt', 'yuv420p'],
    ...['-c:a', 'aac', '-b:a', '192k', '-ac', '2', '-shortest', path],
  ]);
}

interface Measured {
  wallSeconds: number;
  /** CPU time of the ffmpeg processes (they are reaped before the sample is taken). */
  cpuSeconds: number;
  otherCores?: number;
}

/** Linux's clock ticks per second, in which /proc reports CPU time. */
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

async function measure(work: () => Promise<void>): Promise<Measured> {
  const before = sampleCpu();
  const started = performance.now();
  await work();
  const wallSeconds = (performance.now() - started) / 1000;
  const after = sampleCpu();
  const other = otherProcessesCores(before, after);
  return {
    wallSeconds,
    cpuSeconds: before && after ? (after.ownTicks - before.ownTicks) / ticksPerSecond : Number.NaN,
    ...(other !== undefined ? { otherCores: other } : {}),
  };
}

async function ffmpegOrFail(args: string[], cwd: string, durationSeconds: number): Promise<void> {
  const result = await runFfmpeg(args, { cwd, durationSeconds });
  if (result.exitCode !== 0)
    throw new Error(`ffmpeg failed (${result.exitCode}): ${result.stderr.trim().slice(-2000)}`);
}

async function freshFolders(root: string, plan: TranscodePlan): Promise<void> {
  await rm(root, { recursive: true, force: true });
  for (const folder of new Set(plan.branches.map((branch) => branch.output.folder))) {
    await mkdir(join(root, folder), { recursive: true });
  }
}

/** Both ways must write the same files, or the comparison means nothing. */
async function filesIn(root: string): Promise<string[]> {
  const files: string[] = [];
  for (const folder of await readdir(root))
    files.push(...(await readdir(join(root, folder))).map((f) => `${folder}/${f}`));
  return files.sort();
}

/**
 * The same job as users get it: uploaded to the S3 emulator, submitted with the real SDK client to the
 * emulator, transcoded, uploaded back, until the COMPLETE event.
 */
async function endToEnd(
  source: string,
  job: Omit<TranscodeJobInput, 'source' | 'mediaBucket'>,
): Promise<Measured> {
  const region = 'us-east-1';
  const moto = await startMoto();
  let finished: (event: JobStateChangeEvent) => void = () => {};
  const ended = new Promise<JobStateChangeEvent>((resolveEnd) => {
    finished = resolveEnd;
  });
  const emulator = await startMediaConvertEmulator({
    s3: { endpoint: moto.endpoint, region },
    x264Preset: PRESET,
    ...(THREADS ? { x264Threads: THREADS } : {}),
    publish: async (event) => {
      if (['COMPLETE', 'ERROR', 'CANCELED'].includes(event.detail.status)) finished(event);
    },
  });
  const s3 = new S3Client({
    ...emulatorClientConfig({ endpoint: moto.endpoint, region }),
    forcePathStyle: true,
  });
  const mediaConvert = new MediaConvertClient(emulatorClientConfig({ endpoint: emulator.endpoint, region }));
  try {
    const { bucketNames } = await provision({ endpoint: moto.endpoint, region }, 'skycast-bench');
    await s3.send(
      new PutObjectCommand({
        Bucket: bucketNames.uploads,
        Key: 'bench/source.mp4',
        Body: createReadStream(source),
        ContentLength: (await stat(source)).size,
      }),
    );
    const request = buildTranscodeJob({
      ...job,
      source: `s3://${bucketNames.uploads}/bench/source.mp4`,
      mediaBucket: bucketNames.media,
    });
    return await measure(async () => {
      await mediaConvert.send(new CreateJobCommand(request));
      const end = await ended;
      if (end.detail.status !== 'COMPLETE')
        throw new Error(`The job ended ${end.detail.status}: ${end.detail.errorMessage}`);
    });
  } finally {
    mediaConvert.destroy();
    s3.destroy();
    await emulator.stop();
    await moto.stop();
  }
}

export async function transcoder(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(os.tmpdir(), 'skycast-bench-transcoder-'));
  try {
    const source = join(dir, 'source.mp4');
    await makeSource(source);
    const info = await probeMedia(source);
    const video = info.video;
    if (!video) throw new Error('The generated source has no video');
    const ladder = buildLadder({
      video: { width: video.codedWidth, height: video.codedHeight, rotation: video.rotation },
      hasAudio: !!info.audio,
    });
    const job = {
      application: 'skycast-bench',
      videoId: 'bench',
      ownerId: 'bench',
      roleArn: 'arn:aws:iam::123456789012:role/bench',
      ladder,
    };
    const request = buildTranscodeJob({
      ...job,
      source: 's3://bench/source.mp4',
      mediaBucket: 'bench-media',
    });
    const { spec } = readCreateJob(request);
    const plan = planTranscode(spec, info, {
      x264Preset: PRESET,
      ...(THREADS ? { x264Threads: THREADS } : {}),
    });
    const rungs = ladder.renditions.map((r) => `${r.width}x${r.height}`).join(', ');

    const oneDir = join(dir, 'one');
    const baselineDir = join(dir, 'baseline');
    const oneProcess = async () => {
      await freshFolders(oneDir, plan);
      await ffmpegOrFail(oneProcessCommand(plan, source), oneDir, info.durationSeconds);
    };
    const baseline = async () => {
      await freshFolders(baselineDir, plan);
      await Promise.all(
        plan.branches.map((branch: Branch) =>
          ffmpegOrFail(singleBranchCommand(plan, branch, source), baselineDir, info.durationSeconds),
        ),
      );
    };

    const one: Measured[] = [];
    const naive: Measured[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? ['one', 'naive'] : ['naive', 'one'];
      for (const which of order) {
        console.error(`  round ${round + 1}/${ROUNDS}: ${which === 'one' ? 'one process' : 'baseline'}…`);
        if (which === 'one') one.push(await measure(oneProcess));
        else naive.push(await measure(baseline));
      }
    }
    const [oneFiles, baselineFiles] = [await filesIn(oneDir), await filesIn(baselineDir)];
    if (oneFiles.join() !== baselineFiles.join()) {
      throw new Error(
        `The two ways wrote different files:\n${oneFiles.join(' ')}\n${baselineFiles.join(' ')}`,
      );
    }
    const playlists = oneFiles.filter((file) => /_\d+p\.m3u8$/.test(file)).length;
    if (playlists !== ladder.renditions.length)
      throw new Error(`Expected ${ladder.renditions.length} renditions, found ${playlists}`);

    console.error('  the same job end to end through the emulator (moto S3, SDK client, events)…');
    const whole = await endToEnd(source, job);

    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    const oneWall = mean(one.map((m) => m.wallSeconds));
    const naiveWall = mean(naive.map((m) => m.wallSeconds));
    // The round whose runs other processes disturbed least: the closest this machine came to two free cores.
    const quietest = one
      .map((m, i) => ({ one: m, naive: naive[i] as Measured }))
      .sort(
        (a, b) =>
          Math.max(a.one.otherCores ?? 0, a.naive.otherCores ?? 0) -
          Math.max(b.one.otherCores ?? 0, b.naive.otherCores ?? 0),
      )[0];
    const others = [...one, ...naive].flatMap((m) => (m.otherCores !== undefined ? [m.otherCores] : []));
    const perRun = (m: Measured) => ({
      wall: round(m.wallSeconds, 2),
      cpu: round(m.cpuSeconds, 1),
      otherCores: round(m.otherCores ?? Number.NaN, 2),
    });
    const detail = {
      source: { seconds: info.durationSeconds, size: '1920x1080', fps: 30 },
      ladder: rungs,
      outputs: plan.branches.map((b) => `${b.output.kind} ${b.output.name}`),
      x264Preset: PRESET,
      x264Threads: THREADS ?? 'auto',
      rounds: ROUNDS,
      oneProcess: one.map(perRun),
      baseline: naive.map(perRun),
      endToEnd: perRun(whole),
      command: oneProcessCommand(plan, 'source.mp4').join(' '),
    };
    const note =
      `${info.durationSeconds.toFixed(0)} s of 1080p30 into ${ladder.renditions.length} rungs (${rungs}) + thumbnails + poster, ` +
      `x264 preset ${PRESET}, mean of ${ROUNDS} rounds; baseline = one ffmpeg per output, all at once; ` +
      'CPU-bound: with other work on the machine, wall times grow by about the cores it takes (see the last row)';
    const rows: BenchRow[] = [
      { metric: 'one process, one decode: wall time', value: round(oneWall, 2), unit: 's', note, detail },
      { metric: 'baseline, one process per output: wall time', value: round(naiveWall, 2), unit: 's' },
      {
        metric: 'speed ratio (baseline / one process)',
        value: round(naiveWall / oneWall, 2),
        unit: '×',
        goal: { atLeast: GOAL_SPEED_RATIO },
      },
      {
        metric: 'realtime factor, one process',
        value: round(info.durationSeconds / oneWall, 2),
        unit: '×',
        goal: { atLeast: GOAL_REALTIME },
      },
      { metric: 'realtime factor, baseline', value: round(info.durationSeconds / naiveWall, 2), unit: '×' },
    ];
    if (quietest && ROUNDS > 1) {
      const load = Math.max(quietest.one.otherCores ?? 0, quietest.naive.otherCores ?? 0);
      rows.push(
        {
          metric: `least disturbed round (others ≤ ${load.toFixed(2)} cores): realtime factor`,
          value: round(info.durationSeconds / quietest.one.wallSeconds, 2),
          unit: '×',
        },
        {
          metric: `least disturbed round (others ≤ ${load.toFixed(2)} cores): speed ratio`,
          value: round(quietest.naive.wallSeconds / quietest.one.wallSeconds, 2),
          unit: '×',
        },
      );
    }
    rows.push(
      {
        metric: 'CPU time per source second, one process',
        value: round(mean(one.map((m) => m.cpuSeconds)) / info.durationSeconds, 2),
        unit: 's/s',
      },
      {
        metric: 'CPU time per source second, baseline',
        value: round(mean(naive.map((m) => m.cpuSeconds)) / info.durationSeconds, 2),
        unit: 's/s',
      },
      {
        metric: 'end to end through the emulator (S3 in and out, events): realtime factor',
        value: round(info.durationSeconds / whole.wallSeconds, 2),
        unit: '×',
      },
    );
    if (others.length > 0) {
      rows.push({
        metric: 'other processes during the runs (max)',
        value: round(Math.max(...others), 2),
        unit: 'cores',
      });
    }
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
