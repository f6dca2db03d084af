/**
 * Where Skycast's media lives: every S3 key and media path the handlers, the CDK app and the local platform
 * write or read is built and recognised here, and nowhere else.
 *
 * - uploads bucket: `uploads/<ownerId>/<videoId>/source.<ext>`, the original of an upload;
 * - media bucket: `videos/<videoId>/…`, what a transcode wrote (`hls/`, `thumbnails/`, `poster/`);
 * - recordings bucket: IVS's own layout, `ivs/v1/<account>/<channel>/<y>/<m>/<d>/<h>/<min>/<recording id>/…`
 *   (see media-layout-aws.ts);
 * - generated playlists (the manifest Lambda), under the media prefix of their source:
 *   `<prefix>manifest/index.m3u8` and `<prefix>clips/<startMs>-<endMs>/…`.
 *
 * A media path on the distribution is the object's key, so the same functions serve URLs and keys. Keys are
 * recognised strictly: a key with `..`, an empty segment or an id we never issue is outside the layout.
 */
import {
  MediaLayoutError,
  parseRecordingPrefix,
  RECORDING_OBJECTS,
  RECORDINGS_ROOT,
  recordingMultivariantKey,
} from './media-layout-aws.ts';
import { AUDIO_EXTENSIONS, VIDEO_EXTENSIONS } from './media-types.ts';
import type { BucketRole } from './resources.ts';

export * from './media-layout-aws.ts';

/** The ids that name folders: a video id (1–64, the API's rule) or an owner's id (a Cognito `sub`). */
const ID = /^[A-Za-z0-9_-]{1,128}$/;

function checkId(what: string, value: string): string {
  if (!ID.test(value)) throw new MediaLayoutError(`${what} ${JSON.stringify(value)} cannot name a folder`);
  return value;
}

// ─── Uploads bucket ──────────────────────────────────────────────────────────────────────────────────────

/** Where originals live in the uploads bucket, and the S3 notification prefix that starts their transcode. */
export const UPLOADS_PREFIX = 'uploads/';

/** Every original, as an IAM resource pattern of the uploads bucket: `uploads/*`. */
export const UPLOAD_OBJECTS = `${UPLOADS_PREFIX}*`;

/** File extensions an original keeps in its key (the video and audio files createUpload accepts by name); any
 * other name is stored as plain `source`. */
export const STORED_UPLOAD_EXTENSIONS: readonly string[] = Object.keys({
  ...VIDEO_EXTENSIONS,
  ...AUDIO_EXTENSIONS,
});

const UPLOAD_KEY = /^uploads\/([A-Za-z0-9_-]{1,128})\/([A-Za-z0-9_-]{1,128})\/source(?:\.([a-z0-9]{1,5}))?$/;

/**
 * The key of an upload's original: `uploadKey('u-1', 'v-1', 'My Holiday.MOV')` is `uploads/u-1/v-1/source.mov`.
 * The owner's id in the key keeps one user's presigned URLs inside their own prefix; the file's own name never
 * reaches the key, only a known extension of it.
 */
export function uploadKey(ownerId: string, videoId: string, fileName: string): string {
  const extension = /\.([A-Za-z0-9]{1,5})$/.exec(fileName)?.[1]?.toLowerCase();
  const suffix = extension && STORED_UPLOAD_EXTENSIONS.includes(extension) ? `.${extension}` : '';
  return `${UPLOADS_PREFIX}${checkId('An owner id', ownerId)}/${checkId('A video id', videoId)}/source${suffix}`;
}

/**
 * The owner and video of an uploads-bucket key, or undefined for a key that is not an original:
 * `uploads/u-1/v-1/source.mp4` → `{ ownerId: 'u-1', videoId: 'v-1' }`.
 */
export function parseUploadKey(key: string): { ownerId: string; videoId: string } | undefined {
  const match = UPLOAD_KEY.exec(key);
  if (!match?.[1] || !match[2]) return undefined;
  if (match[3] !== undefined && !STORED_UPLOAD_EXTENSIONS.includes(match[3])) return undefined;
  return { ownerId: match[1], videoId: match[2] };
}

// ─── Media bucket: a video's transcoded outputs ──────────────────────────────────────────────────────────

/** Where transcodes write in the media bucket. */
export const VIDEOS_PREFIX = 'videos/';

/** Every transcoded file, as an IAM resource pattern of the media bucket: `videos/*`. */
export const VIDEO_OBJECTS = `${VIDEOS_PREFIX}*`;

/**
 * The folder of each output group under a video's prefix and the base name MediaConvert gives its files:
 * `videos/<id>/hls/index.m3u8` (renditions `index_<name>.m3u8`), `videos/<id>/thumbnails/thumb.0000000.jpg`,
 * `videos/<id>/poster/poster.0000001.jpg`.
 */
export const VIDEO_OUTPUTS = {
  hls: { folder: 'hls', base: 'index' },
  thumbnails: { folder: 'thumbnails', base: 'thumb' },
  poster: { folder: 'poster', base: 'poster' },
} as const;

/** One of a video's output groups. */
export type VideoOutput = keyof typeof VIDEO_OUTPUTS;

/** The media prefix of a transcoded video, ending in `/`: `videoMediaPrefix('v-1')` is `videos/v-1/`. */
export function videoMediaPrefix(videoId: string): string {
  return `${VIDEOS_PREFIX}${checkId('A video id', videoId)}/`;
}

/**
 * Where an output group's files go, as MediaConvert's destination key (folder and base name):
 * `videoOutputDestination('v-1', 'thumbnails')` is `videos/v-1/thumbnails/thumb`.
 */
export function videoOutputDestination(videoId: string, output: VideoOutput): string {
  const { folder, base } = VIDEO_OUTPUTS[output];
  return `${videoMediaPrefix(videoId)}${folder}/${base}`;
}

/** The multivariant playlist of a transcoded video: `videos/v-1/hls/index.m3u8`. */
export function videoPlaylistKey(videoId: string): string {
  return `${videoOutputDestination(videoId, 'hls')}.m3u8`;
}

/**
 * The output group a media-bucket key belongs to: `videos/v-1/poster/poster.0000001.jpg` → `{ videoId: 'v-1',
 * output: 'poster', file: 'poster.0000001.jpg' }`; undefined outside a video's output folders.
 */
export function parseVideoOutputKey(
  key: string,
): { videoId: string; output: VideoOutput; file: string } | undefined {
  const match = /^videos\/([A-Za-z0-9_-]{1,128})\/([a-z]+)\/([^/]+)$/.exec(key);
  if (!match?.[1] || !match[2] || !match[3] || match[3] === '..' || match[3] === '.') return undefined;
  const output = (Object.keys(VIDEO_OUTPUTS) as VideoOutput[]).find(
    (name) => VIDEO_OUTPUTS[name].folder === match[2],
  );
  return output ? { videoId: match[1], output, file: match[3] } : undefined;
}

// ─── Playable sources and their media prefixes ───────────────────────────────────────────────────────────

/** The buckets media is played from. */
export type MediaSourceBucket = 'media' | 'recordings';

/** A video or recording whose media (and generated playlists) live under one prefix. */
export interface MediaSource {
  bucket: MediaSourceBucket;
  /** Its media prefix, ending in `/`: what playback cookies cover. */
  prefix: string;
  /** Key of its own multivariant playlist. */
  multivariantKey: string;
}

const VIDEO_PREFIX = /^videos\/[A-Za-z0-9_-]{1,128}\//;

/**
 * The source a key or playback path lives under, if it is under one:
 * `videos/v-1/hls/index_720p.m3u8` → the media bucket's `videos/v-1/` with `videos/v-1/hls/index.m3u8`;
 * `ivs/v1/123456789012/AbCd/2026/11/21/12/5/rec1/media/hls/master.m3u8` → that recording's prefix in the
 * recordings bucket with `…/rec1/media/hls/master.m3u8`. Paths with `.` or `..` segments are under none.
 */
export function mediaSourceOf(path: string): MediaSource | undefined {
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) return undefined;
  const video = VIDEO_PREFIX.exec(path)?.[0];
  if (video)
    return {
      bucket: 'media',
      prefix: video,
      multivariantKey: `${video}${VIDEO_OUTPUTS.hls.folder}/index.m3u8`,
    };
  const slash = nthSlash(path, RECORDING_PREFIX_SEGMENTS);
  const recording = slash < 0 ? undefined : parseRecordingPrefix(path.slice(0, slash + 1));
  if (recording) {
    return {
      bucket: 'recordings',
      prefix: recording.prefix,
      multivariantKey: recordingMultivariantKey(recording.prefix),
    };
  }
  return undefined;
}

/** `ivs`, `v1`, account, channel, year, month, day, hour, minute, recording id. */
const RECORDING_PREFIX_SEGMENTS = 10;

function nthSlash(text: string, n: number): number {
  let at = -1;
  for (let i = 0; i < n; i += 1) {
    at = text.indexOf('/', at + 1);
    if (at < 0) return -1;
  }
  return at;
}

// ─── Generated playlists (the manifest Lambda) ───────────────────────────────────────────────────────────

/** A time range in seconds, as clips are cut. */
export interface MediaTimeRange {
  start: number;
  end: number;
}

const FILTERED_PLAYLIST = 'manifest/index.m3u8';
const CLIPS_FOLDER = 'clips';
const CLIP_FOLDER = /^(\d{1,9})-(\d{1,9})$/;

/** The multivariant playlist filtered per viewer, under a source's prefix: `videos/v-1/manifest/index.m3u8`. */
export function filteredPlaylistPath(source: Pick<MediaSource, 'prefix'>): string {
  return `${source.prefix}${FILTERED_PLAYLIST}`;
}

/** `<startMs>-<endMs>`, a clip's range as a folder name in whole milliseconds: `{ start: 1, end: 2.5 }` → `1000-2500`. */
export function clipFolderName(range: MediaTimeRange): string {
  return `${Math.round(range.start * 1000)}-${Math.round(range.end * 1000)}`;
}

/** The range a clip folder name stands for, in seconds: `1000-2500` → `{ start: 1, end: 2.5 }`; else undefined. */
export function parseClipFolderName(folder: string): MediaTimeRange | undefined {
  const match = CLIP_FOLDER.exec(folder);
  return match ? { start: Number(match[1]) / 1000, end: Number(match[2]) / 1000 } : undefined;
}

/**
 * Where a clip's playlists are served, ending in `/`: `clipFolder({ prefix: 'videos/v-1/' }, { start: 1,
 * end: 2.5 })` is `videos/v-1/clips/1000-2500/`; its multivariant playlist is `index.m3u8` in it.
 */
export function clipFolder(source: Pick<MediaSource, 'prefix'>, range: MediaTimeRange): string {
  return `${source.prefix}${CLIPS_FOLDER}/${clipFolderName(range)}/`;
}

/** The name of a clip's multivariant playlist in its folder. */
export const CLIP_PLAYLIST = 'index.m3u8';

/** A clip's multivariant playlist: `videos/v-1/clips/1000-2500/index.m3u8`. */
export function clipPlaylistPath(source: Pick<MediaSource, 'prefix'>, range: MediaTimeRange): string {
  return `${clipFolder(source, range)}${CLIP_PLAYLIST}`;
}

/** What a generated-playlist path names. */
export type GeneratedPlaylistPath =
  | { kind: 'filtered'; source: MediaSource }
  /** `folder` is the clip's range as named in the path; `file` the rest after it (`index.m3u8`, `720p/…`). */
  | { kind: 'clip'; source: MediaSource; folder: string; file: string };

/**
 * Recognises a path the manifest Lambda answers: `videos/v-1/manifest/index.m3u8` (filtered) or
 * `videos/v-1/clips/1000-2500/index.m3u8` (a clip; its range is read with {@link parseClipFolderName}).
 */
export function parseGeneratedPlaylistPath(path: string): GeneratedPlaylistPath | undefined {
  const source = mediaSourceOf(path);
  if (!source) return undefined;
  const rest = path.slice(source.prefix.length);
  if (rest === FILTERED_PLAYLIST) return { kind: 'filtered', source };
  const clip = /^clips\/([^/]+)\/(.+)$/.exec(rest);
  if (!clip?.[1] || !clip[2]) return undefined;
  return { kind: 'clip', source, folder: clip[1], file: clip[2] };
}

// ─── The media distribution ──────────────────────────────────────────────────────────────────────────────

/**
 * The URL path prefixes of media on the web distribution (its media paths are the keys): the SPA never routes
 * a page under them.
 */
export const MEDIA_PATH_PREFIXES = [`/${VIDEOS_PREFIX}`, `/${RECORDINGS_ROOT}`] as const;

const anyVideo = `${VIDEOS_PREFIX}*`;
const anyRecording = `${RECORDINGS_ROOT}*`;

/**
 * CloudFront path patterns (no leading slash; `*` is any run of characters, slashes included) for each kind
 * of media path, for the delivery table's cache behaviours.
 */
export const MEDIA_PATH_PATTERNS = {
  videoFilteredPlaylists: `${anyVideo}/${FILTERED_PLAYLIST}`,
  recordingFilteredPlaylists: `${anyRecording}/${FILTERED_PLAYLIST}`,
  videoClipPlaylists: `${anyVideo}/${CLIPS_FOLDER}/*.m3u8`,
  recordingClipPlaylists: `${anyRecording}/${CLIPS_FOLDER}/*.m3u8`,
  videoPlaylists: `${anyVideo}/${VIDEO_OUTPUTS.hls.folder}/*.m3u8`,
  videoSegments: `${anyVideo}/${VIDEO_OUTPUTS.hls.folder}/*`,
  videoThumbnails: `${anyVideo}/${VIDEO_OUTPUTS.thumbnails.folder}/*`,
  videoPosters: `${anyVideo}/${VIDEO_OUTPUTS.poster.folder}/*`,
  recordingPlaylists: `${anyRecording}.m3u8`,
  recordingFiles: anyRecording,
  videoFiles: anyVideo,
} as const;

/**
 * What each bucket holds, as an IAM resource pattern of its objects: a function's grants on a bucket cover
 * these keys and nothing else there (`uploads/*`, `videos/*`, `ivs/*`).
 */
export const BUCKET_OBJECTS: Readonly<Record<BucketRole, string>> = {
  uploads: UPLOAD_OBJECTS,
  media: VIDEO_OBJECTS,
  recordings: RECORDING_OBJECTS,
};
