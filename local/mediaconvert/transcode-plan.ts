/**
 * Plans a job for one particular input: every output becomes a "branch", the video filters it needs after
 * the shared decode, its encoder settings and its muxer, and what it will write. Settings this input makes
 * impossible to honour (a GOP that does not divide the segment length at the source's frame rate) fail
 * here, before ffmpeg starts. command.ts turns the plan into ffmpeg command lines.
 */
import { join } from 'node:path';
import { mediaConvertNames } from '#contract/media-layout.ts';
import { audioArgs, type EncoderOptions, h264Args, jpegQscale } from './encoder-settings.ts';
import { displaySize, followSourceRate, frameSize, rate, scaleFilters } from './frame-format.ts';
import type {
  Destination,
  FrameCaptureOutputSpec,
  HlsGroupSpec,
  HlsOutputSpec,
  JobSpec,
} from './job-spec.ts';
import type { Fraction, MediaInfo } from './media-info.ts';

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
    // Pick the frames first, so only captured frames are scaled. MediaConvert captures the first frame and one
    // per interval after it, also of a clip shorter than the interval; ffmpeg's fps filter keeps a frame it
    // is still holding at the end of the input only with eof_action=pass (else a 1 s clip gets none).
    videoFilters: [
      `fps=${output.rate.numerator}/${output.rate.denominator}:eof_action=pass`,
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
