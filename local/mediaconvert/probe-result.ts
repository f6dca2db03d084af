/**
 * The Probe API's answer for one file, computed from ffprobe: container format and duration, one Track per
 * stream with MediaConvert's codec names, video and audio properties, and the object's S3 metadata.
 */
import type { Codec, Format, ProbeResult, Track } from '@aws-sdk/client-mediaconvert';
import { clockwiseRotation, type FfprobeStream, type MediaInfo } from './media-info.ts';

const CODECS: Record<string, Codec> = {
  h264: 'AVC',
  hevc: 'HEVC',
  av1: 'AV1',
  vp8: 'VP8',
  vp9: 'VP9',
  mpeg1video: 'MPEG1',
  mpeg2video: 'MPEG2',
  mpeg4: 'MP4V',
  h263: 'H263',
  prores: 'PRORES',
  mjpeg: 'MJPEG',
  dvvideo: 'DV',
  vc1: 'VC1',
  theora: 'THEORA',
  jpeg2000: 'JPEG2000',
  qtrle: 'QTRLE',
  rawvideo: 'UNCOMPRESSED',
  aac: 'AAC',
  ac3: 'AC3',
  eac3: 'EAC3',
  mp3: 'MP3',
  mp2: 'MP2',
  opus: 'OPUS',
  flac: 'FLAC',
  vorbis: 'VORBIS',
  wmav1: 'WMA',
  wmav2: 'WMA2',
  wmapro: 'WMAPRO',
  amr_nb: 'AMR',
  amr_wb: 'AMR',
  webvtt: 'WEBVTT',
  eia_608: 'C608',
};

function codecOf(stream: FfprobeStream): Codec {
  const name = stream.codec_name ?? '';
  if (name.startsWith('pcm_')) return 'PCM';
  return CODECS[name] ?? 'UNKNOWN';
}

/** MediaConvert's container names from ffprobe's demuxer name (and, for ISO files, the major brand). */
export function containerFormat(info: MediaInfo): Format | undefined {
  const names = info.formatName.split(',');
  if (names.includes('mov')) {
    const brand = (info.raw.format?.tags?.major_brand ?? '').trim();
    if (brand === 'qt') return 'quicktime';
    if (brand.startsWith('3gp')) return 'three_gp';
    if (brand.startsWith('3g2')) return 'three_g2';
    return 'mp4';
  }
  if (names.includes('matroska')) {
    // ffprobe names one demuxer for both; WebM allows only these codecs.
    const webm = (info.raw.streams ?? []).every((s) =>
      ['vp8', 'vp9', 'av1', 'opus', 'vorbis', 'webvtt'].includes(s.codec_name ?? ''),
    );
    return webm ? 'webm' : 'matroska';
  }
  const single: Record<string, Format> = {
    mpegts: 'mpegts',
    avi: 'avi',
    mpeg: 'mpegps',
    mxf: 'mxf',
    wav: 'wave',
    mp3: 'mp3',
    aac: 'aac',
    flac: 'flac',
    ogg: 'ogg',
    asf: 'asf',
    ac3: 'ac3',
    eac3: 'eac3',
  };
  for (const name of names) if (single[name]) return single[name];
  return undefined;
}

const number = (value: string | number | undefined) => {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) ? n : undefined;
};

function frameRate(value: string | undefined) {
  const match = /^(\d+)\/(\d+)$/.exec(value ?? '');
  if (!match || Number(match[1]) === 0 || Number(match[2]) === 0) return undefined;
  return { Numerator: Number(match[1]), Denominator: Number(match[2]) };
}

function track(stream: FfprobeStream, index: number): Track {
  const duration = number(stream.duration);
  const base: Track = {
    Index: index,
    Codec: codecOf(stream),
    ...(duration !== undefined ? { Duration: duration } : {}),
  };
  if (stream.codec_type === 'video') {
    const rotation = clockwiseRotation(stream);
    const bitDepth = number(stream.bits_per_raw_sample);
    const bitRate = number(stream.bit_rate);
    const rate = frameRate(stream.avg_frame_rate) ?? frameRate(stream.r_frame_rate);
    return {
      ...base,
      TrackType: 'video',
      VideoProperties: {
        Width: stream.width,
        Height: stream.height,
        ...(rate ? { FrameRate: rate } : {}),
        ...(bitRate !== undefined ? { BitRate: bitRate } : {}),
        ...(bitDepth !== undefined ? { BitDepth: bitDepth } : {}),
        // MediaConvert leaves Rotation out (null) when there is none.
        ...(rotation !== 0 ? { Rotation: rotation } : {}),
      },
    };
  }
  if (stream.codec_type === 'audio') {
    const bitRate = number(stream.bit_rate);
    const language = stream.tags?.language;
    return {
      ...base,
      TrackType: 'audio',
      AudioProperties: {
        Channels: stream.channels,
        SampleRate: number(stream.sample_rate),
        ...(bitRate !== undefined ? { BitRate: bitRate } : {}),
        ...(stream.bits_per_sample ? { BitDepth: stream.bits_per_sample } : {}),
        ...(language && language !== 'und' ? { LanguageCode: language } : {}),
      },
    };
  }
  return { ...base, TrackType: 'data', DataProperties: {} };
}

export interface ObjectMetadata {
  eTag?: string;
  size?: number;
  lastModified?: Date;
  contentType?: string;
}

/** One ProbeResult. Track indexes are 1-based, as MediaConvert's track selectors count them. */
export function probeResult(info: MediaInfo, object: ObjectMetadata): ProbeResult {
  const streams = (info.raw.streams ?? []).filter(
    (s) =>
      ['video', 'audio', 'subtitle', 'data'].includes(s.codec_type ?? '') && !s.disposition?.attached_pic,
  );
  const tracks = streams.map((stream, i) => track(stream, i + 1));
  const indexes = (type: string) => tracks.filter((t) => t.TrackType === type).map((t) => t.Index as number);
  const format = containerFormat(info);
  return {
    Container: {
      ...(format ? { Format: format } : {}),
      ...(info.durationSeconds ? { Duration: info.durationSeconds } : {}),
      ...(info.bitRate ? { BitRate: info.bitRate } : {}),
      Tracks: tracks,
    },
    Metadata: {
      ...(object.eTag ? { ETag: object.eTag } : {}),
      ...(object.size !== undefined ? { FileSize: object.size } : {}),
      ...(object.lastModified ? { LastModified: object.lastModified } : {}),
      ...(object.contentType ? { MimeType: object.contentType } : {}),
    },
    TrackMappings: [
      {
        VideoTrackIndexes: indexes('video'),
        AudioTrackIndexes: indexes('audio'),
        DataTrackIndexes: indexes('data'),
      },
    ],
  };
}
