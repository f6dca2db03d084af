/**
 * A small, strict HLS (RFC 8216) parser and renderer for the playlists Skycast serves: MediaConvert VOD
 * outputs and IVS recordings. Recognised tags are checked against the RFC's syntax and a malformed one is a
 * `PlaylistParseError` naming the line; tags we do not recognise are ignored, as RFC 8216 §6.3.1 asks of
 * clients, and are not rendered again.
 */
import { PlaylistParseError } from './errors.ts';

/** One `NAME=value` of an attribute list (RFC 8216 §4.2); `quoted` values are rendered in double quotes. */
export interface Attribute {
  name: string;
  value: string;
  quoted: boolean;
}

/** A byte range of a resource, with the offset always resolved (RFC 8216 §4.3.2.2). */
export interface ByteRange {
  length: number;
  offset: number;
}

/** An `EXT-X-STREAM-INF` and its URI. */
export interface VariantStream {
  uri: string;
  /** Peak bits per second. */
  bandwidth: number;
  averageBandwidth?: number;
  resolution?: { width: number; height: number };
  codecs?: string;
  frameRate?: number;
  /** Attributes other than the typed ones (AUDIO, SUBTITLES, …), verbatim and in order. */
  otherAttributes: Attribute[];
}

/** An `EXT-X-MEDIA` rendition, kept as its attribute list. */
export interface Rendition {
  attributes: Attribute[];
}

export interface MultivariantPlaylist {
  kind: 'multivariant';
  version?: number;
  independentSegments: boolean;
  media: Rendition[];
  variants: VariantStream[];
}

/** An `EXT-X-MAP` media initialization section. */
export interface MediaInitialization {
  uri: string;
  byteRange?: ByteRange;
}

export interface MediaSegment {
  uri: string;
  /** Seconds, from EXTINF. */
  duration: number;
  title?: string;
  byteRange?: ByteRange;
  /** An `EXT-X-DISCONTINUITY` precedes this segment. */
  discontinuity: boolean;
  /** `EXT-X-PROGRAM-DATE-TIME` written on this segment (not derived). */
  programDateTime?: Date;
  /** The `EXT-X-MAP` in effect for this segment, if any. */
  map?: MediaInitialization;
}

export interface MediaPlaylist {
  kind: 'media';
  version?: number;
  targetDuration: number;
  mediaSequence: number;
  discontinuitySequence: number;
  playlistType?: 'VOD' | 'EVENT';
  independentSegments: boolean;
  endList: boolean;
  segments: MediaSegment[];
}

export type Playlist = MultivariantPlaylist | MediaPlaylist;

const MULTIVARIANT_TAGS = new Set(['EXT-X-STREAM-INF', 'EXT-X-MEDIA', 'EXT-X-I-FRAME-STREAM-INF']);
const MEDIA_TAGS = new Set(['EXTINF', 'EXT-X-TARGETDURATION', 'EXT-X-MEDIA-SEQUENCE', 'EXT-X-ENDLIST']);

const fail = (lineNumber: number, message: string): never => {
  throw new PlaylistParseError(`Line ${lineNumber}: ${message}`);
};

/** Parses an attribute list (RFC 8216 §4.2): commas inside quoted strings do not separate attributes. */
export function parseAttributes(text: string, lineNumber = 0): Attribute[] {
  const attributes: Attribute[] = [];
  let i = 0;
  while (i < text.length) {
    const equals = text.indexOf('=', i);
    if (equals < 0) fail(lineNumber, `expected NAME=VALUE at "${text.slice(i)}"`);
    const name = text.slice(i, equals);
    if (!/^[A-Z0-9-]+$/.test(name)) fail(lineNumber, `"${name}" is not an attribute name`);
    if (attributes.some((a) => a.name === name)) fail(lineNumber, `attribute ${name} appears twice`);
    i = equals + 1;
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) fail(lineNumber, `unterminated quoted string in ${name}`);
      attributes.push({ name, value: text.slice(i + 1, close), quoted: true });
      i = close + 1;
    } else {
      const comma = text.indexOf(',', i);
      const stop = comma < 0 ? text.length : comma;
      const value = text.slice(i, stop);
      if (value === '' || value.includes('"')) fail(lineNumber, `attribute ${name} has no valid value`);
      attributes.push({ name, value, quoted: false });
      i = stop;
    }
    if (i < text.length) {
      if (text[i] !== ',') fail(lineNumber, `expected a comma after attribute ${name}`);
      i += 1;
      if (i === text.length) fail(lineNumber, 'attribute list ends with a comma');
    }
  }
  return attributes;
}

export function renderAttributes(attributes: Attribute[]): string {
  return attributes.map((a) => (a.quoted ? `${a.name}="${a.value}"` : `${a.name}=${a.value}`)).join(',');
}

function integer(text: string, lineNumber: number, what: string): number {
  if (!/^\d{1,15}$/.test(text)) fail(lineNumber, `${what} must be a decimal integer, got "${text}"`);
  return Number(text);
}

function decimal(text: string, lineNumber: number, what: string): number {
  if (!/^\d{1,15}(\.\d+)?$/.test(text))
    fail(lineNumber, `${what} must be a non-negative number, got "${text}"`);
  return Number(text);
}

function parseByteRange(text: string, lineNumber: number, previousEnd?: number): ByteRange {
  const match = /^(\d+)(?:@(\d+))?$/.exec(text);
  if (!match) return fail(lineNumber, `byte range must be <length>[@<offset>], got "${text}"`);
  const length = Number(match[1]);
  if (match[2] !== undefined) return { length, offset: Number(match[2]) };
  if (previousEnd === undefined) {
    fail(lineNumber, 'a byte range without an offset must follow a sub-range of the same resource');
  }
  return { length, offset: previousEnd as number };
}

function typedVariant(attributes: Attribute[], uri: string, lineNumber: number): VariantStream {
  const typed = new Set(['BANDWIDTH', 'AVERAGE-BANDWIDTH', 'RESOLUTION', 'CODECS', 'FRAME-RATE']);
  const get = (name: string, quoted: boolean): string | undefined => {
    const attribute = attributes.find((a) => a.name === name);
    if (attribute && attribute.quoted !== quoted) {
      fail(lineNumber, `${name} must ${quoted ? '' : 'not '}be a quoted string`);
    }
    return attribute?.value;
  };
  const bandwidth = get('BANDWIDTH', false);
  if (bandwidth === undefined) return fail(lineNumber, 'EXT-X-STREAM-INF without BANDWIDTH');
  const variant: VariantStream = {
    uri,
    bandwidth: integer(bandwidth, lineNumber, 'BANDWIDTH'),
    otherAttributes: attributes.filter((a) => !typed.has(a.name)),
  };
  const average = get('AVERAGE-BANDWIDTH', false);
  if (average !== undefined) variant.averageBandwidth = integer(average, lineNumber, 'AVERAGE-BANDWIDTH');
  const resolution = get('RESOLUTION', false);
  if (resolution !== undefined) {
    const match = /^(\d+)x(\d+)$/.exec(resolution);
    if (!match) fail(lineNumber, `RESOLUTION must be <width>x<height>, got "${resolution}"`);
    variant.resolution = { width: Number(match?.[1]), height: Number(match?.[2]) };
  }
  const codecs = get('CODECS', true);
  if (codecs !== undefined) variant.codecs = codecs;
  const frameRate = get('FRAME-RATE', false);
  if (frameRate !== undefined) variant.frameRate = decimal(frameRate, lineNumber, 'FRAME-RATE');
  return variant;
}

interface Line {
  number: number;
  text: string;
}

/** Splits `#EXT…:value` into its tag name and value. */
function tagOf(text: string): { tag: string; value: string } {
  const colon = text.indexOf(':');
  return colon < 0
    ? { tag: text.slice(1), value: '' }
    : { tag: text.slice(1, colon), value: text.slice(colon + 1) };
}

function contentLines(text: string): Line[] {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line, i) => ({ number: i + 1, text: line.trim() }));
  if (lines[0]?.text !== '#EXTM3U') fail(1, 'a playlist must start with #EXTM3U');
  // Lines starting with '#' but not '#EXT' are comments (RFC 8216 §4.1).
  return lines.slice(1).filter((line) => line.text !== '' && !/^#(?!EXT)/.test(line.text));
}

function parseVersion(value: string, number: number): number {
  const version = integer(value, number, 'EXT-X-VERSION');
  if (version < 1) fail(number, 'EXT-X-VERSION must be at least 1');
  return version;
}

/** Parses either kind of playlist, telling them apart by their tags. */
export function parsePlaylist(text: string): Playlist {
  const lines = contentLines(text);
  const tags = lines.filter((l) => l.text.startsWith('#')).map((l) => tagOf(l.text).tag);
  const multivariant = tags.some((tag) => MULTIVARIANT_TAGS.has(tag));
  const media = tags.some((tag) => MEDIA_TAGS.has(tag));
  if (multivariant && media) fail(1, 'a playlist cannot hold both variant streams and media segments');
  return multivariant ? parseMultivariantLines(lines) : parseMediaLines(lines);
}

export function parseMultivariantPlaylist(text: string): MultivariantPlaylist {
  const playlist = parsePlaylist(text);
  if (playlist.kind !== 'multivariant') fail(1, 'expected a multivariant playlist, got a media playlist');
  return playlist as MultivariantPlaylist;
}

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const playlist = parsePlaylist(text);
  if (playlist.kind !== 'media') fail(1, 'expected a media playlist, got a multivariant playlist');
  return playlist as MediaPlaylist;
}

function parseMultivariantLines(lines: Line[]): MultivariantPlaylist {
  const playlist: MultivariantPlaylist = {
    kind: 'multivariant',
    independentSegments: false,
    media: [],
    variants: [],
  };
  for (let i = 0; i < lines.length; i += 1) {
    const { number, text } = lines[i] as Line;
    if (!text.startsWith('#')) fail(number, `URI "${text}" without a preceding EXT-X-STREAM-INF`);
    const { tag, value } = tagOf(text);
    switch (tag) {
      case 'EXT-X-VERSION':
        playlist.version = parseVersion(value, number);
        break;
      case 'EXT-X-INDEPENDENT-SEGMENTS':
        playlist.independentSegments = true;
        break;
      case 'EXT-X-MEDIA': {
        const attributes = parseAttributes(value, number);
        for (const required of ['TYPE', 'GROUP-ID', 'NAME']) {
          if (!attributes.some((a) => a.name === required)) fail(number, `EXT-X-MEDIA without ${required}`);
        }
        playlist.media.push({ attributes });
        break;
      }
      case 'EXT-X-STREAM-INF': {
        const next = lines[i + 1];
        if (!next || next.text.startsWith('#')) fail(number, 'EXT-X-STREAM-INF must be followed by its URI');
        playlist.variants.push(typedVariant(parseAttributes(value, number), (next as Line).text, number));
        i += 1;
        break;
      }
      default:
        break; // unrecognised (or I-frame) tags are ignored, RFC 8216 §6.3.1
    }
  }
  if (playlist.variants.length === 0) fail(1, 'a multivariant playlist needs at least one EXT-X-STREAM-INF');
  return playlist;
}

function parseMediaLines(lines: Line[]): MediaPlaylist {
  let targetDuration: number | undefined;
  const playlist: Omit<MediaPlaylist, 'targetDuration'> = {
    kind: 'media',
    mediaSequence: 0,
    discontinuitySequence: 0,
    independentSegments: false,
    endList: false,
    segments: [],
  };
  let pending: Partial<MediaSegment> & { extinfLine?: number } = {};
  let map: MediaInitialization | undefined;
  let byteRangeEnd: { uri: string; end: number } | undefined;
  let pendingByteRange: { text: string; number: number } | undefined;

  for (const { number, text } of lines) {
    if (!text.startsWith('#')) {
      if (pending.duration === undefined) fail(number, `segment URI "${text}" without a preceding EXTINF`);
      const segment: MediaSegment = {
        uri: text,
        duration: pending.duration as number,
        discontinuity: pending.discontinuity ?? false,
      };
      if (pending.title) segment.title = pending.title;
      if (pending.programDateTime) segment.programDateTime = pending.programDateTime;
      if (map) segment.map = map;
      if (pendingByteRange) {
        const previousEnd = byteRangeEnd?.uri === text ? byteRangeEnd.end : undefined;
        segment.byteRange = parseByteRange(pendingByteRange.text, pendingByteRange.number, previousEnd);
        byteRangeEnd = { uri: text, end: segment.byteRange.offset + segment.byteRange.length };
      } else {
        byteRangeEnd = undefined;
      }
      playlist.segments.push(segment);
      pending = {};
      pendingByteRange = undefined;
      continue;
    }
    const { tag, value } = tagOf(text);
    switch (tag) {
      case 'EXT-X-VERSION':
        playlist.version = parseVersion(value, number);
        break;
      case 'EXT-X-TARGETDURATION':
        targetDuration = integer(value, number, 'EXT-X-TARGETDURATION');
        break;
      case 'EXT-X-MEDIA-SEQUENCE':
        playlist.mediaSequence = integer(value, number, 'EXT-X-MEDIA-SEQUENCE');
        break;
      case 'EXT-X-DISCONTINUITY-SEQUENCE':
        playlist.discontinuitySequence = integer(value, number, 'EXT-X-DISCONTINUITY-SEQUENCE');
        break;
      case 'EXT-X-PLAYLIST-TYPE':
        if (value !== 'VOD' && value !== 'EVENT') fail(number, `EXT-X-PLAYLIST-TYPE must be VOD or EVENT`);
        playlist.playlistType = value as 'VOD' | 'EVENT';
        break;
      case 'EXT-X-INDEPENDENT-SEGMENTS':
        playlist.independentSegments = true;
        break;
      case 'EXT-X-ENDLIST':
        playlist.endList = true;
        break;
      case 'EXTINF': {
        if (pending.duration !== undefined) fail(number, 'two EXTINF tags without a URI between them');
        const comma = value.indexOf(',');
        const duration = comma < 0 ? value : value.slice(0, comma);
        pending.duration = decimal(duration, number, 'EXTINF duration');
        pending.extinfLine = number;
        const title = comma < 0 ? '' : value.slice(comma + 1);
        if (title) pending.title = title;
        break;
      }
      case 'EXT-X-DISCONTINUITY':
        pending.discontinuity = true;
        break;
      case 'EXT-X-PROGRAM-DATE-TIME': {
        const date = new Date(value);
        if (
          !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$/.test(value) ||
          Number.isNaN(+date)
        ) {
          fail(
            number,
            `EXT-X-PROGRAM-DATE-TIME must be an ISO 8601 date-time with a time zone, got "${value}"`,
          );
        }
        pending.programDateTime = date;
        break;
      }
      case 'EXT-X-BYTERANGE':
        pendingByteRange = { text: value, number };
        break;
      case 'EXT-X-MAP': {
        const attributes = parseAttributes(value, number);
        const uri = attributes.find((a) => a.name === 'URI');
        if (!uri?.quoted) fail(number, 'EXT-X-MAP needs a quoted URI');
        map = { uri: uri?.value as string };
        const range = attributes.find((a) => a.name === 'BYTERANGE');
        if (range) {
          if (!range.quoted) fail(number, 'EXT-X-MAP BYTERANGE must be a quoted string');
          if (!range.value.includes('@')) fail(number, 'EXT-X-MAP BYTERANGE needs an offset');
          map.byteRange = parseByteRange(range.value, number);
        }
        break;
      }
      case 'EXT-X-KEY': {
        const method = parseAttributes(value, number).find((a) => a.name === 'METHOD')?.value;
        if (method !== 'NONE') fail(number, `encrypted segments (METHOD=${method}) are not supported`);
        break;
      }
      default:
        break; // unrecognised tags are ignored, RFC 8216 §6.3.1
    }
  }
  if (pending.duration !== undefined) fail(pending.extinfLine ?? 0, 'EXTINF without a segment URI');
  if (targetDuration === undefined) return fail(1, 'a media playlist needs EXT-X-TARGETDURATION');
  for (const segment of playlist.segments) {
    // RFC 8216 §4.3.3.1: each EXTINF, rounded to the nearest integer, must not exceed the target duration.
    if (Math.round(segment.duration) > targetDuration) {
      fail(
        1,
        `segment ${segment.uri} lasts ${segment.duration} s, over EXT-X-TARGETDURATION ${targetDuration}`,
      );
    }
  }
  return { ...playlist, targetDuration };
}

/** Seconds as EXTINF writes them: up to microseconds, no trailing zeros. */
export function formatDuration(seconds: number): string {
  return String(Number(seconds.toFixed(6)));
}

/** The lowest EXT-X-VERSION that allows the features a playlist uses (RFC 8216 §7). */
function requiredVersion(playlist: Playlist): number {
  if (playlist.kind === 'multivariant') return 1;
  let version = 1;
  for (const segment of playlist.segments) {
    if (!Number.isInteger(segment.duration)) version = Math.max(version, 3);
    if (segment.byteRange) version = Math.max(version, 4);
    if (segment.map) version = Math.max(version, 6);
  }
  return version;
}

const sameMap = (a?: MediaInitialization, b?: MediaInitialization): boolean =>
  a?.uri === b?.uri &&
  a?.byteRange?.length === b?.byteRange?.length &&
  a?.byteRange?.offset === b?.byteRange?.offset;

function renderVariant(variant: VariantStream): string[] {
  const attributes: Attribute[] = [{ name: 'BANDWIDTH', value: String(variant.bandwidth), quoted: false }];
  if (variant.averageBandwidth !== undefined) {
    attributes.push({ name: 'AVERAGE-BANDWIDTH', value: String(variant.averageBandwidth), quoted: false });
  }
  if (variant.codecs !== undefined) attributes.push({ name: 'CODECS', value: variant.codecs, quoted: true });
  if (variant.resolution) {
    const { width, height } = variant.resolution;
    attributes.push({ name: 'RESOLUTION', value: `${width}x${height}`, quoted: false });
  }
  if (variant.frameRate !== undefined) {
    attributes.push({ name: 'FRAME-RATE', value: variant.frameRate.toFixed(3), quoted: false });
  }
  attributes.push(...variant.otherAttributes);
  return [`#EXT-X-STREAM-INF:${renderAttributes(attributes)}`, variant.uri];
}

function renderSegments(segments: MediaSegment[]): string[] {
  const lines: string[] = [];
  let map: MediaInitialization | undefined;
  for (const segment of segments) {
    if (segment.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (segment.map && !sameMap(segment.map, map)) {
      const range = segment.map.byteRange;
      const byteRange = range ? `,BYTERANGE="${range.length}@${range.offset}"` : '';
      lines.push(`#EXT-X-MAP:URI="${segment.map.uri}"${byteRange}`);
    }
    map = segment.map;
    if (segment.programDateTime)
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${segment.programDateTime.toISOString()}`);
    lines.push(`#EXTINF:${formatDuration(segment.duration)},${segment.title ?? ''}`);
    if (segment.byteRange)
      lines.push(`#EXT-X-BYTERANGE:${segment.byteRange.length}@${segment.byteRange.offset}`);
    lines.push(segment.uri);
  }
  return lines;
}

/** Renders a playlist as RFC 8216 text, raising EXT-X-VERSION if the playlist uses a later feature. */
export function renderPlaylist(playlist: Playlist): string {
  const version = Math.max(playlist.version ?? 1, requiredVersion(playlist));
  const lines = ['#EXTM3U'];
  if (version > 1 || playlist.version !== undefined) lines.push(`#EXT-X-VERSION:${version}`);
  if (playlist.kind === 'multivariant') {
    if (playlist.independentSegments) lines.push('#EXT-X-INDEPENDENT-SEGMENTS');
    for (const rendition of playlist.media)
      lines.push(`#EXT-X-MEDIA:${renderAttributes(rendition.attributes)}`);
    for (const variant of playlist.variants) lines.push(...renderVariant(variant));
  } else {
    lines.push(`#EXT-X-TARGETDURATION:${playlist.targetDuration}`);
    lines.push(`#EXT-X-MEDIA-SEQUENCE:${playlist.mediaSequence}`);
    if (playlist.discontinuitySequence > 0) {
      lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${playlist.discontinuitySequence}`);
    }
    if (playlist.playlistType) lines.push(`#EXT-X-PLAYLIST-TYPE:${playlist.playlistType}`);
    if (playlist.independentSegments) lines.push('#EXT-X-INDEPENDENT-SEGMENTS');
    lines.push(...renderSegments(playlist.segments));
    if (playlist.endList) lines.push('#EXT-X-ENDLIST');
  }
  return `${lines.join('\n')}\n`;
}
