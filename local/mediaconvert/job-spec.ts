/**
 * What a CreateJob request asks for, reduced to what the emulator reproduces: one S3 input, HLS groups of
 * H.264/AAC renditions, and frame-capture groups of JPEGs. Everything else is refused here with a 400 that
 * names the setting, before a job exists. Settings that only an encoder of MediaConvert's own could honour
 * exactly are mapped to their nearest x264/ffmpeg equivalent; each such mapping says so where it is made.
 */
import type { CreateJobRequest } from '@aws-sdk/client-mediaconvert';
import { parseS3Uri } from '#contract/media-layout.ts';
import { invalidSetting, missingSetting, unsupportedSetting } from './errors.ts';
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

const H264_LEVELS = [
  'AUTO',
  'LEVEL_1',
  'LEVEL_1_1',
  'LEVEL_1_2',
  'LEVEL_1_3',
  'LEVEL_2',
  'LEVEL_2_1',
  'LEVEL_2_2',
  'LEVEL_3',
  'LEVEL_3_1',
  'LEVEL_3_2',
  'LEVEL_4',
  'LEVEL_4_1',
  'LEVEL_4_2',
  'LEVEL_5',
  'LEVEL_5_1',
  'LEVEL_5_2',
] as const;

/** `s3://bucket/key` → bucket and key. */
export function parseS3Url(url: string, path: string): S3Location {
  const location = parseS3Uri(url);
  if (!location?.key) throw invalidSetting(path, url, 'Should be an s3://bucket/key URL');
  return location;
}

function destination(url: string, path: string, inputKey: string): Destination {
  const location = parseS3Uri(url);
  if (!location) throw invalidSetting(path, url, 'Should be an s3://bucket/prefix/base URL');
  const rest = location.key;
  const slash = rest.lastIndexOf('/');
  const prefix = rest.slice(0, slash + 1);
  // A destination ending in "/" names no base: MediaConvert then uses the input file's name.
  const inputName = (inputKey.split('/').pop() ?? 'output').replace(/\.[^.]*$/, '');
  return { bucket: location.bucket, prefix, base: rest.slice(slash + 1) || inputName };
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

function readRateControl(h264: SettingsReader): RateControl {
  const mode = h264.choice('RateControlMode', ['QVBR', 'CBR', 'VBR'] as const);
  if (!mode) throw missingSetting(`${h264.path}.RateControlMode`, 'QVBR, CBR or VBR');
  const bitrateLimits = { min: 1000, max: 1_152_000_000 };
  if (mode === 'QVBR') {
    const qvbr = h264.object('QvbrSettings');
    const qualityLevel = qvbr?.number('QvbrQualityLevel', { min: 1, max: 10 }) ?? 7;
    const fineTune = qvbr?.number('QvbrQualityLevelFineTune', { min: 0, max: 1, integer: false }) ?? 0;
    qvbr?.done();
    const maxBitrate = h264.number('MaxBitrate', { ...bitrateLimits, required: true }) as number;
    return { mode, qualityLevel, fineTune, maxBitrate };
  }
  const bitrate = h264.number('Bitrate', { ...bitrateLimits, required: true }) as number;
  if (mode === 'CBR') return { mode, bitrate };
  const maxBitrate = h264.number('MaxBitrate', bitrateLimits) ?? bitrate;
  return { mode, bitrate, maxBitrate };
}

function readH264(h264: SettingsReader): H264Spec {
  const rateControl = readRateControl(h264);
  const hrdBufferSize = h264.number('HrdBufferSize', { min: 0, max: 1_152_000_000 });
  const profile = h264.choice('CodecProfile', ['BASELINE', 'MAIN', 'HIGH'] as const, 'MAIN');
  const level = h264.choice('CodecLevel', H264_LEVELS, 'AUTO');
  const gopSize = h264.number('GopSize', { min: 0, max: 1_000_000_000, integer: false }) ?? 90;
  const gopUnits = h264.choice('GopSizeUnits', ['SECONDS', 'FRAMES'] as const, 'FRAMES');
  if (gopSize <= 0) throw invalidSetting(`${h264.path}.GopSize`, gopSize, 'Should be above 0');
  // Every GOP closed, as x264 makes each keyframe an IDR; MediaConvert's default cadence is 1 as well.
  h264.number('GopClosedCadence', { min: 1, max: 1, only: [1] });
  // Accepted, and emulated as DISABLED: x264 would place scene-cut keyframes differently in each rendition
  // (they depend on the frame size), breaking the segment alignment MediaConvert keeps whatever this says.
  // The GOP and segment structure is the same; only quality around scene changes differs.
  h264.choice('SceneChangeDetect', ['DISABLED', 'ENABLED', 'TRANSITION_DETECTION'] as const);
  const bFrames = h264.number('NumberBFramesBetweenReferenceFrames', { min: 0, max: 7 }) ?? 2;
  if (profile === 'BASELINE' && bFrames > 0 && h264.has('NumberBFramesBetweenReferenceFrames')) {
    throw unsupportedSetting(`${h264.path}.NumberBFramesBetweenReferenceFrames`, bFrames, [
      '0 with the BASELINE profile',
    ]);
  }
  const referenceFrames = h264.number('NumberReferenceFrames', { min: 1, max: 6 });
  const entropy = h264.choice('EntropyEncoding', ['CABAC', 'CAVLC'] as const, 'CABAC');
  const framerateControl = h264.choice(
    'FramerateControl',
    ['INITIALIZE_FROM_SOURCE', 'SPECIFIED'] as const,
    'INITIALIZE_FROM_SOURCE',
  );
  h264.choice('FramerateConversionAlgorithm', ['DUPLICATE_DROP'] as const);
  let frameRate: H264Spec['frameRate'];
  if (framerateControl === 'SPECIFIED') {
    const numerator = h264.number('FramerateNumerator', {
      min: 1,
      max: 2_147_483_647,
      required: true,
    }) as number;
    const denominator = h264.number('FramerateDenominator', {
      min: 1,
      max: 2_147_483_647,
      required: true,
    }) as number;
    frameRate = { numerator, denominator };
  }
  const tuning = h264.choice(
    'QualityTuningLevel',
    ['SINGLE_PASS', 'SINGLE_PASS_HQ', 'MULTI_PASS_HQ'] as const,
    'SINGLE_PASS',
  );
  const adaptiveQuantization = h264.choice(
    'AdaptiveQuantization',
    ['OFF', 'AUTO', 'LOW', 'MEDIUM', 'HIGH', 'HIGHER', 'MAX'] as const,
    'AUTO',
  );
  h264.choice('InterlaceMode', ['PROGRESSIVE'] as const);
  h264.done();
  return {
    rateControl,
    ...(hrdBufferSize ? { hrdBufferSize } : {}),
    profile: profile.toLowerCase() as H264Spec['profile'],
    ...(level === 'AUTO' ? {} : { level: level.replace('LEVEL_', '').replace('_', '.') }),
    gop: { size: gopSize, units: gopUnits },
    bFrames: profile === 'BASELINE' ? 0 : bFrames,
    ...(referenceFrames ? { referenceFrames } : {}),
    entropy: profile === 'BASELINE' ? 'CAVLC' : entropy,
    tuning,
    adaptiveQuantization,
    ...(frameRate ? { frameRate } : {}),
  };
}

function readFrameSize(description: SettingsReader): VideoSpec {
  const width = description.number('Width', { min: 32, max: 8192 });
  const height = description.number('Height', { min: 32, max: 8192 });
  for (const [name, side] of [
    ['Width', width],
    ['Height', height],
  ] as const) {
    // AWS refuses odd sizes at CreateJob ("Should be a multiple of 2").
    if (side !== undefined && side % 2 !== 0)
      throw invalidSetting(`${description.path}.${name}`, side, 'Should be a multiple of 2');
  }
  const scaling = description.choice('ScalingBehavior', ['DEFAULT', 'STRETCH_TO_OUTPUT'] as const, 'DEFAULT');
  // 50 is MediaConvert's default sharpness; any other value changes the scaler's output in ways x264/swscale
  // would not reproduce.
  description.number('Sharpness', { min: 0, max: 100, only: [50] });
  return { ...(width ? { width } : {}), ...(height ? { height } : {}), scaling };
}

function readAudio(audio: SettingsReader, selectors: string[]): AudioSpec {
  const selector = audio.string('AudioSourceName') ?? selectors[0];
  if (!selector || !selectors.includes(selector)) {
    throw unsupportedSetting(
      `${audio.path}.AudioSourceName`,
      selector ?? null,
      selectors.length > 0 ? selectors : ['the name of one of Inputs[0].AudioSelectors (there are none)'],
    );
  }
  const codec = audio.object('CodecSettings', { required: true }) as SettingsReader;
  codec.choice('Codec', ['AAC'] as const);
  if (!codec.has('Codec')) throw missingSetting(`${codec.path}.Codec`, 'AAC');
  const aac = codec.object('AacSettings', { required: true }) as SettingsReader;
  const bitrate = aac.number('Bitrate', { min: 6000, max: 1_024_000 }) ?? 96_000;
  const sampleRate =
    aac.number('SampleRate', {
      min: 8000,
      max: 96_000,
      only: [8000, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000],
    }) ?? 48_000;
  const codingMode = aac.choice(
    'CodingMode',
    ['CODING_MODE_1_0', 'CODING_MODE_2_0'] as const,
    'CODING_MODE_2_0',
  );
  aac.choice('CodecProfile', ['LC'] as const);
  aac.choice('RateControlMode', ['CBR'] as const);
  aac.choice('Specification', ['MPEG4'] as const);
  aac.choice('RawFormat', ['NONE'] as const);
  aac.done();
  codec.done();
  audio.done();
  return { selector, bitrate, sampleRate, channels: codingMode === 'CODING_MODE_1_0' ? 1 : 2 };
}

function readHlsGroup(
  group: SettingsReader,
  name: string,
  settings: SettingsReader,
  inputKey: string,
  selectors: string[],
): HlsGroupSpec {
  const hls = settings.object('HlsGroupSettings', { required: true }) as SettingsReader;
  const dest = destination(
    hls.string('Destination', { required: true }),
    `${hls.path}.Destination`,
    inputKey,
  );
  const segmentSeconds = hls.number('SegmentLength', { min: 1, max: 2_147_483_647 }) ?? 10;
  hls.number('MinSegmentLength', { min: 0, max: 0, only: [0] });
  hls.choice('SegmentControl', ['SEGMENTED_FILES'] as const);
  hls.choice('SegmentLengthControl', ['EXACT', 'GOP_MULTIPLE'] as const);
  const durationFormat = hls.choice(
    'ManifestDurationFormat',
    ['FLOATING_POINT', 'INTEGER'] as const,
    'FLOATING_POINT',
  );
  hls.choice('OutputSelection', ['MANIFESTS_AND_SEGMENTS'] as const);
  hls.choice('DirectoryStructure', ['SINGLE_DIRECTORY'] as const);
  const codecSpecification = hls.choice('CodecSpecification', ['RFC_6381', 'RFC_4281'] as const, 'RFC_4281');
  hls.choice('ClientCache', ['ENABLED'] as const);
  hls.choice('ProgramDateTime', ['EXCLUDE'] as const);
  hls.choice('StreamInfResolution', ['INCLUDE'] as const);
  hls.choice('ManifestCompression', ['NONE'] as const);
  hls.done();
  settings.done();

  const outputs = group.list('Outputs').map((output): HlsOutputSpec => {
    const container = output.object('ContainerSettings');
    container?.choice('Container', ['M3U8'] as const);
    // An empty M3u8Settings is MediaConvert's defaults (PMT PID 480, video PID 481, audio PID 482).
    container?.object('M3u8Settings')?.done();
    container?.done();
    const outputSettings = output.object('OutputSettings');
    outputSettings?.object('HlsSettings')?.done();
    outputSettings?.done();
    const nameModifier = output.string('NameModifier') ?? '';
    // Without one, the output's playlist would be the group's multivariant playlist, `<base>.m3u8`.
    if (!nameModifier)
      throw missingSetting(`${output.path}.NameModifier`, 'a name modifier for each HLS output');

    const description = output.object('VideoDescription');
    let video: HlsOutputSpec['video'];
    if (description) {
      const frame = readFrameSize(description);
      const codec = description.object('CodecSettings', { required: true }) as SettingsReader;
      const kind = codec.choice('Codec', ['H_264'] as const);
      if (!kind) throw missingSetting(`${codec.path}.Codec`, 'H_264');
      const h264 = readH264(codec.object('H264Settings', { required: true }) as SettingsReader);
      codec.done();
      description.done();
      video = { ...frame, codec: h264 };
    }
    const audios = output.list('AudioDescriptions');
    if (audios.length > 1)
      throw unsupportedSetting(`${output.path}.AudioDescriptions`, audios.length, [
        'one audio description per output',
      ]);
    const audio = audios[0] ? readAudio(audios[0], selectors) : undefined;
    output.done();
    if (!video && !audio) throw missingSetting(output.path, 'a VideoDescription, AudioDescriptions or both');
    return { nameModifier, ...(video ? { video } : {}), ...(audio ? { audio } : {}) };
  });
  if (outputs.length === 0) throw missingSetting(`${group.path}.Outputs`, 'at least one output');
  for (const output of outputs) {
    const gop = output.video?.codec.gop;
    // Segments must start on keyframes; MediaConvert (SegmentLengthControl EXACT) would add keyframes at
    // segment boundaries, the emulator only places them on the GOP grid. Frame-counted GOPs are checked
    // when the frame rate is known.
    if (
      gop?.units === 'SECONDS' &&
      Math.abs(segmentSeconds / gop.size - Math.round(segmentSeconds / gop.size)) > 1e-9
    ) {
      throw unsupportedSetting(`${hls.path}.SegmentLength`, segmentSeconds, [
        `a whole number of GOPs (GopSize is ${gop.size} s)`,
      ]);
    }
  }
  const names = outputs.map((o) => o.nameModifier);
  if (new Set(names).size !== names.length) {
    throw unsupportedSetting(`${group.path}.Outputs`, names.join(','), [
      'a different NameModifier for each output',
    ]);
  }
  group.done();
  return {
    kind: 'hls',
    name,
    destination: dest,
    segmentSeconds,
    integerDurations: durationFormat === 'INTEGER',
    codecSpecification,
    outputs,
  };
}

function readFrameCaptureGroup(
  group: SettingsReader,
  name: string,
  settings: SettingsReader,
  inputKey: string,
): FrameCaptureGroupSpec {
  const file = settings.object('FileGroupSettings', { required: true }) as SettingsReader;
  const dest = destination(
    file.string('Destination', { required: true }),
    `${file.path}.Destination`,
    inputKey,
  );
  file.done();
  settings.done();
  const outputs = group.list('Outputs').map((output): FrameCaptureOutputSpec => {
    const container = output.object('ContainerSettings', { required: true }) as SettingsReader;
    const kind = container.choice('Container', ['RAW'] as const);
    if (!kind) throw missingSetting(`${container.path}.Container`, 'RAW (frame capture)');
    container.done();
    const nameModifier = output.string('NameModifier') ?? '';
    output.choice('Extension', ['jpg'] as const);
    const description = output.object('VideoDescription', { required: true }) as SettingsReader;
    const video = readFrameSize(description);
    const codec = description.object('CodecSettings', { required: true }) as SettingsReader;
    codec.choice('Codec', ['FRAME_CAPTURE'] as const);
    if (!codec.has('Codec')) throw missingSetting(`${codec.path}.Codec`, 'FRAME_CAPTURE');
    const capture =
      codec.object('FrameCaptureSettings') ?? new SettingsReader({}, `${codec.path}.FrameCaptureSettings`);
    const numerator = capture.number('FramerateNumerator', { min: 1, max: 2_147_483_647 }) ?? 30;
    const denominator = capture.number('FramerateDenominator', { min: 1, max: 2_147_483_647 }) ?? 1;
    const maxCaptures = capture.number('MaxCaptures', { min: 1, max: 10_000_000 }) ?? 10_000_000;
    const quality = capture.number('Quality', { min: 1, max: 100 }) ?? 80;
    capture.done();
    codec.done();
    description.done();
    output.done();
    return { nameModifier, video, rate: { numerator, denominator }, maxCaptures, quality };
  });
  if (outputs.length === 0) throw missingSetting(`${group.path}.Outputs`, 'at least one output');
  const names = outputs.map((o) => o.nameModifier);
  if (new Set(names).size !== names.length) {
    throw unsupportedSetting(`${group.path}.Outputs`, names.join(','), [
      'a different NameModifier for each output',
    ]);
  }
  group.done();
  return { kind: 'frameCapture', name, destination: dest, outputs };
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
