/**
 * What a CreateJob request asks for, reduced to what the emulator reproduces: one S3 input, HLS groups of
 * H.264/AAC renditions, and frame-capture groups of JPEGs. Everything else is refused here with a 400 that
 * names the setting, before a job exists. Settings that only an encoder of MediaConvert's own could honour
 * exactly are mapped to their nearest x264/ffmpeg equivalent; each such mapping says so where it is made.
 * This module holds the job's shape and reads the request's top level and its input; the output groups are
 * read in job-spec-groups.ts, each output's encoding settings in job-spec-codecs.ts.
 */
import type { CreateJobRequest } from '@aws-sdk/client-mediaconvert';
import { parseS3Uri } from '#contract/media-layout.ts';
import { invalidSetting, missingSetting, unsupportedSetting } from './errors.ts';
import { readFrameCaptureGroup, readHlsGroup } from './job-spec-groups.ts';
import { SettingsReader } from './settings-reader.ts';

export interface S3Location {
  bucket: string;
  key: string;
}

/** An output group's destination: `s3://bucket/prefix/base`, files named `<base><NameModifier>…`. */
export interface Destination {
  bucket: string;
  /** Key prefix ending in `/`, or empty. */
  prefix: string;
  base: string;
}

export type RateControl =
  | { mode: 'QVBR'; qualityLevel: number; fineTune: number; maxBitrate: number }
  | { mode: 'CBR'; bitrate: number }
  | { mode: 'VBR'; bitrate: number; maxBitrate: number };

export interface H264Spec {
  rateControl: RateControl;
  /** HRD (VBV) buffer in bits; MediaConvert's default is twice the peak bitrate. */
  hrdBufferSize?: number;
  profile: 'baseline' | 'main' | 'high';
  /** x264 level, e.g. `3.1`; undefined lets the encoder choose (CodecLevel AUTO). */
  level?: string;
  gop: { size: number; units: 'SECONDS' | 'FRAMES' };
  bFrames: number;
  referenceFrames?: number;
  entropy: 'CABAC' | 'CAVLC';
  tuning: 'SINGLE_PASS' | 'SINGLE_PASS_HQ' | 'MULTI_PASS_HQ';
  adaptiveQuantization: 'OFF' | 'AUTO' | 'LOW' | 'MEDIUM' | 'HIGH' | 'HIGHER' | 'MAX';
  /** Output frame rate; undefined follows the source (FramerateControl INITIALIZE_FROM_SOURCE). */
  frameRate?: { numerator: number; denominator: number };
}

export interface VideoSpec {
  /** Output frame size; undefined follows the source's (display) size. */
  width?: number;
  height?: number;
  /** DEFAULT keeps the aspect ratio and letterboxes/pillarboxes; STRETCH_TO_OUTPUT fills the frame. */
  scaling: 'DEFAULT' | 'STRETCH_TO_OUTPUT';
}

export interface AudioSpec {
  /** The input's audio selector this output takes its sound from. */
  selector: string;
  bitrate: number;
  sampleRate: number;
  channels: 1 | 2;
}

export interface HlsOutputSpec {
  nameModifier: string;
  video?: VideoSpec & { codec: H264Spec };
  audio?: AudioSpec;
}

export interface HlsGroupSpec {
  kind: 'hls';
  name: string;
  destination: Destination;
  segmentSeconds: number;
  /**
   * MinFinalSegmentLength: a final segment shorter than this many seconds is joined to the one before it,
   * so a stray last frame does not make a runt segment (0 = keep whatever ffmpeg cut).
   */
  minFinalSegmentSeconds: number;
  integerDurations: boolean;
  codecSpecification: 'RFC_6381' | 'RFC_4281';
  outputs: HlsOutputSpec[];
}

export interface FrameCaptureOutputSpec {
  nameModifier: string;
  video: VideoSpec;
  /** Captures per second, as a fraction. */
  rate: { numerator: number; denominator: number };
  maxCaptures: number;
  /** JPEG quality, 1–100. */
  quality: number;
}

export interface FrameCaptureGroupSpec {
  kind: 'frameCapture';
  name: string;
  destination: Destination;
  outputs: FrameCaptureOutputSpec[];
}

export type GroupSpec = HlsGroupSpec | FrameCaptureGroupSpec;

export interface JobSpec {
  input: S3Location & {
    url: string;
    /** AUTO follows the container's rotation metadata; a number is a fixed clockwise turn. */
    rotate: 'AUTO' | 0 | 90 | 180 | 270;
    /** Audio selectors by name; each takes the input's first audio track (DefaultSelection DEFAULT). */
    audioSelectors: string[];
  };
  groups: GroupSpec[];
}

/** Everything about the job that is not media: queueing and reporting. */
export interface JobOptions {
  role: string;
  priority: number;
  statusUpdateSeconds: number;
  userMetadata: Record<string, string>;
  tags: Record<string, string>;
}

const STATUS_UPDATE_INTERVALS = [
  'SECONDS_10',
  'SECONDS_12',
  'SECONDS_15',
  'SECONDS_20',
  'SECONDS_30',
  'SECONDS_60',
  'SECONDS_120',
  'SECONDS_180',
  'SECONDS_240',
  'SECONDS_300',
  'SECONDS_360',
  'SECONDS_420',
  'SECONDS_480',
  'SECONDS_540',
  'SECONDS_600',
] as const;

/** `s3://bucket/key` → bucket and key. */
export function parseS3Url(url: string, path: string): S3Location {
  const location = parseS3Uri(url);
  if (!location?.key) throw invalidSetting(path, url, 'Should be an s3://bucket/key URL');
  return location;
}

function readInput(input: SettingsReader): JobSpec['input'] {
  const url = input.string('FileInput', { required: true });
  const location = parseS3Url(url, `${input.path}.FileInput`);
  input.choice('TimecodeSource', ['ZEROBASED'] as const);

  let rotate: JobSpec['input']['rotate'] = 0;
  const selector = input.object('VideoSelector');
  if (selector) {
    const value = selector.choice(
      'Rotate',
      ['AUTO', 'DEGREE_0', 'DEGREES_90', 'DEGREES_180', 'DEGREES_270'] as const,
      'DEGREE_0',
    );
    rotate =
      value === 'AUTO'
        ? 'AUTO'
        : ({ DEGREE_0: 0, DEGREES_90: 90, DEGREES_180: 180, DEGREES_270: 270 } as const)[value];
    selector.done();
  }

  const audioSelectors = input.entries('AudioSelectors').map(([name, audio]) => {
    audio.choice('DefaultSelection', ['DEFAULT'] as const, 'DEFAULT');
    audio.done();
    return name;
  });
  input.done();
  return { ...location, url, rotate, audioSelectors };
}

/**
 * Reads a CreateJob request into the job the emulator will run, or throws an ApiError (400) naming the
 * first setting it cannot reproduce.
 */
export function readCreateJob(request: CreateJobRequest): { spec: JobSpec; options: JobOptions } {
  const root = new SettingsReader(request, '');
  const role = root.string('Role', { required: true });
  const priority = root.number('Priority', { min: -50, max: 50 }) ?? 0;
  const interval = root.choice('StatusUpdateInterval', STATUS_UPDATE_INTERVALS, 'SECONDS_60');
  const userMetadata = root.stringMap('UserMetadata') ?? {};
  const tags = root.stringMap('Tags') ?? {};
  root.string('ClientRequestToken');
  const queue = root.string('Queue');
  if (
    queue !== undefined &&
    queue !== 'Default' &&
    !/^arn:aws[a-z-]*:mediaconvert:[^:]*:[^:]*:queues\/Default$/.test(queue)
  ) {
    throw unsupportedSetting('Queue', queue, ['the Default queue']);
  }
  const acceleration = root.object('AccelerationSettings');
  acceleration?.choice('Mode', ['DISABLED'] as const);
  acceleration?.done();

  const settings = root.object('Settings', { required: true }) as SettingsReader;
  const timecode = settings.object('TimecodeConfig');
  timecode?.choice('Source', ['ZEROBASED'] as const);
  timecode?.done();
  const inputs = settings.list('Inputs');
  if (inputs.length !== 1) throw unsupportedSetting('Settings.Inputs', inputs.length, ['exactly one input']);
  const input = readInput(inputs[0] as SettingsReader);

  const groups = settings.list('OutputGroups').map((group): GroupSpec => {
    const name = group.string('Name') ?? '';
    const groupSettings = group.object('OutputGroupSettings', { required: true }) as SettingsReader;
    const type = groupSettings.choice('Type', ['HLS_GROUP_SETTINGS', 'FILE_GROUP_SETTINGS'] as const);
    if (type === 'HLS_GROUP_SETTINGS')
      return readHlsGroup(group, name, groupSettings, input.key, input.audioSelectors);
    if (type === 'FILE_GROUP_SETTINGS') return readFrameCaptureGroup(group, name, groupSettings, input.key);
    throw missingSetting(`${groupSettings.path}.Type`, 'HLS_GROUP_SETTINGS or FILE_GROUP_SETTINGS');
  });
  if (groups.length === 0) throw missingSetting('Settings.OutputGroups', 'at least one output group');
  settings.done();
  root.done();

  return {
    spec: { input, groups },
    options: {
      role,
      priority,
      statusUpdateSeconds: Number(interval.replace('SECONDS_', '')),
      userMetadata,
      tags,
    },
  };
}
