/** Writing playlists as RFC 8216 text, with every uninterpreted tag given back where it stood. */
import { renderAttributes } from './attributes.ts';
import type {
  Attribute,
  IFrameStream,
  MediaInitialization,
  MediaSegment,
  Playlist,
  VariantStream,
} from './types.ts';

/** How a playlist is written. */
export interface RenderOptions {
  /**
   * Decimals of every EXTINF duration, as an encoder writes them (IVS writes 3, MediaConvert 6, or 0 for its
   * integer durations). @default the shortest form that keeps microseconds, `6` or `3.2`
   */
  durationDecimals?: number;
}

/** Seconds as EXTINF writes them: up to microseconds, no trailing zeros. */
export function formatDuration(seconds: number): string {
  return String(Number(seconds.toFixed(6)));
}

/** The EXT-X-TARGETDURATION segments of these durations need: the longest, rounded, and at least 1. */
export function targetDurationOf(segments: readonly Pick<MediaSegment, 'duration'>[]): number {
  return Math.max(1, ...segments.map((segment) => Math.round(segment.duration)));
}

/** The lowest EXT-X-VERSION that allows the features a playlist uses (RFC 8216 §7). */
function requiredVersion(playlist: Playlist, options: RenderOptions): number {
  if (playlist.kind === 'multivariant') return 1;
  let version = playlist.tags?.some((tag) => tag === '#EXT-X-I-FRAMES-ONLY') ? 4 : 1;
  for (const segment of playlist.segments) {
    const decimals = options.durationDecimals;
    if (decimals === undefined ? !Number.isInteger(segment.duration) : decimals > 0) {
      version = Math.max(version, 3);
    }
    if (segment.byteRange) version = Math.max(version, 4);
    if (segment.map) version = Math.max(version, 6);
  }
  return version;
}

const sameMap = (a?: MediaInitialization, b?: MediaInitialization): boolean =>
  a?.uri === b?.uri &&
  a?.byteRange?.length === b?.byteRange?.length &&
  a?.byteRange?.offset === b?.byteRange?.offset;

const unquoted = (name: string, value: string | number): Attribute => ({
  name,
  value: String(value),
  quoted: false,
});

function renderVariant(variant: VariantStream): string[] {
  const attributes: Attribute[] = [unquoted('BANDWIDTH', variant.bandwidth)];
  if (variant.averageBandwidth !== undefined) {
    attributes.push(unquoted('AVERAGE-BANDWIDTH', variant.averageBandwidth));
  }
  if (variant.codecs !== undefined) attributes.push({ name: 'CODECS', value: variant.codecs, quoted: true });
  if (variant.resolution) {
    attributes.push(unquoted('RESOLUTION', `${variant.resolution.width}x${variant.resolution.height}`));
  }
  if (variant.frameRate !== undefined) attributes.push(unquoted('FRAME-RATE', variant.frameRate.toFixed(3)));
  attributes.push(...variant.otherAttributes);
  return [`#EXT-X-STREAM-INF:${renderAttributes(attributes)}`, variant.uri];
}

function renderIFrameStream(stream: IFrameStream): string {
  const attributes: Attribute[] = [unquoted('BANDWIDTH', stream.bandwidth)];
  if (stream.resolution) {
    attributes.push(unquoted('RESOLUTION', `${stream.resolution.width}x${stream.resolution.height}`));
  }
  attributes.push(...stream.otherAttributes, { name: 'URI', value: stream.uri, quoted: true });
  return `#EXT-X-I-FRAME-STREAM-INF:${renderAttributes(attributes)}`;
}

function renderSegments(segments: readonly MediaSegment[], options: RenderOptions): string[] {
  const duration = (seconds: number) =>
    options.durationDecimals === undefined
      ? formatDuration(seconds)
      : seconds.toFixed(options.durationDecimals);
  const lines: string[] = [];
  let map: MediaInitialization | undefined;
  for (const segment of segments) {
    if (segment.tags) lines.push(...segment.tags);
    if (segment.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (segment.map && !sameMap(segment.map, map)) {
      const range = segment.map.byteRange;
      const byteRange = range ? `,BYTERANGE="${range.length}@${range.offset}"` : '';
      lines.push(`#EXT-X-MAP:URI="${segment.map.uri}"${byteRange}`);
    }
    map = segment.map;
    if (segment.programDateTime) {
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${segment.programDateTime.toISOString()}`);
    }
    lines.push(`#EXTINF:${duration(segment.duration)},${segment.title ?? ''}`);
    if (segment.byteRange) {
      lines.push(`#EXT-X-BYTERANGE:${segment.byteRange.length}@${segment.byteRange.offset}`);
    }
    lines.push(segment.uri);
  }
  return lines;
}

/** Renders a playlist as RFC 8216 text, raising EXT-X-VERSION if the playlist uses a later feature. */
export function renderPlaylist(playlist: Playlist, options: RenderOptions = {}): string {
  const version = Math.max(playlist.version ?? 1, requiredVersion(playlist, options));
  const lines = ['#EXTM3U'];
  if (version > 1 || playlist.version !== undefined) lines.push(`#EXT-X-VERSION:${version}`);
  if (playlist.kind === 'multivariant') {
    if (playlist.independentSegments) lines.push('#EXT-X-INDEPENDENT-SEGMENTS');
    if (playlist.tags) lines.push(...playlist.tags);
    for (const rendition of playlist.media) {
      lines.push(`#EXT-X-MEDIA:${renderAttributes(rendition.attributes)}`);
    }
    for (const variant of playlist.variants) lines.push(...renderVariant(variant));
    for (const stream of playlist.iFrameStreams ?? []) lines.push(renderIFrameStream(stream));
  } else {
    lines.push(`#EXT-X-TARGETDURATION:${playlist.targetDuration}`);
    lines.push(`#EXT-X-MEDIA-SEQUENCE:${playlist.mediaSequence}`);
    if (playlist.discontinuitySequence > 0) {
      lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${playlist.discontinuitySequence}`);
    }
    if (playlist.playlistType) lines.push(`#EXT-X-PLAYLIST-TYPE:${playlist.playlistType}`);
    if (playlist.independentSegments) lines.push('#EXT-X-INDEPENDENT-SEGMENTS');
    if (playlist.tags) lines.push(...playlist.tags);
    lines.push(...renderSegments(playlist.segments, options));
    if (playlist.endTags) lines.push(...playlist.endTags);
    if (playlist.endList) lines.push('#EXT-X-ENDLIST');
  }
  return `${lines.join('\n')}\n`;
}
