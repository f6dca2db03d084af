import { type ListedVideo, Video, type Visibility, type WatchableVideo } from '#contract/catalog.ts';
import type { AuthenticatedUser } from '#shared/auth.ts';
import { ForbiddenError, NotFoundError } from '#shared/errors.ts';
import { logger } from '#shared/logger.ts';
import { MediaPrefixError, mediaPrefixOf, type PlaybackIssuer } from '../delivery/playback.ts';
import { VisibilityTooOpenError } from './errors.ts';
import { OPENNESS, visibilitiesWithin } from './video.ts';
import type { Page, StoredVideo, VideoCatalog } from './video-catalog.ts';

/**
 * Reading and deleting videos, and who may do it:
 * - the owner sees and deletes their own videos, in every status;
 * - anyone signed in may read a `public` or `unlisted` video (unlisted ones are not listed publicly);
 * - a `private` video does not exist for anyone else (404), so its id reveals nothing;
 * - only the owner deletes: a visible video of someone else answers 403, an invisible one 404.
 */

/** The files a video owns outside the catalog. */
export interface VideoFiles {
  /** Deletes everything the video has in the media bucket (renditions, posters, thumbnails); returns how many. */
  deleteMedia(videoId: string): Promise<number>;
  /** Deletes the original in the uploads bucket, aborting its multipart upload first when one is open. */
  deleteOriginal(sourceKey: string, uploadId?: string): Promise<void>;
  /** Deletes a live recording: everything under its prefix (`ivs/v1/…/<recording id>/`) in the recordings bucket. */
  deleteRecording(prefix: string): Promise<number>;
}

export interface CatalogReadDeps {
  catalog: VideoCatalog;
}

/** Reading a video to watch it: the catalog, and what signs playback cookies. */
export interface VideoPlaybackDeps extends CatalogReadDeps {
  playback: PlaybackIssuer;
}

export interface VideoDeletionDeps extends CatalogReadDeps {
  files: VideoFiles;
}

export type VideoListScope = 'mine' | 'public';

const API_FIELDS = Object.keys(Video.shape) as (keyof Video)[];

/**
 * A stored video as the API shows it: only the fields `Video` declares, so bookkeeping such as the S3 key,
 * upload id, part size or job id never leaves, whatever else a writer stores on the item later.
 */
export function toApiVideo(video: StoredVideo): Video {
  const shown: Record<string, unknown> = {};
  for (const field of API_FIELDS) {
    if (video[field] !== undefined) shown[field] = video[field];
  }
  return shown as Video;
}

export const isOwner = (video: StoredVideo, user: AuthenticatedUser) => video.ownerId === user.sub;

/** Whether the user may see the video at all. */
export const canRead = (video: StoredVideo, user: AuthenticatedUser) =>
  isOwner(video, user) || video.visibility !== 'private';

const notFound = () => new NotFoundError('No video with this id.');

/** A video made from another (a clip) may be seen by as many people as its source, never more. */
export function assertWithinSource(visibility: Visibility, source: Visibility): void {
  if (OPENNESS[visibility] > OPENNESS[source]) {
    throw new VisibilityTooOpenError(
      `The source is ${source}; its clips can be ${visibilitiesWithin(source).join(' or ')}, not ${visibility}.`,
    );
  }
}

/**
 * Playback for a READY video the user may read: cookies for its media prefix. A clip plays from its source's
 * prefix, so it plays only while the user may still read the source too (a source made private since, or
 * deleted, takes its clips' playback with it).
 */
export async function playbackFor(
  deps: VideoPlaybackDeps,
  user: AuthenticatedUser,
  video: StoredVideo,
): Promise<WatchableVideo['playback']> {
  if (video.status !== 'READY' || !video.playbackPath) return undefined;
  if (video.source.kind === 'clip') {
    const source = await deps.catalog.get(video.source.videoId);
    if (!source || !canRead(source, user) || source.status !== 'READY') return undefined;
  }
  try {
    return await deps.playback.issue(video.playbackPath);
  } catch (error) {
    if (!(error instanceof MediaPrefixError)) throw error;
    // Stored media we cannot sign for cannot be played: the video is shown without playback, and we are told.
    logger.error('no playback for a READY video', { videoId: video.videoId, error });
    return undefined;
  }
}

/** A video as one who may read it sees it, with playback when it is READY. */
export async function watchableVideo(
  deps: VideoPlaybackDeps,
  user: AuthenticatedUser,
  video: StoredVideo,
): Promise<WatchableVideo> {
  const playback = await playbackFor(deps, user, video);
  return { ...toApiVideo(video), ...(playback ? { playback } : {}) };
}

export async function getVideo(
  deps: VideoPlaybackDeps,
  user: AuthenticatedUser,
  videoId: string,
): Promise<WatchableVideo> {
  const video = await deps.catalog.get(videoId);
  if (!video || !canRead(video, user)) throw notFound();
  return watchableVideo(deps, user, video);
}

/**
 * A listed video, with a signed URL for its poster when it is READY and has one. A listing holds only videos
 * the caller may see, so the URL (for that one object) reveals nothing more.
 */
export async function listedVideo(deps: VideoPlaybackDeps, video: StoredVideo): Promise<ListedVideo> {
  const shown: ListedVideo = toApiVideo(video);
  if (video.status !== 'READY' || !video.posterPath) return shown;
  try {
    return { ...shown, posterUrl: await deps.playback.signObject(video.posterPath) };
  } catch (error) {
    if (!(error instanceof MediaPrefixError)) throw error;
    // A poster we cannot sign for cannot be shown: the video is listed without one, and we are told.
    logger.error('no poster URL for a READY video', { videoId: video.videoId, error });
    return shown;
  }
}

export async function listVideos(
  deps: VideoPlaybackDeps,
  user: AuthenticatedUser,
  query: { scope: VideoListScope; limit: number; cursor?: string },
): Promise<Page<ListedVideo>> {
  const page = { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) };
  const result =
    query.scope === 'mine'
      ? await deps.catalog.listByOwner(user.sub, page)
      : await deps.catalog.listPublic(page);
  const items = await Promise.all(result.items.map((video) => listedVideo(deps, video)));
  return { items, ...(result.cursor ? { cursor: result.cursor } : {}) };
}

/**
 * Deletes the video's files, then the video. Files go first, so a failure part-way leaves the video in the
 * catalog and the owner can simply delete it again.
 */
export async function deleteVideo(
  deps: VideoDeletionDeps,
  user: AuthenticatedUser,
  videoId: string,
): Promise<void> {
  const video = await deps.catalog.get(videoId);
  if (!video || !canRead(video, user)) throw notFound();
  if (!isOwner(video, user)) throw new ForbiddenError('Only the owner of a video can delete it.');

  // A clip owns nothing but its catalog entry: its playlists are generated from its source's media.
  let mediaObjects = 0;
  if (video.source.kind === 'recording') {
    // The recording is the video's media; without a playback path it never became playable, and has none.
    if (video.playbackPath)
      mediaObjects = await deps.files.deleteRecording(mediaPrefixOf(video.playbackPath));
  } else if (video.source.kind === 'upload') {
    mediaObjects = await deps.files.deleteMedia(videoId);
  }
  if (video.sourceKey) {
    await deps.files.deleteOriginal(
      video.sourceKey,
      video.status === 'UPLOADING' ? video.uploadId : undefined,
    );
  }
  await deps.catalog.remove(videoId);
  logger.info('video deleted', { videoId, status: video.status, mediaObjects });
}

/** What the owner may change about a video. */
export interface VideoChanges {
  title?: string;
  description?: string;
  visibility?: Visibility;
}

export interface VideoUpdateDeps extends CatalogReadDeps {
  now: () => Date;
}

/**
 * Changes a video's title, description or visibility; only its owner may. Playback follows at once: cookies are
 * handed out by each getVideo under the visibility of that moment (those already out last until they expire).
 */
export async function updateVideo(
  deps: VideoUpdateDeps,
  user: AuthenticatedUser,
  videoId: string,
  changes: VideoChanges,
): Promise<Video> {
  const video = await deps.catalog.get(videoId);
  if (!video || !canRead(video, user)) throw notFound();
  if (!isOwner(video, user)) throw new ForbiddenError('Only the owner of a video can change it.');
  if (changes.visibility && video.source.kind === 'clip') {
    const source = await deps.catalog.get(video.source.videoId);
    if (source) assertWithinSource(changes.visibility, source.visibility);
  }
  const updated = await deps.catalog.updateDetails(videoId, changes, deps.now().toISOString());
  // Deleted meanwhile.
  if (!updated) throw notFound();
  logger.info('video updated', { videoId, changed: Object.keys(changes) });
  return toApiVideo(updated);
}
