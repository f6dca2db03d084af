/**
 * Clips: a clip is a catalog video of its own (source kind `clip`), owned by whoever cut it, whose playlists
 * the manifest Lambda generates from the source's under the source's media prefix
 * (`<prefix>clips/<startMs>-<endMs>/index.m3u8`). Nothing is copied or re-encoded, so a clip is READY at once.
 *
 * Rules:
 * - the source must be a video or recording the caller may watch (anyone's public or unlisted, or their own),
 *   and READY; another user's private source does not exist for them (404);
 * - the range is checked against the source's duration and MAX_CLIP_SECONDS, and against its playlists, so a
 *   clip that is created always plays;
 * - a clip is never more visible than its source (default: the source's visibility), also later: the clip is
 *   written only while its source is as read, and a source that narrows or goes away narrows its clips
 *   (catalog/clip-narrowing.ts); a clip whose source the caller cannot read shows nothing of the source
 *   (catalog/visibility.ts).
 */
import { posix } from 'node:path';
import type { Rendition, Visibility, WatchableVideo } from '#contract/catalog.ts';
import { MAX_CLIP_SECONDS } from '#contract/clips.ts';

import { clipFolder, clipPlaylistPath, mediaSourceOf } from '#contract/media-layout.ts';
import type { AuthenticatedUser } from '#shared/auth.ts';
import { NotFoundError } from '#shared/errors.ts';
import { logger } from '#shared/logger.ts';

import type { StoredVideo } from '../catalog/video-catalog.ts';
import { assertWithinSource, type VideoPlaybackDeps, watchableVideo } from '../catalog/videos.ts';
import { type Sighting, SourceReader, sight } from '../catalog/visibility.ts';
import { clipRange } from '../delivery/clips.ts';
import { type PlaylistSource, planClip } from '../delivery/manifest.ts';
import { ClipOfClipError, SourceNotReadyError } from './errors.ts';

export interface ClipDeps extends VideoPlaybackDeps {
  playlists: PlaylistSource;
  newId: () => string;
  now: () => Date;
}

export interface ClipRequest {
  title: string;
  startSeconds: number;
  endSeconds: number;
  visibility?: Visibility | undefined;
}

/** A source that does not exist for the caller looks like one that does not exist at all. */
const noSource = () => new NotFoundError('No video with this id.');

export async function createClip(
  deps: ClipDeps,
  user: AuthenticatedUser,
  sourceId: string,
  request: ClipRequest,
): Promise<WatchableVideo> {
  const sources = new SourceReader(deps.catalog);
  const source = await sources.get(sourceId);
  if (!source || !(await sight(sources, user, source))) throw noSource();
  if (source.source.kind === 'clip') {
    throw new ClipOfClipError(`This is a clip; cut from its source (${source.source.videoId}) instead.`);
  }
  const manifestSource = source.playbackPath ? mediaSourceOf(source.playbackPath) : undefined;
  if (
    source.status !== 'READY' ||
    !source.playbackPath ||
    source.durationSeconds === undefined ||
    !manifestSource
  ) {
    throw new SourceNotReadyError(`The video is ${source.status}; clips can be cut once it is READY.`);
  }
  const range = clipRange(
    { start: request.startSeconds, end: request.endSeconds },
    { durationSeconds: source.durationSeconds, maxClipSeconds: MAX_CLIP_SECONDS },
  );
  const visibility = request.visibility ?? source.visibility;
  assertWithinSource(visibility, source.visibility);
  // The clip must be one the manifest Lambda can serve: every rendition is cut here once, to be sure.
  const plan = await planClip(manifestSource, range, deps.playlists);

  const folder = clipFolder(manifestSource, range);
  const sourceDir = posix.dirname(manifestSource.multivariantKey);
  const renditions: Rendition[] | undefined = source.renditions?.map((rendition) => ({
    ...rendition,
    playlistPath: posix.join(folder, posix.relative(sourceDir, rendition.playlistPath)),
  }));
  const at = deps.now().toISOString();
  const clip: StoredVideo = {
    videoId: deps.newId(),
    ownerId: user.sub,
    title: request.title,
    visibility,
    status: 'READY',
    source: { kind: 'clip', videoId: source.videoId, startSeconds: range.start, endSeconds: range.end },
    durationSeconds: Math.round(plan.durationSeconds * 1000) / 1000,
    playbackPath: clipPlaylistPath(manifestSource, range),
    ...(source.posterPath ? { posterPath: source.posterPath } : {}),
    ...(renditions ? { renditions } : {}),
    ...(source.audioOnly ? { audioOnly: true } : {}),
    createdAt: at,
    updatedAt: at,
  };
  await deps.catalog.create(clip);
  logger.info('clip created', {
    videoId: clip.videoId,
    sourceId: source.videoId,
    start: range.start,
    end: range.end,
  });
  return watchableVideo(deps, { video: clip, mine: true, mediaReadable: true, visibility });
}

export async function getClip(
  deps: VideoPlaybackDeps,
  user: AuthenticatedUser,
  clipId: string,
): Promise<WatchableVideo> {
  const clip = await deps.catalog.get(clipId);
  const seen: Sighting | undefined =
    clip?.source.kind === 'clip' ? await sight(new SourceReader(deps.catalog), user, clip) : undefined;
  if (!seen) throw new NotFoundError('No clip with this id.');
  return watchableVideo(deps, seen);
}
