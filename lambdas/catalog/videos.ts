import type { ListedVideo, Video, Visibility, WatchableVideo } from '#contract/catalog.ts';
import type { AuthenticatedUser } from '#shared/auth.ts';
import { ForbiddenError, NotFoundError } from '#shared/errors.ts';
import { logger } from '#shared/logger.ts';
import { MediaPrefixError, mediaPrefixOf, type PlaybackIssuer } from '../delivery/playback.ts';
import { narrowClipsOf } from './clip-narrowing.ts';
import { CreativeNotEligibleError } from './creatives.ts';
import { SourceChangedError, VisibilityTooOpenError } from './errors.ts';
import { narrowest, OPENNESS, visibilitiesWithin } from './video.ts';
import type { Page, StoredVideo, VideoCatalog } from './video-catalog.ts';
import { type Sighting, SourceReader, shownVideo, sight } from './visibility.ts';

/** The uploads use case shows the owner their video with it. */
export { toApiVideo } from './visibility.ts';

/**
 * Reading, changing and deleting videos. Who sees what is visibility.ts; in short, the owner sees their own
 * videos in every status, anyone signed in sees a READY `public` or `unlisted` one (unlisted ones are not listed
 * publicly), a clip no more widely than its source, and what does not exist for a user answers 404, so its id
 * reveals nothing. Only the owner changes or deletes: a visible video of someone else answers 403.
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
  now: () => Date;
}

export type VideoListScope = 'mine' | 'public';

const notFound = () => new NotFoundError('No video with this id.');

/**
 * A video made from another (a clip) may be seen by as many people as its source, never more; a clip of a deleted
 * source (`undefined`) stays private.
 */
export function assertWithinSource(visibility: Visibility, source: Visibility | undefined): void {
  if (source === undefined && visibility !== 'private') {
    throw new VisibilityTooOpenError(`The source was deleted; its clips stay private, not ${visibility}.`);
  }
  if (source !== undefined && OPENNESS[visibility] > OPENNESS[source]) {
    throw new VisibilityTooOpenError(
      `The source is ${source}; its clips can be ${visibilitiesWithin(source).join(' or ')}, not ${visibility}.`,
    );
  }
}

/** What the user may see of the video, or 404 when it does not exist for them. */
async function sightOrNotFound(deps: CatalogReadDeps, user: AuthenticatedUser, videoId: string) {
  const video = await deps.catalog.get(videoId);
  const seen = video ? await sight(new SourceReader(deps.catalog), user, video) : undefined;
  if (!seen) throw notFound();
  return seen;
}

/**
 * Playback for a READY video whose media the user may read: cookies for its media prefix. A clip plays from its
 * source's prefix, so it plays only while the user may still read the source too (a source made private since,
 * or deleted, takes its clips' playback with it).
 */
export async function playbackFor(
  deps: VideoPlaybackDeps,
  sighting: Sighting,
): Promise<WatchableVideo['playback']> {
  const { video } = sighting;
  if (video.status !== 'READY' || !video.playbackPath || !sighting.mediaReadable) return undefined;
  try {
    return await deps.playback.issue(video.playbackPath);
  } catch (error) {
    if (!(error instanceof MediaPrefixError)) throw error;
    // Stored media we cannot sign for cannot be played: the video is shown without playback, and we are told.
    logger.error('no playback for a READY video', { videoId: video.videoId, error });
    return undefined;
  }
}

/** A video as the one who sighted it sees it, with playback when it is READY and its media readable. */
export async function watchableVideo(deps: VideoPlaybackDeps, sighting: Sighting): Promise<WatchableVideo> {
  const playback = await playbackFor(deps, sighting);
  return { ...shownVideo(sighting), ...(playback ? { playback } : {}) };
}

export async function getVideo(
  deps: VideoPlaybackDeps,
  user: AuthenticatedUser,
  videoId: string,
): Promise<WatchableVideo> {
  return watchableVideo(deps, await sightOrNotFound(deps, user, videoId));
}

/**
 * A listed video, with a signed URL for its poster when it is READY, has one, and its media is readable to the
 * caller (the URL is for that one object, so it reveals nothing more).
 */
export async function listedVideo(deps: VideoPlaybackDeps, sighting: Sighting): Promise<ListedVideo> {
  const { video } = sighting;
  const shown: ListedVideo = shownVideo(sighting);
  if (video.status !== 'READY' || !video.posterPath || !sighting.mediaReadable) return shown;
  try {
    return { ...shown, posterUrl: await deps.playback.signObject(video.posterPath) };
  } catch (error) {
    if (!(error instanceof MediaPrefixError)) throw error;
    // A poster we cannot sign for cannot be shown: the video is listed without one, and we are told.
    logger.error('no poster URL for a READY video', { videoId: video.videoId, error });
    return shown;
  }
}

/**
 * Your videos, or the public ones. The public listing holds public READY videos; a clip in it is left out while
 * its source is not public any more (its own narrowing may not have been written yet), so a page may hold fewer
 * than `limit` items.
 */
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
  const sources = new SourceReader(deps.catalog);
  const sightings = await Promise.all(result.items.map((video) => sight(sources, user, video)));
  const shown = sightings.filter(
    (seen): seen is Sighting =>
      seen !== undefined && (query.scope === 'mine' || seen.visibility === 'public'),
  );
  const items = await Promise.all(shown.map((seen) => listedVideo(deps, seen)));
  return { items, ...(result.cursor ? { cursor: result.cursor } : {}) };
}

/**
 * Deletes the video's files, then the video. Files go first, so a failure part-way leaves the video in the
 * catalog and the owner can simply delete it again. The clips cut from it are narrowed to private (and so
 * leave the public listing) before anything else, and again for any cut while the files were deleted: the
 * removal is conditional on no clip having been cut since the last pass.
 */
export async function deleteVideo(
  deps: VideoDeletionDeps,
  user: AuthenticatedUser,
  videoId: string,
): Promise<void> {
  const { video, mine } = await sightOrNotFound(deps, user, videoId);
  if (!mine) throw new ForbiddenError('Only the owner of a video can delete it.');

  const hideClips = () =>
    narrowClipsOf(deps.catalog, videoId, 'private', deps.now().toISOString(), { unlink: true });
  let clipsHidden = video.source.kind === 'clip' ? 0 : await hideClips();
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
  if (video.source.kind === 'clip') {
    await deps.catalog.remove(videoId);
  } else {
    let clipsCut = video.clipsCut;
    for (let attempt = 0; !(await deps.catalog.remove(videoId, { clipsCut })); attempt++) {
      const now = await deps.catalog.get(videoId);
      // Gone already (deleted twice at once).
      if (!now) break;
      if (attempt === 2)
        throw new SourceChangedError('Clips kept being cut from this video; delete it again.');
      clipsHidden += await hideClips();
      clipsCut = now.clipsCut;
    }
  }
  logger.info('video deleted', { videoId, status: video.status, mediaObjects, clipsHidden });
}

/** What the owner may change about a video. */
export interface VideoChanges {
  title?: string;
  description?: string;
  visibility?: Visibility;
  /** Shown before playback until dismissed; null removes it. */
  disclaimer?: string | null;
  /** The owner's ad breaks may play it: only a READY video that is not private (nor becomes private). */
  sponsorCreative?: boolean;
}

export interface VideoUpdateDeps extends CatalogReadDeps {
  now: () => Date;
}

/**
 * Changes a video's title, description, visibility or disclaimer; only its owner may. Playback follows at once: cookies are
 * handed out by each getVideo under the visibility of that moment (those already out last until they expire).
 *
 * A video that is not public afterwards has its clips narrowed to its visibility (every time, so repeating the
 * change finishes a narrowing a crash cut short). A clip's own change never takes it past its source's
 * visibility of the moment: asking for more is refused, and a clip still stored more open than its source
 * (its narrowing not written yet) is narrowed by any change, conditional on the source staying as read.
 */
export async function updateVideo(
  deps: VideoUpdateDeps,
  user: AuthenticatedUser,
  videoId: string,
  changes: VideoChanges,
): Promise<Video> {
  for (let attempt = 0; ; attempt++) {
    const seen = await sightOrNotFound(deps, user, videoId);
    if (!seen.mine) throw new ForbiddenError('Only the owner of a video can change it.');
    const at = deps.now().toISOString();
    const { video } = seen;
    if (changes.sponsorCreative === true) {
      const refusal =
        video.status !== 'READY'
          ? 'Only a READY video can be a sponsor creative.'
          : (changes.visibility ?? video.visibility) === 'private'
            ? 'A private video cannot be a sponsor creative: every viewer of an ad break plays it.'
            : undefined;
      if (refusal) throw new CreativeNotEligibleError(refusal, { details: { videoId } });
    }
    let updated: StoredVideo | undefined;
    if (video.source.kind === 'clip') {
      const sourceId = video.source.videoId;
      const source = await deps.catalog.get(sourceId);
      const ceiling = source?.visibility ?? 'private';
      if (changes.visibility) assertWithinSource(changes.visibility, source?.visibility);
      const visibility = narrowest(changes.visibility ?? video.visibility, ceiling);
      try {
        updated = await deps.catalog.updateDetails(videoId, { ...changes, visibility }, at, {
          sourceId,
          visibility: source?.visibility,
        });
      } catch (error) {
        if (!(error instanceof SourceChangedError) || attempt === 2) throw error;
        continue;
      }
    } else {
      updated = await deps.catalog.updateDetails(videoId, changes, at);
      if (updated && updated.visibility !== 'public') {
        const narrowed = await narrowClipsOf(deps.catalog, videoId, updated.visibility, at);
        if (narrowed > 0) logger.info('clips narrowed', { videoId, narrowed, to: updated.visibility });
      }
    }
    // Deleted meanwhile.
    if (!updated) throw notFound();
    logger.info('video updated', { videoId, changed: Object.keys(changes) });
    return shownVideo({ ...seen, video: updated, visibility: updated.visibility });
  }
}
