/**
 * Reading playlists. The tags Skycast interprets are checked against RFC 8216's syntax, and a malformed one
 * is an `HlsParseError` naming the line; every other tag is kept verbatim where it stood (see `types.ts`).
 */
import {
  attributeValue,
  decimal,
  fail,
  integer,
  parseAttributes,
  parseByteRange,
  resolution,
} from './attributes.ts';
import type {
  Attribute,
  IFrameStream,
  MediaInitialization,
  MediaPlaylist,
  MediaSegment,
  MultivariantPlaylist,
  Playlist,
  UninterpretedTag,
  VariantStream,
} from './types.ts';

const MULTIVARIANT_TAGS = new Set(['EXT-X-STREAM-INF', 'EXT-X-MEDIA', 'EXT-X-I-FRAME-STREAM-INF']);
const MEDIA_TAGS = new Set(['EXTINF', 'EXT-X-TARGETDURATION', 'EXT-X-MEDIA-SEQUENCE', 'EXT-X-ENDLIST']);
/** Tags of a media playlist that hold for the whole playlist, wherever they are written (RFC 8216 §4.4.3). */
const PLAYLIST_WIDE_TAGS = new Set([
  'EXT-X-START',
  'EXT-X-DEFINE',
  'EXT-X-I-FRAMES-ONLY',
  'EXT-X-SERVER-CONTROL',
  'EXT-X-PART-INF',
  'EXT-X-ALLOW-CACHE',
]);

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

/** Parses a multivariant playlist; a media playlist is an error. */
export function parseMultivariantPlaylist(text: string): MultivariantPlaylist {
  const playlist = parsePlaylist(text);
  if (playlist.kind !== 'multivariant') fail(1, 'expected a multivariant playlist, got a media playlist');
  return playlist as MultivariantPlaylist;
}

/** Parses a media playlist; a multivariant playlist is an error. */
export function parseMediaPlaylist(text: string): MediaPlaylist {
  const playlist = parsePlaylist(text);
  if (playlist.kind !== 'media') fail(1, 'expected a media playlist, got a multivariant playlist');
  return playlist as MediaPlaylist;
}

const VARIANT_TYPED = new Set(['BANDWIDTH', 'AVERAGE-BANDWIDTH', 'RESOLUTION', 'CODECS', 'FRAME-RATE']);

function typedVariant(attributes: Attribute[], uri: string, lineNumber: number): VariantStream {
  const bandwidth = attributeValue(attributes, 'BANDWIDTH', false, lineNumber);
  if (bandwidth === undefined) return fail(lineNumber, 'EXT-X-STREAM-INF without BANDWIDTH');
  const variant: VariantStream = {
    uri,
    bandwidth: integer(bandwidth, lineNumber, 'BANDWIDTH'),
    otherAttributes: attributes.filter((a) => !VARIANT_TYPED.has(a.name)),
  };
  const average = attributeValue(attributes, 'AVERAGE-BANDWIDTH', false, lineNumber);
  if (average !== undefined) variant.averageBandwidth = integer(average, lineNumber, 'AVERAGE-BANDWIDTH');
  const size = attributeValue(attributes, 'RESOLUTION', false, lineNumber);
  if (size !== undefined) variant.resolution = resolution(size, lineNumber);
  const codecs = attributeValue(attributes, 'CODECS', true, lineNumber);
  if (codecs !== undefined) variant.codecs = codecs;
  const frameRate = attributeValue(attributes, 'FRAME-RATE', false, lineNumber);
  if (frameRate !== undefined) variant.frameRate = decimal(frameRate, lineNumber, 'FRAME-RATE');
  return variant;
}

function typedIFrameStream(attributes: Attribute[], lineNumber: number): IFrameStream {
  const uri = attributeValue(attributes, 'URI', true, lineNumber);
  if (uri === undefined) return fail(lineNumber, 'EXT-X-I-FRAME-STREAM-INF without URI');
  const bandwidth = attributeValue(attributes, 'BANDWIDTH', false, lineNumber);
  if (bandwidth === undefined) return fail(lineNumber, 'EXT-X-I-FRAME-STREAM-INF without BANDWIDTH');
  const stream: IFrameStream = {
    uri,
    bandwidth: integer(bandwidth, lineNumber, 'BANDWIDTH'),
    otherAttributes: attributes.filter((a) => !['URI', 'BANDWIDTH', 'RESOLUTION'].includes(a.name)),
  };
  const size = attributeValue(attributes, 'RESOLUTION', false, lineNumber);
  if (size !== undefined) stream.resolution = resolution(size, lineNumber);
  return stream;
}

function parseMultivariantLines(lines: Line[]): MultivariantPlaylist {
  const playlist: MultivariantPlaylist = {
    kind: 'multivariant',
    independentSegments: false,
    media: [],
    variants: [],
  };
  const iFrameStreams: IFrameStream[] = [];
  const tags: UninterpretedTag[] = [];
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
      case 'EXT-X-I-FRAME-STREAM-INF':
        iFrameStreams.push(typedIFrameStream(parseAttributes(value, number), number));
        break;
      default:
        tags.push(text);
    }
  }
  if (playlist.variants.length === 0) fail(1, 'a multivariant playlist needs at least one EXT-X-STREAM-INF');
  if (iFrameStreams.length > 0) playlist.iFrameStreams = iFrameStreams;
  if (tags.length > 0) playlist.tags = tags;
  return playlist;
}

function programDateTime(value: string, number: number): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$/.test(value) || Number.isNaN(+date)) {
    fail(number, `EXT-X-PROGRAM-DATE-TIME must be an ISO 8601 date-time with a time zone, got "${value}"`);
  }
  return date;
}

function mediaInitialization(value: string, number: number): MediaInitialization {
  const attributes = parseAttributes(value, number);
  const uri = attributes.find((a) => a.name === 'URI');
  if (!uri?.quoted) fail(number, 'EXT-X-MAP needs a quoted URI');
  const map: MediaInitialization = { uri: uri?.value as string };
  const range = attributes.find((a) => a.name === 'BYTERANGE');
  if (range) {
    if (!range.quoted) fail(number, 'EXT-X-MAP BYTERANGE must be a quoted string');
    if (!range.value.includes('@')) fail(number, 'EXT-X-MAP BYTERANGE needs an offset');
    map.byteRange = parseByteRange(range.value, number);
  }
  return map;
}

/** What the tags seen since the last segment URI say about the next segment. */
interface PendingSegment {
  duration?: number;
  title?: string;
  extinfLine?: number;
  discontinuity?: boolean;
  programDateTime?: Date;
  byteRange?: { text: string; number: number };
  tags: UninterpretedTag[];
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
  const playlistTags: UninterpretedTag[] = [];
  let pending: PendingSegment = { tags: [] };
  let map: MediaInitialization | undefined;
  let byteRangeEnd: { uri: string; end: number } | undefined;

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
      if (pending.byteRange) {
        const previousEnd = byteRangeEnd?.uri === text ? byteRangeEnd.end : undefined;
        segment.byteRange = parseByteRange(pending.byteRange.text, pending.byteRange.number, previousEnd);
        byteRangeEnd = { uri: text, end: segment.byteRange.offset + segment.byteRange.length };
      } else {
        byteRangeEnd = undefined;
      }
      if (pending.tags.length > 0) segment.tags = pending.tags;
      playlist.segments.push(segment);
      pending = { tags: [] };
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
        pending.duration = decimal(comma < 0 ? value : value.slice(0, comma), number, 'EXTINF duration');
        pending.extinfLine = number;
        const title = comma < 0 ? '' : value.slice(comma + 1);
        if (title) pending.title = title;
        break;
      }
      case 'EXT-X-DISCONTINUITY':
        pending.discontinuity = true;
        break;
      case 'EXT-X-PROGRAM-DATE-TIME':
        pending.programDateTime = programDateTime(value, number);
        break;
      case 'EXT-X-BYTERANGE':
        pending.byteRange = { text: value, number };
        break;
      case 'EXT-X-MAP':
        map = mediaInitialization(value, number);
        break;
      case 'EXT-X-KEY': {
        const method = parseAttributes(value, number).find((a) => a.name === 'METHOD')?.value;
        if (method !== 'NONE') fail(number, `encrypted segments (METHOD=${method}) are not supported`);
        pending.tags.push(text);
        break;
      }
      default:
        if (PLAYLIST_WIDE_TAGS.has(tag)) playlistTags.push(text);
        else pending.tags.push(text);
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
  const result: MediaPlaylist = { ...playlist, targetDuration };
  if (playlistTags.length > 0) result.tags = playlistTags;
  if (pending.tags.length > 0) result.endTags = pending.tags;
  return result;
}
