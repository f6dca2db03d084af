/**
 * upload-to-playable: how long a creator waits, on the local platform, from the first byte of a 60-second
 * 1080p30 clip with audio until its video is READY — uploaded by scripts/uploader.ts (`uploadFile`, 4 parts
 * in flight, in a process of its own), then S3 event → SQS → the submit function (sniff, Probe, CreateJob) →
 * the local MediaConvert (source down from S3, one ffmpeg for the whole ladder, outputs up to S3) → the job's
 * COMPLETE event → EventBridge → the completion function → READY in the catalog.
 *
 * The clip is made by ffmpeg before any timing (testsrc2, a moving pattern, and a 48 kHz tone; x264 at
 * 17 Mb/s like a camera file, its ultrafast preset so that making it takes seconds). The clock starts when
 * `uploadFile` is called (createUpload's request is the first byte) and stops when a GET /videos/{id}, polled
 * every 250 ms, first answers READY. The phases come from timestamps the platform keeps itself — the
 * client's completeUpload answer, the MediaConvert job's SubmitTime, StartTime and FinishTime, the job's
 * CurrentPhase polled every 250 ms alongside the video, and the video's updatedAt when it became READY — all
 * on this machine's one clock. Phases seen by polling are good to ±250 ms.
 *
 * Knobs: SKYCAST_BENCH_PLAYABLE_SECONDS (clip length, 60), SKYCAST_BENCH_PLAYABLE_ROUNDS (2).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetJobCommand, type Job, ListJobsCommand, MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import { emulatorClientConfig } from '../local/provision.ts';
import { callApi } from '../scripts/uploader.ts';
import {
  type HostedPlatform,
  hostPlatform,
  type ProcessName,
  uploadInChild,
} from './support/hosted-platform.ts';
import type { BenchRow } from './support/report.ts';
import { round } from './support/stats.ts';
import type { UploadReport } from './support/upload-client.ts';

const SECONDS = Number(process.env.SKYCAST_BENCH_PLAYABLE_SECONDS ?? 60);
const ROUNDS = Number(process.env.SKYCAST_BENCH_PLAYABLE_ROUNDS ?? 2);
const POLL_MS = 250;
const TIMEOUT_MS = 10 * 60_000;

const run = promisify(execFile);

async function makeClip(path: string): Promise<void> {
  await run('ffmpeg', [
    ...['-hide_banner', '-v', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=1920x1080:rate=30:duration=${SECONDS}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${SECONDS}`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '17M', '-maxrate', '17M', '-bufsize', '34M'],
    ...['-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '192k', '-ac', '2', '-shortest', path],
  ]);
}

interface VideoView {
  videoId: string;
  status: string;
  progress?: number;
  failure?: { code: string; message: string };
  durationSeconds?: number;
  renditions?: { name: string }[];
  updatedAt: string;
}

/** What the pollers saw, each at Date.now() when the answer came. */
interface Observed {
  /** Each change of the video's status or progress. */
  video: { at: number; status: string; progress?: number; updatedAt: string }[];
  /** Each change of the job's status or CurrentPhase. */
  job: { at: number; status?: string; phase?: string; percent?: number }[];
  final?: VideoView;
  jobRecord?: Job;
}

/** Polls the video (and, once it has one, its MediaConvert job) until the video is READY or FAILED. */
async function follow(
  host: HostedPlatform,
  mediaConvert: MediaConvertClient,
  videoId: string,
  stopped: Promise<void>,
): Promise<Observed> {
  const observed: Observed = { video: [], job: [] };
  let jobId: string | undefined;
  let done = false;
  void stopped.then(() => {
    done = true;
  });
  const deadline = Date.now() + TIMEOUT_MS;
  while (!done) {
    if (Date.now() > deadline)
      throw new Error(`Video ${videoId} was not READY within ${TIMEOUT_MS / 1000} s`);
    const tick = Date.now();
    const video = await callApi<VideoView>(host.client, 'GET', `/videos/${videoId}`);
    const at = Date.now();
    const last = observed.video.at(-1);
    if (!last || last.status !== video.status || last.progress !== video.progress) {
      observed.video.push({ at, status: video.status, progress: video.progress, updatedAt: video.updatedAt });
    }
    if (!jobId && (video.status === 'PROCESSING' || video.status === 'READY')) {
      const { Jobs } = await mediaConvert.send(new ListJobsCommand({ Order: 'DESCENDING', MaxResults: 20 }));
      jobId = Jobs?.find((job) => job.UserMetadata?.videoId === videoId)?.Id;
    }
    if (jobId) {
      const { Job: job } = await mediaConvert.send(new GetJobCommand({ Id: jobId }));
      const seen = Date.now();
      const lastJob = observed.job.at(-1);
      if (!lastJob || lastJob.status !== job?.Status || lastJob.phase !== job?.CurrentPhase) {
        observed.job.push({
          at: seen,
          status: job?.Status,
          phase: job?.CurrentPhase,
          percent: job?.JobPercentComplete,
        });
      }
      observed.jobRecord = job;
    }
    if (video.status === 'READY' || video.status === 'FAILED') {
      observed.final = video;
      return observed;
    }
    await new Promise((resolveDelay) => setTimeout(resolveDelay, Math.max(0, POLL_MS - (Date.now() - tick))));
  }
  throw new Error('The upload stopped before the video finished');
}

interface Round {
  report: UploadReport;
  observed: Observed;
  cpuSeconds: Partial<Record<ProcessName, number>>;
  /** Epoch ms of each boundary, in order. */
  marks: Record<string, number | undefined>;
}

async function oneRound(
  host: HostedPlatform,
  mediaConvert: MediaConvertClient,
  path: string,
  index: number,
): Promise<Round> {
  const cpuBefore = host.cpuSeconds();
  let following: Promise<Observed> | undefined;
  let uploadFailed: () => void = () => {};
  const stopped = new Promise<void>((resolveStop) => {
    uploadFailed = resolveStop;
  });
  const report = await Promise.race([
    uploadInChild(
      {
        apiUrl: host.client.apiUrl,
        accessToken: host.client.accessToken,
        path,
        title: `bench clip, round ${index}`,
        concurrency: 4,
        sampleEveryMs: 100,
      },
      { onStarted: (videoId) => (following = follow(host, mediaConvert, videoId, stopped)) },
    ),
    host.down,
  ]).catch((error) => {
    uploadFailed();
    throw error;
  });
  if (!following) throw new Error('The upload client never said which video it created');
  const observed = await Promise.race([following, host.down]);
  const cpuAfter = host.cpuSeconds();
  const cpuSeconds: Round['cpuSeconds'] = {};
  for (const name of Object.keys(cpuAfter) as ProcessName[]) {
    const before = cpuBefore[name];
    const after = cpuAfter[name];
    if (before !== undefined && after !== undefined) cpuSeconds[name] = after - before;
  }
  const final = observed.final;
  if (final?.status !== 'READY') {
    throw new Error(`The clip ended ${final?.status}: ${JSON.stringify(final?.failure)}`);
  }
  await callApi(host.client, 'DELETE', `/videos/${final.videoId}`);

  const timing = observed.jobRecord?.Timing;
  const firstJob = (phases: string[]) =>
    observed.job.find((entry) => entry.phase && phases.includes(entry.phase))?.at ??
    // A phase shorter than the poll interval is not seen: the next one seen starts it too.
    observed.job.find((entry) => entry.status === 'COMPLETE')?.at;
  const marks = {
    start: report.startedAtEpochMs,
    uploaded: report.startedAtEpochMs + report.completedMs,
    jobSubmitted: timing?.SubmitTime?.getTime(),
    jobStarted: timing?.StartTime?.getTime(),
    transcodingSeen: firstJob(['TRANSCODING', 'UPLOADING']),
    uploadingSeen: firstJob(['UPLOADING']),
    jobFinished: timing?.FinishTime?.getTime(),
    ready: Date.parse(final.updatedAt),
    readySeen: observed.video.at(-1)?.at,
  };
  return { report, observed, cpuSeconds, marks };
}

const PHASES: { name: string; from: string; to: string; note?: string }[] = [
  { name: 'upload (createUpload → completeUpload answered)', from: 'start', to: 'uploaded' },
  {
    name: 'queue and submit (S3 event → SQS → submit function: sniff, Probe, CreateJob)',
    from: 'uploaded',
    to: 'jobSubmitted',
  },
  { name: 'MediaConvert queue (SubmitTime → StartTime)', from: 'jobSubmitted', to: 'jobStarted' },
  {
    name: 'transcode: source from S3 and probe (job PROBING)',
    from: 'jobStarted',
    to: 'transcodingSeen',
  },
  { name: 'transcode: ffmpeg, whole ladder (job TRANSCODING)', from: 'transcodingSeen', to: 'uploadingSeen' },
  { name: 'transcode: outputs to S3 (job UPLOADING)', from: 'uploadingSeen', to: 'jobFinished' },
  {
    name: 'completion (COMPLETE event → EventBridge → function → READY)',
    from: 'jobFinished',
    to: 'ready',
  },
  { name: 'READY seen by the client (poll every 250 ms)', from: 'ready', to: 'readySeen' },
];

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

export async function uploadToPlayable(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(os.tmpdir(), 'skycast-bench-playable-'));
  try {
    const path = join(dir, 'clip-1080p.mp4');
    console.error(`  making a ${SECONDS} s 1080p30 clip with audio (not timed)`);
    const made = performance.now();
    await makeClip(path);
    const makeSeconds = (performance.now() - made) / 1000;
    const { size } = await stat(path);
    const host = await hostPlatform();
    const mediaConvert = new MediaConvertClient(
      emulatorClientConfig({ endpoint: host.ready.mediaConvertEndpoint, region: host.ready.config.region }),
    );
    try {
      const rounds: Round[] = [];
      for (let i = 1; i <= ROUNDS; i++) {
        console.error(`  round ${i}/${ROUNDS}: upload, then wait for READY…`);
        const measured = await oneRound(host, mediaConvert, path, i);
        const total = ((measured.marks.readySeen ?? Number.NaN) - measured.report.startedAtEpochMs) / 1000;
        console.error(`    READY after ${total.toFixed(1)} s (${(SECONDS / total).toFixed(2)}× realtime)`);
        rounds.push(measured);
      }

      const seconds = (round: Round, from: string, to: string) => {
        const start = round.marks[from];
        const end = round.marks[to];
        return start === undefined || end === undefined ? Number.NaN : (end - start) / 1000;
      };
      const totals = rounds.map((r) => seconds(r, 'start', 'readySeen'));
      const final = rounds[0]?.observed.final;
      const detail = {
        clip: {
          seconds: SECONDS,
          size: '1920x1080',
          fps: 30,
          bytes: size,
          makeSeconds: round(makeSeconds, 1),
          durationSeconds: final?.durationSeconds,
          renditions: final?.renditions?.map((r) => r.name),
        },
        rounds: rounds.map((r) => ({
          totalSeconds: round(seconds(r, 'start', 'readySeen'), 2),
          phasesSeconds: Object.fromEntries(PHASES.map((p) => [p.name, round(seconds(r, p.from, p.to), 2)])),
          marks: Object.fromEntries(
            Object.entries(r.marks).map(([k, v]) => [k, v === undefined ? null : new Date(v).toISOString()]),
          ),
          videoTransitions: r.observed.video.map((v) => ({ ...v, at: new Date(v.at).toISOString() })),
          jobTransitions: r.observed.job.map((j) => ({ ...j, at: new Date(j.at).toISOString() })),
          cpuSeconds: Object.fromEntries(Object.entries(r.cpuSeconds).map(([k, v]) => [k, round(v, 1)])),
          uploadClient: {
            parts: r.report.parts,
            maxRssMiB: round(r.report.memory.maxRss / 2 ** 20, 1),
            completeUploadMs: round(r.report.completedMs - r.report.lastPartMs, 0),
          },
        })),
      };
      const label = `${SECONDS} s 1080p30 clip`;
      const rows: BenchRow[] = [
        {
          metric: `${label}: first byte → READY`,
          value: round(mean(totals), 2),
          unit: 's',
          note:
            `${SECONDS} s of 1080p30 + AAC at 17 Mb/s (${round(size / 2 ** 20, 0)} MiB), mean of ${ROUNDS} ` +
            'round(s); the clock runs from uploadFile (createUpload) until GET /videos/{id} first answers READY; ' +
            'phases from the job’s and the video’s own timestamps (polled ones ±250 ms)',
          detail,
        },
        {
          metric: `${label}: realtime factor, whole path`,
          value: round(SECONDS / mean(totals), 2),
          unit: '×',
          note: 'realtime factor = clip duration / (first byte → READY)',
        },
      ];
      if (ROUNDS > 1) {
        rows.push({
          metric: `${label}: first byte → READY, fastest round`,
          value: round(Math.min(...totals), 2),
          unit: 's',
        });
      }
      for (const phase of PHASES) {
        rows.push({
          metric: `${label}: ${phase.name}`,
          value: round(mean(rounds.map((r) => seconds(r, phase.from, phase.to))), 2),
          unit: 's',
        });
        if (phase.from === 'start') {
          rows.push({
            metric: `${label}: upload, of which completeUpload (moto assembles the object)`,
            value: round(mean(rounds.map((r) => (r.report.completedMs - r.report.lastPartMs) / 1000)), 2),
            unit: 's',
          });
        }
      }
      const cpu = (name: ProcessName) => mean(rounds.map((r) => r.cpuSeconds[name] ?? Number.NaN));
      const cpuRows: [ProcessName, string][] = [
        ['platformChildren', 'CPU of ffmpeg and ffprobe (the local MediaConvert)'],
        ['platform', 'CPU of the platform process'],
        ['moto', 'CPU of moto'],
      ];
      for (const [name, what] of cpuRows) {
        const value = cpu(name);
        if (!Number.isFinite(value)) continue;
        rows.push({
          metric: `${label}: ${what}, per round`,
          value: round(value, 1),
          unit: 's',
          note:
            'CPU per round = user + system time from the start of the upload until READY; ffmpeg and ffprobe ' +
            'are counted once they have exited (all of them have, by READY)',
        });
      }
      return rows;
    } finally {
      mediaConvert.destroy();
      await host.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
