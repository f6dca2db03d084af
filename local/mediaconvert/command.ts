/**
 * Turns a job into ffmpeg arguments. Every output is a "branch": the video filters it needs after the
 * shared decode, its encoder settings and its muxer. The emulator runs all branches in ONE ffmpeg process
 * (one decode, `split` into every branch); the benchmark can run each branch as its own process with the
 * very same settings, which is the naive baseline.
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
 * - ScalingBehavior DEFAULT keeps the picture's aspect ratio and pads (letterbox/pillarbox) to the frame size.
 */
import { join } from 'node:path';
import { mediaConvertNames } from '#contract/media-layout.ts';
import type {
  Destination,
  FrameCaptureOutputSpec,
  H264Spec,
  HlsGroupSpec,
  HlsOutputSpec,
  JobSpec,
  VideoSpec,
} from './job-spec.ts';
import type { Fraction, MediaInfo } from './media-info.ts';

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

export interface EncoderOptions {
  /** x264 preset for QualityTuningLevel SINGLE_PASS_HQ; SINGLE_PASS uses the next faster one. */
  x264Preset: X264Preset;
  /** Threads per x264 encoder; undefined lets x264 choose (about 1.5 per core). */
  x264Threads?: number;
}

/** What one output writes, relative to the job's output folder. */
export type PlannedOutput =
  | {
      kind: 'hls-video' | 'hls-audio';
      group: number;
      output: number;
      folder: string;
      destination: Destination;
      /** `<base><NameModifier>`: the playlist is `<name>.m3u8`, segments `<name>_00001.ts` (or `.aac`). */
      name: string;
      width?: number;
      height?: number;
      frameRate?: Fraction;
      hasAudio: boolean;
    }
  | {
      kind: 'capture';
      group: number;
      output: number;
      folder: string;
      destination: Destination;
      /** Captures are `<name>.0000000.jpg`, `<name>.0000001.jpg`, … */
      name: string;
      width: number;
      height: number;
    };

export interface Branch {
  output: PlannedOutput;
  /** Video filters after the shared decode (and rotation), or undefined for an audio-only output. */
  videoFilters?: string;
  /** Maps the input's first audio stream. */
  audio: boolean;
  /** Encoder and muxer arguments, ending with the output path. */
  args: string[];
}

export interface TranscodePlan {
  /** Arguments before `-i` (rotation handling). */
  inputArgs: string[];
  /** Filters every video branch shares, right after decoding. */
  sharedVideoFilters?: string;
  branches: Branch[];
  /** The output frame rate every video branch has unless its own settings say otherwise. */
  frameRate?: Fraction;
}

/** A job whose settings cannot be reproduced for this particular input (MediaConvert's 1040). */
export class IncompatibleSettingsError extends Error {
  override name = 'IncompatibleSettingsError';
}

const STANDARD_RATES: Fraction[] = [
  { numerator: 24000, denominator: 1001 },
  { numerator: 24, denominator: 1 },
  { numerator: 25, denominator: 1 },
  { numerator: 30000, denominator: 1001 },
  { numerator: 30, denominator: 1 },
  { numerator: 48, denominator: 1 },
  { numerator: 50, denominator: 1 },
  { numerator: 60000, denominator: 1001 },
  { numerator: 60, denominator: 1 },
];

const rate = (fraction: Fraction) => fraction.numerator / fraction.denominator;

/**
 * The source's frame rate as an output rate: phones record variable frame rates whose average is an odd
 * fraction (e.g. 1829000/61023); within 1 % of a standard rate, the standard rate is what MediaConvert's
 * "follow source" produces too.
 */
function followSourceRate(source: Fraction): Fraction {
  const distance = (standard: Fraction) => Math.abs(rate(standard) / rate(source) - 1);
  const nearest = [...STANDARD_RATES].sort((a, b) => distance(a) - distance(b))[0] as Fraction;
  return distance(nearest) < 0.01 ? nearest : source;
}

/** Display size after the rotation the job asks for. */
export function displaySize(
  source: NonNullable<MediaInfo['video']>,
  rotate: JobSpec['input']['rotate'],
): { width: number; height: number } {
  const turn = rotate === 'AUTO' ? source.rotation : rotate;
  return turn === 90 || turn === 270
    ? { width: source.codedHeight, height: source.codedWidth }
    : { width: source.codedWidth, height: source.codedHeight };
}

const even = (value: number) => Math.max(2, Math.round(value / 2) * 2);

/** The output frame size: as the job says, or following the source, or one side following its aspect. */
function frameSize(video: VideoSpec, source: { width: number; height: number }) {
  if (video.width && video.height) return { width: video.width, height: video.height };
  if (video.width) return { width: video.width, height: even((video.width * source.height) / source.width) };
  if (video.height)
    return { width: even((video.height * source.width) / source.height), height: video.height };
  return { width: even(source.width), height: even(source.height) };
}

/** Scale (and pad, when the aspect ratio differs) to exactly width × height. */
function scaleFilters(
  video: VideoSpec,
  target: { width: number; height: number },
  source: { width: number; height: number },
): string[] {
  if (video.scaling === 'STRETCH_TO_OUTPUT') return [`scale=${target.width}:${target.height}`, 'setsar=1'];
  const fit = Math.min(target.width / source.width, target.height / source.height);
  const width = Math.min(target.width, even(source.width * fit));
  const height = Math.min(target.height, even(source.height * fit));
  const filters = [`scale=${width}:${height}`];
  if (width !== target.width || height !== target.height) {
    filters.push(`pad=${target.width}:${target.height}:(ow-iw)/2:(oh-ih)/2:black`);
  }
  filters.push('setsar=1');
  return filters;
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

function h264Args(codec: H264Spec, frameRate: Fraction, options: EncoderOptions): string[] {
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

function audioArgs(audio: NonNullable<HlsOutputSpec['audio']>): string[] {
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

function hlsBranch(
  group: HlsGroupSpec,
  groupIndex: number,
  outputIndex: number,
  output: HlsOutputSpec,
  source: MediaInfo,
  spec: JobSpec,
  sharedRate: Fraction | undefined,
  options: EncoderOptions,
): Branch {
  const folder = `g${groupIndex}`;
  const name = `${group.destination.base}${output.nameModifier}`;
  const audio = output.audio;
  if (!output.video) {
    if (!audio) throw new Error('An output without video must have audio');
    // Audio-only HLS output: MediaConvert's default (AudioOnlyContainer AUTOMATIC) is packed audio, raw AAC
    // segments. The segment muxer cuts them; the playlist and the ID3 timestamps are added after encoding.
    return {
      output: {
        kind: 'hls-audio',
        group: groupIndex,
        output: outputIndex,
        folder,
        destination: group.destination,
        name,
        hasAudio: true,
      },
      audio: true,
      args: [
        ...audioArgs(audio),
        '-f',
        'segment',
        '-segment_time',
        String(group.segmentSeconds),
        '-segment_format',
        'adts',
        '-segment_list',
        join(folder, `${name}.segments.csv`),
        '-segment_list_type',
        'csv',
        '-segment_start_number',
        '1',
        join(folder, mediaConvertNames.segmentPattern(name, 'aac')),
      ],
    };
  }
  const video = source.video;
  if (!video || !sharedRate) throw new Error('A video output needs a video input');
  const display = displaySize(video, spec.input.rotate);
  const target = frameSize(output.video, display);
  const codec = output.video.codec;
  const frameRate = codec.frameRate ?? sharedRate;
  if (codec.gop.units === 'FRAMES') {
    const gopSeconds = codec.gop.size / rate(frameRate);
    const gops = group.segmentSeconds / gopSeconds;
    if (Math.abs(gops - Math.round(gops)) > 1e-6) {
      throw new IncompatibleSettingsError(
        `Video description [${outputIndex + 1}] of output group [${groupIndex + 1}]: a GOP of ${codec.gop.size} frames at ${rate(frameRate).toFixed(3)} fps does not divide the segment length of ${group.segmentSeconds} s, so segments could not start on keyframes.`,
      );
    }
  }
  const filters = [
    ...(codec.frameRate ? [`fps=${codec.frameRate.numerator}/${codec.frameRate.denominator}`] : []),
    ...scaleFilters(output.video, target, display),
  ];
  const muxer = [
    '-f',
    'hls',
    '-hls_time',
    String(group.segmentSeconds),
    '-hls_list_size',
    '0',
    '-hls_playlist_type',
    'vod',
    '-start_number',
    '1',
    '-hls_segment_type',
    'mpegts',
    // MediaConvert's transport stream defaults: PMT on PID 480, video on 481, audio on 482.
    '-hls_segment_options',
    'mpegts_pmt_start_pid=480:mpegts_start_pid=481',
    ...(group.integerDurations ? ['-hls_flags', 'round_durations'] : []),
    '-hls_segment_filename',
    join(folder, mediaConvertNames.segmentPattern(name, 'ts')),
    join(folder, mediaConvertNames.playlist(name)),
  ];
  return {
    output: {
      kind: 'hls-video',
      group: groupIndex,
      output: outputIndex,
      folder,
      destination: group.destination,
      name,
      width: target.width,
      height: target.height,
      frameRate,
      hasAudio: !!audio,
    },
    videoFilters: filters.join(','),
    audio: !!audio,
    args: [...h264Args(codec, frameRate, options), ...(audio ? audioArgs(audio) : []), ...muxer],
  };
}

/** MediaConvert's JPEG quality (1–100) on ffmpeg's MJPEG scale (2 best … 31 worst). */
function jpegQscale(quality: number): number {
  return Math.round(2 + ((100 - quality) * 29) / 99);
}

function captureBranch(
  destination: Destination,
  groupIndex: number,
  outputIndex: number,
  output: FrameCaptureOutputSpec,
  source: MediaInfo,
  spec: JobSpec,
): Branch {
  const video = source.video;
  if (!video) throw new Error('A frame capture needs a video input');
  const display = displaySize(video, spec.input.rotate);
  const target = frameSize(output.video, display);
  const folder = `g${groupIndex}`;
  const name = `${destination.base}${output.nameModifier}`;
  return {
    output: {
      kind: 'capture',
      group: groupIndex,
      output: outputIndex,
      folder,
      destination,
      name,
      width: target.width,
      height: target.height,
    },
    // Pick the frames first, so only captured frames are scaled.
    videoFilters: [
      `fps=${output.rate.numerator}/${output.rate.denominator}`,
      ...scaleFilters(output.video, target, display),
      'format=yuvj420p',
    ].join(','),
    audio: false,
    args: [
      '-frames:v',
      String(output.maxCaptures),
      '-c:v',
      'mjpeg',
      '-q:v',
      String(jpegQscale(output.quality)),
      '-f',
      'image2',
      '-start_number',
      '0',
      join(folder, mediaConvertNames.capturePattern(name)),
    ],
  };
}

/** Plans the job for this input: one branch per output, and what every video branch shares. */
export function planTranscode(spec: JobSpec, source: MediaInfo, options: EncoderOptions): TranscodePlan {
  const video = source.video;
  const sharedRate = video ? followSourceRate(video.frameRate) : undefined;
  const branches: Branch[] = [];
  spec.groups.forEach((group, groupIndex) => {
    group.outputs.forEach((output, outputIndex) => {
      branches.push(
        group.kind === 'hls'
          ? hlsBranch(
              group,
              groupIndex,
              outputIndex,
              output as HlsOutputSpec,
              source,
              spec,
              sharedRate,
              options,
            )
          : captureBranch(
              group.destination,
              groupIndex,
              outputIndex,
              output as FrameCaptureOutputSpec,
              source,
              spec,
            ),
      );
    });
  });

  // AUTO lets ffmpeg apply the container's rotation (it inserts the transpose itself); a fixed turn is ours.
  const inputArgs = spec.input.rotate === 'AUTO' ? [] : ['-noautorotate'];
  const shared: string[] = [];
  if (spec.input.rotate === 90) shared.push('transpose=clock');
  if (spec.input.rotate === 180) shared.push('hflip', 'vflip');
  if (spec.input.rotate === 270) shared.push('transpose=cclock');
  // Constant frame rate from here on (phones record variable rates): GOPs in frames then mean seconds.
  if (sharedRate) shared.push(`fps=${sharedRate.numerator}/${sharedRate.denominator}`);
  return {
    inputArgs,
    ...(shared.length > 0 ? { sharedVideoFilters: shared.join(',') } : {}),
    branches,
    ...(sharedRate ? { frameRate: sharedRate } : {}),
  };
}

/** Arguments ffmpeg needs to report progress on stdout and keep quiet otherwise. */
const COMMON_ARGS = ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-nostats', '-progress', 'pipe:1'];

function filterGraph(
  plan: TranscodePlan,
  branches: Branch[],
): { graph?: string; labels: Map<Branch, string> } {
  const videoBranches = branches.filter((branch) => branch.videoFilters !== undefined);
  const labels = new Map<Branch, string>();
  if (videoBranches.length === 0) return { labels };
  const parts: string[] = [];
  const head = plan.sharedVideoFilters ? `[0:v]${plan.sharedVideoFilters}` : '[0:v]null';
  if (videoBranches.length === 1) {
    const branch = videoBranches[0] as Branch;
    parts.push(`${head},${branch.videoFilters}[out0]`);
    labels.set(branch, '[out0]');
  } else {
    parts.push(`${head},split=${videoBranches.length}${videoBranches.map((_, i) => `[in${i}]`).join('')}`);
    videoBranches.forEach((branch, i) => {
      parts.push(`[in${i}]${branch.videoFilters}[out${i}]`);
      labels.set(branch, `[out${i}]`);
    });
  }
  return { graph: parts.join(';'), labels };
}

function command(plan: TranscodePlan, branches: Branch[], input: string): string[] {
  const { graph, labels } = filterGraph(plan, branches);
  const args = [...COMMON_ARGS, ...plan.inputArgs, '-i', input];
  if (graph) args.push('-filter_complex', graph);
  for (const branch of branches) {
    const label = labels.get(branch);
    if (label) args.push('-map', label);
    if (branch.audio) args.push('-map', '0:a:0');
    args.push(...branch.args);
  }
  return args;
}

/** One ffmpeg process for the whole job: one decode, every output. Run it in the job's output folder. */
export function oneProcessCommand(plan: TranscodePlan, input: string): string[] {
  return command(plan, plan.branches, input);
}

/** One ffmpeg process for one output, with the same settings: the naive way, for comparison. */
export function singleBranchCommand(plan: TranscodePlan, branch: Branch, input: string): string[] {
  return command(plan, [branch], input);
}
