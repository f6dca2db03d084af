/**
 * Skycast's local MediaConvert: the API calls our functions make (CreateJob, GetJob, ListJobs, CancelJob,
 * Probe) answered on a loopback port for the real `@aws-sdk/client-mediaconvert` (set `endpoint`, or
 * `AWS_ENDPOINT_URL_MEDIACONVERT`), jobs really transcoded by ffmpeg — one process and one decode for every
 * rendition — into the S3 emulator, and "MediaConvert Job State Change" events handed to `publish` in the
 * shape EventBridge delivers them. What it reproduces and how: job-spec.ts (settings), encoder-settings.ts and
 * transcode-plan.ts (ffmpeg).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { handleRequest, OBJECTS_PATH } from './api.ts';
import { type EncoderOptions, X264_PRESETS, type X264Preset } from './encoder-settings.ts';
import type { JobStateChangeEvent } from './events.ts';
import { type FaultSettings, faultInjector } from './faults.ts';
import { MediaConvertService } from './service.ts';
import { ObjectStorage } from './storage.ts';

export { JOB_ERROR } from './errors.ts';
export type { JobStateChangeDetail, JobStateChangeEvent, OutputGroupDetail } from './events.ts';
export { FAULTS_ENV, type FaultSettings, parseFaultSettings } from './faults.ts';

/**
 * The preset for QualityTuningLevel SINGLE_PASS_HQ (SINGLE_PASS runs one step faster). Chosen so a
 * four-rung 1080p ladder transcodes faster than realtime on two cores: `veryfast` needs about 1.5 CPU
 * seconds per second of 1080p30 source for the whole job, which two cores cannot beat 1.3× realtime with;
 * `superfast` needs about 1.1 (bench/transcoder.ts).
 */
export const DEFAULT_X264_PRESET: X264Preset = 'superfast';

export interface MediaConvertEmulatorOptions {
  /** The S3 emulator jobs read inputs from and write outputs to. */
  s3: { endpoint: string; region: string };
  /** Receives every job state change event, in order per job; the platform routes them like EventBridge. */
  publish: (event: JobStateChangeEvent) => Promise<void>;
  /** @default '123456789012' (moto's default account) */
  accountId?: string;
  /** @default the S3 region */
  region?: string;
  /** Jobs that run at the same time. @default 1 */
  concurrency?: number;
  /** Where jobs keep their temporary files. @default a new folder in the system's temporary directory */
  workDir?: string;
  /** x264 preset for SINGLE_PASS_HQ. @default DEFAULT_X264_PRESET */
  x264Preset?: X264Preset;
  /** Threads per x264 encoder. @default x264's own choice */
  x264Threads?: number;
  /**
   * Seconds between STATUS_UPDATE events, whatever the job's StatusUpdateInterval says (MediaConvert's
   * shortest is 10 s, longer than most local jobs take). @default the job's interval
   */
  statusUpdateSeconds?: number;
  /**
   * Faults to inject (failed jobs and API calls; late, doubled and reordered events), for tests of the
   * pipeline's resilience. @default from SKYCAST_LOCAL_MEDIACONVERT_FAULTS, else none
   */
  faults?: FaultSettings;
  /** Where to report failures that are not a job's (an event that could not be published). @default console.error */
  log?: (message: string, error?: unknown) => void;
}

export interface RunningMediaConvertEmulator {
  /** Base URL for the SDK's `endpoint`, e.g. http://127.0.0.1:41234. */
  endpoint: string;
  /** Kills running ffmpeg processes, stops serving and removes temporary files. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startMediaConvertEmulator(
  options: MediaConvertEmulatorOptions,
): Promise<RunningMediaConvertEmulator> {
  const preset = options.x264Preset ?? DEFAULT_X264_PRESET;
  if (!X264_PRESETS.includes(preset)) throw new Error(`Unknown x264 preset ${preset}`);
  const encoder: EncoderOptions = {
    x264Preset: preset,
    ...(options.x264Threads ? { x264Threads: options.x264Threads } : {}),
  };
  if (options.workDir) await mkdir(options.workDir, { recursive: true });
  const workDir = await mkdtemp(join(options.workDir ?? os.tmpdir(), 'skycast-mediaconvert-'));
  const storage = new ObjectStorage(options.s3);
  const faults = faultInjector(options.faults);
  const servedObjects = new Map<string, { bucket: string; key: string }>();
  let endpoint = '';

  const service = new MediaConvertService({
    storage,
    publish: options.publish,
    accountId: options.accountId ?? '123456789012',
    region: options.region ?? options.s3.region,
    concurrency: options.concurrency ?? 1,
    workDir,
    encoder,
    ...(faults ? { faults } : {}),
    ...(options.statusUpdateSeconds ? { statusUpdateSeconds: options.statusUpdateSeconds } : {}),
    objectUrl: (token) => `${endpoint}${OBJECTS_PATH}${token}`,
    log:
      options.log ?? ((message, error) => console.error(`✖ MediaConvert emulator: ${message}`, error ?? '')),
  });

  const server = createServer((request, response) => {
    void handleRequest({ service, storage, servedObjects }, request, response);
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    stop() {
      stopped ??= (async () => {
        await service.stop();
        await new Promise<void>((resolveClose) => {
          server.close(() => resolveClose());
          server.closeAllConnections();
        });
        storage.destroy();
        await rm(workDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
