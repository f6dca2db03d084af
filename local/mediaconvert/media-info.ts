/**
 * What ffprobe says about a media file, in the terms the emulator needs: container, duration, the first
 * video stream (coded size, clockwise display rotation, frame rate) and the first audio stream. Both the
 * Probe API and a job's PROBING phase read files through here.
 */
import { execFile } from 'node:child_process';

export interface FfprobeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  bit_rate?: string;
  bits_per_raw_sample?: string;
  bits_per_sample?: number;
  duration?: string;
  channels?: number;
  channel_layout?: string;
  sample_rate?: string;
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
  disposition?: { attached_pic?: number };
}

export interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: {
    format_name?: string;
    duration?: string;
    bit_rate?: string;
    size?: string;
    tags?: Record<string, string>;
  };
}

export interface Fraction {
  numerator: number;
  denominator: number;
}

export interface VideoStreamInfo {
  index: number;
  codec: string;
  /** Frame size as coded, before rotation. */
  codedWidth: number;
  codedHeight: number;
  /** Clockwise display rotation from the container (0 when there is none). */
  rotation: 0 | 90 | 180 | 270;
  frameRate: Fraction;
  bitRate?: number;
  bitDepth?: number;
  durationSeconds?: number;
}

export interface AudioStreamInfo {
  index: number;
  codec: string;
  channels: number;
  sampleRate: number;
  bitRate?: number;
  bitDepth?: number;
  durationSeconds?: number;
  language?: string;
}

export interface MediaInfo {
  formatName: string;
  durationSeconds: number;
  bitRate?: number;
  /** The first video stream that is a picture sequence (cover art is not video). */
  video?: VideoStreamInfo;
  audio?: AudioStreamInfo;
  raw: FfprobeOutput;
}

/** ffprobe refused the file: its last words, for the job's error message. */
export class ProbeFailedError extends Error {
  override name = 'ProbeFailedError';
  constructor(readonly stderr: string) {
    super(stderr.trim().split('\n').pop() || 'ffprobe could not read the file');
  }
}

function parseFraction(value: string | undefined): Fraction | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(value ?? '');
  if (!match) return undefined;
  const numerator = Number(match[1]);
  const denominator = Number(match[2]);
  return numerator > 0 && denominator > 0 ? { numerator, denominator } : undefined;
}

const toNumber = (value: string | number | undefined) => {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) ? n : undefined;
};

/**
 * Clockwise rotation from the stream's display matrix. ffmpeg reports the matrix's angle counterclockwise
 * (a phone's portrait recording reads -90), MediaConvert's Probe clockwise (90).
 */
export function clockwiseRotation(stream: FfprobeStream): 0 | 90 | 180 | 270 {
  const matrix = stream.side_data_list?.find((data) => data.side_data_type === 'Display Matrix');
  const counterclockwise = matrix?.rotation ?? 0;
  const clockwise = (((-Math.round(counterclockwise / 90) * 90) % 360) + 360) % 360;
  return clockwise as 0 | 90 | 180 | 270;
}

function mediaInfoFrom(raw: FfprobeOutput): MediaInfo {
  const streams = raw.streams ?? [];
  const videoStream = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audioStream = streams.find((s) => s.codec_type === 'audio');
  const info: MediaInfo = {
    formatName: raw.format?.format_name ?? '',
    durationSeconds: toNumber(raw.format?.duration) ?? toNumber(videoStream?.duration) ?? 0,
    ...(toNumber(raw.format?.bit_rate) ? { bitRate: toNumber(raw.format?.bit_rate) } : {}),
    raw,
  };
  if (videoStream?.width && videoStream.height) {
    const frameRate = parseFraction(videoStream.avg_frame_rate) ??
      parseFraction(videoStream.r_frame_rate) ?? { numerator: 30, denominator: 1 };
    info.video = {
      index: videoStream.index,
      codec: videoStream.codec_name ?? 'unknown',
      codedWidth: videoStream.width,
      codedHeight: videoStream.height,
      rotation: clockwiseRotation(videoStream),
      frameRate,
      ...(toNumber(videoStream.bit_rate) ? { bitRate: toNumber(videoStream.bit_rate) } : {}),
      ...(toNumber(videoStream.bits_per_raw_sample)
        ? { bitDepth: toNumber(videoStream.bits_per_raw_sample) }
        : {}),
      ...(toNumber(videoStream.duration) ? { durationSeconds: toNumber(videoStream.duration) } : {}),
    };
  }
  if (audioStream) {
    const language = audioStream.tags?.language;
    info.audio = {
      index: audioStream.index,
      codec: audioStream.codec_name ?? 'unknown',
      channels: audioStream.channels ?? 0,
      sampleRate: toNumber(audioStream.sample_rate) ?? 0,
      ...(toNumber(audioStream.bit_rate) ? { bitRate: toNumber(audioStream.bit_rate) } : {}),
      ...(audioStream.bits_per_sample ? { bitDepth: audioStream.bits_per_sample } : {}),
      ...(toNumber(audioStream.duration) ? { durationSeconds: toNumber(audioStream.duration) } : {}),
      ...(language && language !== 'und' ? { language } : {}),
    };
  }
  return info;
}

/** Runs ffprobe on a file path or URL. */
export function probeMedia(source: string, options: { signal?: AbortSignal } = {}): Promise<MediaInfo> {
  return new Promise((resolveInfo, reject) => {
    execFile(
      'ffprobe',
      ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', source],
      { maxBuffer: 16 * 1024 * 1024, signal: options.signal },
      (error, stdout, stderr) => {
        if (error) {
          if (error.name === 'AbortError') reject(error);
          else reject(new ProbeFailedError(stderr || error.message));
          return;
        }
        try {
          resolveInfo(mediaInfoFrom(JSON.parse(stdout) as FfprobeOutput));
        } catch (parseError) {
          reject(new ProbeFailedError(String(parseError)));
        }
      },
    );
  });
}
