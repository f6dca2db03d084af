/**
 * The layouts AWS chooses and Skycast follows (media-layout.ts re-exports all of it): where IVS writes a
 * recording (https://docs.aws.amazon.com/ivs/latest/LowLatencyUserGuide/record-to-s3.html), how MediaConvert
 * names the files of an output group, and `s3://bucket/key` URIs. The handlers read these layouts and the
 * local IVS and MediaConvert write them, from the same functions.
 */

/** A key or path that cannot be built in, or does not fit, the layout. */
export class MediaLayoutError extends Error {
  override name = 'MediaLayoutError';
}

// ─── s3:// URIs ──────────────────────────────────────────────────────────────────────────────────────────

/** `s3Uri('media', 'videos/v-1/hls/index')` is `s3://media/videos/v-1/hls/index`. */
export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/**
 * `s3://media/videos/v-1/hls/index.m3u8` → `{ bucket: 'media', key: 'videos/v-1/hls/index.m3u8' }`; the key
 * may be empty (`s3://media/`, a destination with no prefix). Undefined for anything else.
 */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/s.exec(uri);
  return match?.[1] ? { bucket: match[1], key: match[2] ?? '' } : undefined;
}

// ─── IVS recordings ──────────────────────────────────────────────────────────────────────────────────────

/** What every recording key starts with, in the recordings bucket (IVS offers no prefix of our choosing). */
export const RECORDINGS_ROOT = 'ivs/';

/** Every recording file, as an IAM resource pattern of the recordings bucket: `ivs/*`. */
export const RECORDING_OBJECTS = `${RECORDINGS_ROOT}*`;

/**
 * How IVS names its HLS files below a multivariant playlist, live and recorded alike: `master.m3u8`,
 * `<rendition>/playlist.m3u8`, `<rendition>/<n>.ts` (numbered from 0), and thumbnails `thumb<n>.jpg`. The
 * `…Pattern` forms are the same names as ffmpeg output templates (`%v` the rendition, `%d` the number).
 */
const RENDITION_PLAYLIST = 'playlist.m3u8';

export const ivsHlsNames = {
  multivariant: 'master.m3u8',
  renditionPlaylist: (rendition: string) => `${rendition}/${RENDITION_PLAYLIST}`,
  renditionPlaylistPattern: `%v/${RENDITION_PLAYLIST}`,
  segment: (rendition: string, index: number) => `${rendition}/${index}.ts`,
  segmentPattern: '%v/%d.ts',
  thumbnail: (index: number) => `thumb${index}.jpg`,
  thumbnailPattern: 'thumb%d.jpg',
} as const;

/** The number of a segment's name in its rendition: `12.ts` → 12; undefined for other names. */
export function ivsSegmentIndex(fileName: string): number | undefined {
  const match = /^(\d{1,9})\.ts$/.exec(fileName);
  return match ? Number(match[1]) : undefined;
}

/** The number of a thumbnail's file name: `thumb3.jpg` → 3; undefined for other names. */
export function ivsThumbnailIndex(fileName: string): number | undefined {
  const match = /^thumb(\d{1,9})\.jpg$/.exec(fileName);
  return match ? Number(match[1]) : undefined;
}

/** What a live playback path names: a channel's multivariant playlist, a rendition's playlist or a segment. */
export type LivePlaybackPath =
  | { channelId: string; file: 'multivariant' }
  | { channelId: string; file: 'rendition'; rendition: string }
  | { channelId: string; file: 'segment'; rendition: string; index: number };

/** Where a channel's live multivariant playlist is served, below the playback base URL: `AbCd1234/master.m3u8`. */
export function livePlaybackPath(channelId: string): string {
  return `${channelId}/${ivsHlsNames.multivariant}`;
}

/**
 * Reads a live playback path (below the playback base URL): `AbCd1234/master.m3u8`,
 * `AbCd1234/720p30/playlist.m3u8` or `AbCd1234/720p30/12.ts`; undefined for anything else.
 */
export function parseLivePlaybackPath(path: string): LivePlaybackPath | undefined {
  const match =
    /^([A-Za-z0-9]{1,64})\/(?:(master\.m3u8)|([A-Za-z0-9]{1,16})\/(?:(playlist\.m3u8)|(\d{1,9})\.ts))$/.exec(
      path,
    );
  if (!match?.[1]) return undefined;
  const [, channelId, master, rendition, , segment] = match;
  if (master) return { channelId, file: 'multivariant' };
  if (segment === undefined) return { channelId, file: 'rendition', rendition: rendition as string };
  return { channelId, file: 'segment', rendition: rendition as string, index: Number(segment) };
}

/** The files of a recording, relative to its prefix, as IVS names them. */
export const RECORDING_FILES = {
  started: 'events/recording-started.json',
  ended: 'events/recording-ended.json',
  /** The folder of the playlists and segments: the multivariant playlist, and a folder per rendition. */
  hlsFolder: 'media/hls',
  multivariantPlaylist: ivsHlsNames.multivariant,
  /** Each rendition's playlist, in the rendition's folder. */
  renditionPlaylist: RENDITION_PLAYLIST,
  thumbnailsFolder: 'media/thumbnails',
} as const;

/** A recording's place: who recorded, on which channel, when it started (UTC, to the minute) and its id. */
export interface RecordingLocation {
  accountId: string;
  channelId: string;
  startedAt: Date;
  recordingId: string;
}

const ACCOUNT = /^\d{12}$/;
const CHANNEL = /^[A-Za-z0-9]{1,64}$/;
const RECORDING = /^[A-Za-z0-9_-]{1,128}$/;
const RECORDING_PREFIX =
  /^ivs\/v1\/(\d{12})\/([A-Za-z0-9]{1,64})\/(\d{4})\/(\d{1,2})\/(\d{1,2})\/(\d{1,2})\/(\d{1,2})\/([A-Za-z0-9_-]{1,128})\/?$/;

/**
 * The key prefix of a recording as IVS writes it in its events, without a trailing slash, the date parts
 * unpadded: `ivs/v1/123456789012/AbCdef1G2hij/2026/1/2/3/4/j8Z9O91ndcVs` for one started 2026-01-02T03:04Z.
 */
export function recordingKeyPrefix(location: RecordingLocation): string {
  const { accountId, channelId, startedAt: at, recordingId } = location;
  if (!ACCOUNT.test(accountId) || !CHANNEL.test(channelId) || !RECORDING.test(recordingId)) {
    throw new MediaLayoutError(
      `No recording prefix for ${JSON.stringify({ accountId, channelId, recordingId })}`,
    );
  }
  const date = [
    at.getUTCFullYear(),
    at.getUTCMonth() + 1,
    at.getUTCDate(),
    at.getUTCHours(),
    at.getUTCMinutes(),
  ];
  return ['ivs', 'v1', accountId, channelId, ...date.map(String), recordingId].join('/');
}

/**
 * Reads a recording prefix, with or without its trailing slash: `ivs/v1/123456789012/AbCd/2026/11/21/12/5/rec1/`
 * → its location and `prefix`, the same ending in `/` (what a listing or a deletion is scoped to). Undefined
 * for anything shorter, longer or otherwise out of IVS's layout.
 */
export function parseRecordingPrefix(prefix: string): (RecordingLocation & { prefix: string }) | undefined {
  const match = RECORDING_PREFIX.exec(prefix);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(3, 8).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return undefined;
  return {
    accountId: match[1] as string,
    channelId: match[2] as string,
    startedAt: new Date(Date.UTC(year, month - 1, day, hour, minute)),
    recordingId: match[8] as string,
    prefix: prefix.endsWith('/') ? prefix : `${prefix}/`,
  };
}

/** `a/`, `/b/c` → `a/b/c`: keys joined with one slash between parts and none at either end. */
export function joinKey(...parts: string[]): string {
  return parts
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
}

/** A file of a recording, by its name relative to the prefix: `recordingFileKey(prefix, RECORDING_FILES.ended)`. */
export function recordingFileKey(keyPrefix: string, file: string): string {
  return joinKey(keyPrefix, file);
}

/** The metadata file IVS writes when a recording ends: `<prefix>/events/recording-ended.json`. */
export function recordingEndedKey(keyPrefix: string): string {
  return recordingFileKey(keyPrefix, RECORDING_FILES.ended);
}

/** The listing prefix of a recording's thumbnails, ending in `/`: `<prefix>/media/thumbnails/`. */
export function recordingThumbnailsPrefix(keyPrefix: string): string {
  return `${recordingFileKey(keyPrefix, RECORDING_FILES.thumbnailsFolder)}/`;
}

/** A recording's multivariant playlist: `<prefix>/media/hls/master.m3u8`. */
export function recordingMultivariantKey(keyPrefix: string): string {
  return joinKey(keyPrefix, RECORDING_FILES.hlsFolder, RECORDING_FILES.multivariantPlaylist);
}

/** A rendition's playlist in a recording: `<prefix>/media/hls/720p30/playlist.m3u8`. */
export function recordingRenditionPlaylistKey(keyPrefix: string, rendition: string): string {
  return joinKey(keyPrefix, RECORDING_FILES.hlsFolder, ivsHlsNames.renditionPlaylist(rendition));
}

/** A segment of a recording's rendition, numbered from 0: `<prefix>/media/hls/720p30/12.ts`. */
export function recordingSegmentKey(keyPrefix: string, rendition: string, index: number): string {
  return joinKey(keyPrefix, RECORDING_FILES.hlsFolder, ivsHlsNames.segment(rendition, index));
}

/** A thumbnail IVS wrote in a thumbnails folder, numbered from 0: `<prefix>/media/thumbnails/thumb3.jpg`. */
export function recordingThumbnailKey(folder: string, index: number): string {
  return joinKey(folder, ivsHlsNames.thumbnail(index));
}

/** {@link recordingThumbnailKey} with `{index}` for the number, for clients to fill in. */
export function recordingThumbnailTemplate(folder: string): string {
  return joinKey(folder, 'thumb{index}.jpg');
}

/** The number of a thumbnail key in `folder` (`<folder>/thumb3.jpg` → 3), or undefined for other keys. */
export function recordingThumbnailIndex(folder: string, key: string): number | undefined {
  const prefix = `${joinKey(folder)}/`;
  return key.startsWith(prefix) ? ivsThumbnailIndex(key.slice(prefix.length)) : undefined;
}

// ─── MediaConvert's output names ─────────────────────────────────────────────────────────────────────────

const SEGMENT_DIGITS = 5;
const CAPTURE_DIGITS = 7;

/**
 * How MediaConvert names what an output writes, from its name `<base><NameModifier>` (`index_720p`): the
 * playlist `index_720p.m3u8`, segments `index_720p_00001.ts` (or `.aac`), frame captures
 * `thumb.0000041.jpg`. The `…Pattern` forms are the same names as ffmpeg output templates.
 */
export const mediaConvertNames = {
  playlist: (name: string) => `${name}.m3u8`,
  segmentPattern: (name: string, extension: 'ts' | 'aac') => `${name}_%0${SEGMENT_DIGITS}d.${extension}`,
  capture: (name: string, index: number) => `${name}.${String(index).padStart(CAPTURE_DIGITS, '0')}.jpg`,
  capturePattern: (name: string) => `${name}.%0${CAPTURE_DIGITS}d.jpg`,
  /** The NameModifier of a rendition in an HLS group: `_720p`, so its playlist is `index_720p.m3u8`. */
  renditionModifier: (rendition: string) => `_${rendition}`,
} as const;

/** Whether `file` is one MediaConvert writes for the output `name`: its playlist, a segment or a capture. */
export function isMediaConvertFile(name: string, file: string, kind: 'hls' | 'capture'): boolean {
  if (!file.startsWith(name)) return false;
  const rest = file.slice(name.length);
  return kind === 'capture'
    ? new RegExp(`^\\.\\d{${CAPTURE_DIGITS},}\\.jpg$`).test(rest)
    : rest === '.m3u8' || new RegExp(`^_\\d{${SEGMENT_DIGITS},}\\.(ts|aac)$`).test(rest);
}

/**
 * A frame capture's number and the key with `{index}` in its place: `videos/v-1/thumbnails/thumb.0000041.jpg`
 * → `{ index: 41, template: 'videos/v-1/thumbnails/thumb.{index}.jpg' }`; undefined for other keys.
 */
export function parseCaptureKey(key: string): { index: number; template: string } | undefined {
  const match = new RegExp(`\\.(\\d{${CAPTURE_DIGITS}})\\.jpg$`).exec(key);
  if (!match?.[1]) return undefined;
  return { index: Number(match[1]), template: `${key.slice(0, match.index)}.{index}.jpg` };
}

/** The rendition a playlist of an HLS group is named for: `videos/v-1/hls/index_720p.m3u8` → `720p`. */
export function renditionOfPlaylistKey(key: string): string | undefined {
  return /_([^_/]+)\.m3u8$/.exec(key)?.[1];
}
