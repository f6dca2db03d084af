/**
 * The encoder arguments of one output: x264 for H.264 video, ffmpeg's AAC encoder for sound, MJPEG for
 * frame captures.
 *
 * How MediaConvert settings become x264/ffmpeg settings, where the two differ:
 * - QVBR quality level q (1–10) → x264 CRF 37 − 2·q (7 → 23, x264's own default; 8 → 21; 9 → 19), capped by
 *   MaxBitrate as `-maxrate` with a VBV buffer of HrdBufferSize, else twice MaxBitrate. CRF is x264's
 *   constant-quality mode, the nearest thing it has to QVBR; the numbers are a judgement, not AWS's.
 * - GOPs: keyframes forced every GopSize (seconds or frames) and nowhere else (scene cut off), every GOP
 *   closed: every rendition has its keyframes at the same times, so HLS segments align across renditions.
 * - QualityTuningLevel picks the x264 preset around a base (`EncoderOptions.x264Preset`, `superfast` by
 *   default): SINGLE_PASS one step faster, SINGLE_PASS_HQ the base, MULTI_PASS_HQ one step slower (still one
 *   pass). Presets change how hard x264 works for its bits, not the stream's structure: profile, level,
 *   B-frames, CABAC, deblocking, AQ, GOPs and bitrate caps are set explicitly. `superfast` is the base because
 *   a four-rung 1080p ladder then runs faster than realtime on two cores (bench/transcoder.ts); at the same
 *   CRF it spends more bits than slower presets, within the same MaxBitrate caps.
 */
import { rate } from './frame-format.ts';
import type { AudioSpec, H264Spec } from './job-spec.ts';
import type { Fraction } from './media-info.ts';

/** x264's presets, fastest first. */
export const X264_PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
] as const;
export type X264Preset = (typeof X264_PRESETS)[number];

/** How hard the emulator's encoders work: the same for every job, set when the emulator starts. */
export interface EncoderOptions {
  /** x264 preset for QualityTuningLevel SINGLE_PASS_HQ; SINGLE_PASS uses the next faster one. */
  x264Preset: X264Preset;
  /** Threads per x264 encoder; undefined lets x264 choose (about 1.5 per core). */
  x264Threads?: number;
}

function x264Preset(options: EncoderOptions, tuning: H264Spec['tuning']): X264Preset {
  const base = X264_PRESETS.indexOf(options.x264Preset);
  const step = tuning === 'SINGLE_PASS' ? -1 : tuning === 'MULTI_PASS_HQ' ? 1 : 0;
  return X264_PRESETS[Math.min(X264_PRESETS.length - 1, Math.max(0, base + step))] as X264Preset;
}

const AQ_STRENGTH: Record<Exclude<H264Spec['adaptiveQuantization'], 'OFF'>, number> = {
  LOW: 0.6,
  MEDIUM: 1.0,
  AUTO: 1.0,
  HIGH: 1.3,
  HIGHER: 1.5,
  MAX: 1.8,
};

/** x264 constant-rate factor for a QVBR quality level (see the module comment). */
function crfForQuality(qualityLevel: number, fineTune = 0): number {
  return Math.round((37 - 2 * (qualityLevel + fineTune)) * 100) / 100;
}

/** x264 arguments for an H.264 output at the given (constant) frame rate. */
export function h264Args(codec: H264Spec, frameRate: Fraction, options: EncoderOptions): string[] {
  const args = ['-c:v', 'libx264', '-preset', x264Preset(options, codec.tuning), '-profile:v', codec.profile];
  if (codec.level) args.push('-level:v', codec.level);
  args.push('-pix_fmt', 'yuv420p');
  const rc = codec.rateControl;
  const peak = rc.mode === 'CBR' ? rc.bitrate : rc.maxBitrate;
  const buffer = codec.hrdBufferSize ?? 2 * peak;
  if (rc.mode === 'QVBR') args.push('-crf', String(crfForQuality(rc.qualityLevel, rc.fineTune)));
  else args.push('-b:v', String(rc.bitrate));
  args.push('-maxrate', String(peak), '-bufsize', String(buffer));

  const fps = rate(frameRate);
  const gopFrames = codec.gop.units === 'SECONDS' ? codec.gop.size * fps : codec.gop.size;
  const forceKeyFrames =
    codec.gop.units === 'SECONDS'
      ? `expr:gte(t,n_forced*${codec.gop.size})`
      : `expr:gte(n,n_forced*${codec.gop.size})`;
  // Keyframes only where forced: x264's own limit sits well beyond the GOP, and scene cut is off.
  const params = [
    `keyint=${Math.ceil(gopFrames) * 2}`,
    `min-keyint=${Math.max(1, Math.floor(gopFrames))}`,
    'scenecut=0',
  ];
  if (rc.mode === 'CBR') params.push('nal-hrd=cbr');
  if (codec.adaptiveQuantization === 'OFF') params.push('aq-mode=0');
  else params.push('aq-mode=1', `aq-strength=${AQ_STRENGTH[codec.adaptiveQuantization]}`);
  // Stream features the job fixes are set explicitly, so no preset (ultrafast drops CABAC and the deblocking
  // filter) changes what kind of H.264 comes out; presets only trade encoding effort for bits.
  params.push(`cabac=${codec.entropy === 'CABAC' ? 1 : 0}`, 'deblock=0,0');
  if (codec.referenceFrames) params.push(`ref=${codec.referenceFrames}`);
  args.push(
    '-force_key_frames',
    forceKeyFrames,
    '-bf',
    String(codec.bFrames),
    '-x264-params',
    params.join(':'),
  );
  if (options.x264Threads) args.push('-threads:v', String(options.x264Threads));
  return args;
}

/** AAC encoder arguments for an output's sound. */
export function audioArgs(audio: AudioSpec): string[] {
  return [
    '-c:a',
    'aac',
    '-b:a',
    String(audio.bitrate),
    '-ar',
    String(audio.sampleRate),
    '-ac',
    String(audio.channels),
  ];
}

/** MediaConvert's JPEG quality (1–100) on ffmpeg's MJPEG scale (2 best … 31 worst). */
export function jpegQscale(quality: number): number {
  return Math.round(2 + ((100 - quality) * 29) / 99);
}
