/**
 * Reads the encoding settings of one output in a CreateJob request: H.264 video (rate control, GOPs,
 * profile and level, frame rate), its frame size and scaling, and AAC sound. A setting the emulator
 * cannot reproduce is refused with a 400 that names it.
 */
import { invalidSetting, missingSetting, unsupportedSetting } from './errors.ts';
import type { AudioSpec, H264Spec, RateControl, VideoSpec } from './job-spec.ts';
import type { SettingsReader } from './settings-reader.ts';

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

/** An output's `H264Settings`. */
export function readH264(h264: SettingsReader): H264Spec {
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

/** The frame size and scaling of an output's `VideoDescription`. */
export function readFrameSize(description: SettingsReader): VideoSpec {
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

/** One of an output's `AudioDescriptions`, whose sound comes from one of the input's `selectors`. */
export function readAudio(audio: SettingsReader, selectors: string[]): AudioSpec {
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
