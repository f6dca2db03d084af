/**
 * The media playlists ffmpeg writes while a stream is live (type EVENT: every segment so far), read into
 * segments, and the playlists the emulator serves from them: a sliding live window with an advancing
 * media sequence, and a recording's whole VOD playlist.
 */
import { ivsHlsNames, ivsSegmentIndex } from '#contract/media-layout.ts';

export interface Segment {
  /** Index in the rendition, from 0; also the segment's file name, `<index>.ts`. */
  index: number;
  durationSeconds: number;
  /** A new encoder session starts here (a reconnect within the recording's window). */
  discontinuity?: boolean;
}

/** Segments listed in an ffmpeg playlist whose URIs are `<index>.ts`. */
export function readSegments(playlist: string): Segment[] {
  const segments: Segment[] = [];
  let duration: number | undefined;
  for (const raw of playlist.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice('#EXTINF:'.length));
    else if (line && !line.startsWith('#') && duration !== undefined) {
      const index = ivsSegmentIndex(line);
      if (index !== undefined) segments.push({ index, durationSeconds: duration });
      duration = undefined;
    }
  }
  return segments;
}

const targetDuration = (segments: readonly Segment[]) =>
  Math.max(1, ...segments.map((segment) => Math.round(segment.durationSeconds)));

/**
 * A live media playlist of the last `windowSize` segments; `query` (e.g. `?token=…`) is appended to each
 * segment URI so a private channel's segments carry the viewer's token.
 */
export function renderLivePlaylist(segments: readonly Segment[], windowSize: number, query = ''): string {
  const window = segments.slice(-windowSize);
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${targetDuration(window)}`,
    `#EXT-X-MEDIA-SEQUENCE:${window[0]?.index ?? 0}`,
  ];
  for (const segment of window) {
    if (segment.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXTINF:${segment.durationSeconds.toFixed(3)},`, `${segment.index}.ts${query}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A recording's media playlist: every segment, and ENDLIST once the recording is over. */
export function renderRecordingPlaylist(segments: readonly Segment[], ended: boolean): string {
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${targetDuration(segments)}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    `#EXT-X-PLAYLIST-TYPE:${ended ? 'VOD' : 'EVENT'}`,
  ];
  for (const segment of segments) {
    if (segment.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXTINF:${segment.durationSeconds.toFixed(3)},`, `${segment.index}.ts`);
  }
  if (ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

export interface VariantInfo {
  name: string;
  width: number;
  height: number;
  bandwidth: number;
  codecs: string;
}

/** A multivariant playlist naming `<name>/playlist.m3u8` for each rendition, best first. */
export function renderMultivariant(variants: readonly VariantInfo[], query = ''): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const variant of variants) {
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${variant.bandwidth},RESOLUTION=${variant.width}x${variant.height},CODECS="${variant.codecs}",VIDEO="${variant.name}"`,
      `${ivsHlsNames.renditionPlaylist(variant.name)}${query}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
