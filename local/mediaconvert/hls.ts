/**
 * HLS files the emulator writes itself after ffmpeg has encoded: the multivariant playlist
 * (`<base>.m3u8`, one EXT-X-STREAM-INF per output with its measured BANDWIDTH, its CODECS and RESOLUTION)
 * and, for audio-only outputs, packed-audio playlists whose AAC segments start with the ID3 timestamp the
 * HLS specification requires (RFC 8216, section 3.4). MinFinalSegmentLength is applied here too: ffmpeg's
 * muxers cut wherever the GOP grid says, so a runt last segment is joined to the one before afterwards.
 */
import { execFile } from 'node:child_process';
import { appendFile, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type MediaSegment,
  measureBitrates,
  parseMediaPlaylist,
  renderPlaylist,
  targetDurationOf,
  type VariantStream,
} from '#contract/hls/index.ts';
import { mediaConvertNames } from '#contract/media-layout.ts';
import type { Fraction } from './media-info.ts';

const run = promisify(execFile);

export interface RenditionStats {
  segments: MediaSegment[];
  durationSeconds: number;
  /** Peak segment bitrate, bits per second: HLS's BANDWIDTH. */
  peakBitrate: number;
  /** Whole stream: HLS's AVERAGE-BANDWIDTH. */
  averageBitrate: number;
}

/** Measures a rendition from its playlist and segment files. */
export async function renditionStats(folder: string, playlist: string): Promise<RenditionStats> {
  const { segments } = parseMediaPlaylist(await readFile(join(folder, playlist), 'utf8'));
  const measured = await Promise.all(
    segments.map(async (segment) => ({
      bytes: (await stat(join(folder, segment.uri))).size,
      duration: segment.duration,
    })),
  );
  const bitrates = measureBitrates(measured);
  return {
    segments,
    durationSeconds: segments.reduce((sum, segment) => sum + segment.duration, 0),
    peakBitrate: bitrates?.peak ?? 0,
    averageBitrate: bitrates?.average ?? 0,
  };
}

/**
 * The H.264 codec string of a segment, read from its first sequence parameter set: RFC 6381's
 * `avc1.PPCCLL` (profile, constraint flags, level in hex) or RFC 4281's older `avc1.<profile>.<level>`.
 */
export async function h264CodecString(
  segmentPath: string,
  specification: 'RFC_6381' | 'RFC_4281',
): Promise<string> {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-i',
      segmentPath,
      '-map',
      '0:v:0',
      '-c',
      'copy',
      '-frames:v',
      '1',
      '-f',
      'h264',
      'pipe:1',
    ],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  const bytes = stdout as Buffer;
  for (let i = 0; i + 6 < bytes.length; i++) {
    // Annex B start code, then a NAL header whose type is 7 (sequence parameter set).
    if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 1 && ((bytes[i + 3] ?? 0) & 0x1f) === 7) {
      const [profile, constraints, level] = [bytes[i + 4] ?? 0, bytes[i + 5] ?? 0, bytes[i + 6] ?? 0];
      if (specification === 'RFC_4281') return `avc1.${profile}.${level}`;
      const hex = (n: number) => n.toString(16).padStart(2, '0').toUpperCase();
      return `avc1.${hex(profile)}${hex(constraints)}${hex(level)}`;
    }
  }
  throw new Error(`No H.264 sequence parameter set in ${segmentPath}`);
}

/** AAC-LC, the only audio the emulator writes. */
export const AAC_LC = 'mp4a.40.2';

export interface Variant {
  uri: string;
  stats: RenditionStats;
  codecs: string[];
  width?: number;
  height?: number;
  frameRate?: Fraction;
}

/** The multivariant playlist `<base>.m3u8`: one variant per output, with what was measured of it. */
export function multivariantPlaylist(variants: Variant[]): string {
  return renderPlaylist({
    kind: 'multivariant',
    version: 3,
    independentSegments: true,
    media: [],
    variants: variants.map((variant): VariantStream => {
      const stream: VariantStream = {
        uri: variant.uri,
        bandwidth: variant.stats.peakBitrate,
        averageBandwidth: variant.stats.averageBitrate,
        codecs: variant.codecs.join(','),
        otherAttributes: [],
      };
      if (variant.width && variant.height)
        stream.resolution = { width: variant.width, height: variant.height };
      if (variant.frameRate) stream.frameRate = variant.frameRate.numerator / variant.frameRate.denominator;
      return stream;
    }),
  });
}

/** An ID3v2.4 tag with the PRIV frame Apple's packed audio uses for the first sample's 90 kHz timestamp. */
export function transportStreamTimestampTag(seconds: number): Buffer {
  const owner = Buffer.from('com.apple.streaming.transportStreamTimestamp\0', 'latin1');
  const timestamp = Buffer.alloc(8);
  // A 33-bit MPEG-2 timestamp in eight big-endian bytes, the upper 31 bits zero.
  timestamp.writeBigUInt64BE(BigInt(Math.round(seconds * 90_000)) & 0x1_ffff_ffffn);
  const frameBody = Buffer.concat([owner, timestamp]);
  const syncsafe = (n: number) =>
    Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]);
  const frame = Buffer.concat([
    Buffer.from('PRIV', 'latin1'),
    syncsafe(frameBody.length),
    Buffer.from([0, 0]),
    frameBody,
  ]);
  return Buffer.concat([Buffer.from([0x49, 0x44, 0x33, 4, 0, 0]), syncsafe(frame.length), frame]);
}

/** A VOD media playlist as MediaConvert writes it: media sequence from 1, six decimals or whole seconds. */
function mediaPlaylist(segments: MediaSegment[], integerDurations: boolean): string {
  return renderPlaylist(
    {
      kind: 'media',
      version: 3,
      targetDuration: targetDurationOf(segments),
      mediaSequence: 1,
      discontinuitySequence: 0,
      playlistType: 'VOD',
      independentSegments: false,
      endList: true,
      segments,
    },
    { durationDecimals: integerDurations ? 0 : 6 },
  );
}

/**
 * MinFinalSegmentLength as MediaConvert applies it: a final segment shorter than `minSeconds` becomes part of
 * the segment before it. Transport streams and ADTS concatenate byte for byte, and both segments come from
 * one muxer, so timestamps and continuity counters simply run on. Returns the segments as they are after.
 */
async function joinShortFinalSegment<T extends { uri: string; duration: number }>(
  folder: string,
  segments: readonly T[],
  minSeconds: number,
): Promise<T[]> {
  const last = segments.at(-1);
  const previous = segments.at(-2);
  if (!last || !previous || minSeconds <= 0 || last.duration >= minSeconds) return [...segments];
  await appendFile(join(folder, previous.uri), await readFile(join(folder, last.uri)));
  await rm(join(folder, last.uri));
  return [...segments.slice(0, -2), { ...previous, duration: previous.duration + last.duration }];
}

/**
 * Completes a video output's media playlist `<name>.m3u8` as ffmpeg's HLS muxer wrote it: with a runt final
 * segment (shorter than `minFinalSeconds`) joined to the one before, the playlist is written again.
 */
export async function finishVideoPlaylist(
  folder: string,
  name: string,
  minFinalSeconds: number,
  integerDurations: boolean,
): Promise<void> {
  const path = join(folder, mediaConvertNames.playlist(name));
  const { segments } = parseMediaPlaylist(await readFile(path, 'utf8'));
  const joined = await joinShortFinalSegment(folder, segments, minFinalSeconds);
  if (joined.length !== segments.length) await writeFile(path, mediaPlaylist(joined, integerDurations));
}

/**
 * Completes an audio-only output cut by ffmpeg's segment muxer: a runt final segment is joined to the one
 * before, each AAC segment gets its ID3 timestamp and the media playlist `<name>.m3u8` is written from the
 * segment list.
 */
export async function finishPackedAudio(
  folder: string,
  name: string,
  minFinalSeconds: number,
  integerDurations: boolean,
): Promise<void> {
  const listPath = join(folder, `${name}.segments.csv`);
  const rows = (await readFile(listPath, 'utf8')).split('\n').filter((line) => line.trim());
  const cut: { uri: string; start: number; duration: number }[] = [];
  for (const row of rows) {
    const [uri, start, end] = row.split(',');
    if (!uri || start === undefined || end === undefined) continue;
    cut.push({ uri, start: Number(start), duration: Number(end) - Number(start) });
  }
  const segments: MediaSegment[] = [];
  for (const { uri, start, duration } of await joinShortFinalSegment(folder, cut, minFinalSeconds)) {
    const path = join(folder, uri);
    await writeFile(path, Buffer.concat([transportStreamTimestampTag(start), await readFile(path)]));
    segments.push({ uri, duration, discontinuity: false });
  }
  await writeFile(join(folder, mediaConvertNames.playlist(name)), mediaPlaylist(segments, integerDurations));
  await rm(listPath);
}
