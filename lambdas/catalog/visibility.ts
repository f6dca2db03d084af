/**
 * Who sees what of a video:
 * - the owner sees their own videos in every status, with everything but bookkeeping;
 * - anyone else signed in sees a `public` or `unlisted` video once it is READY (before, it does not exist for
 *   them), without the uploader's original file name;
 * - a clip is seen by others only while they may read its source too, so it is never more open than its source,
 *   even before a narrowing of the source has reached the stored clip;
 * - nobody is shown anything of a source they cannot read: a clip of such a source (its owner still sees it)
 *   comes without the playback path, poster, thumbnails and renditions it shares with the source, and nothing of
 *   it is signed.
 */
import { Video, type Visibility } from '#contract/catalog.ts';
import type { AuthenticatedUser } from '#shared/auth.ts';
import { narrowest } from './video.ts';
import type { StoredVideo, VideoCatalog } from './video-catalog.ts';

/** A video as one user may see it. */
export interface Sighting {
  video: StoredVideo;
  /** The user owns the video. */
  mine: boolean;
  /** The user may read the video's media: always for a video, for a clip only while they may read its source. */
  mediaReadable: boolean;
  /** Its visibility in effect: a clip's own, narrowed to its source's (private when the source is gone). */
  visibility: Visibility;
}

const API_FIELDS = Object.keys(Video.shape) as (keyof Video)[];
/** What a clip shares with its source's media. */
const SOURCE_MEDIA_FIELDS = ['playbackPath', 'posterPath', 'thumbnails', 'renditions'] as const;

/**
 * A stored video as the API shows it to its owner: only the fields `Video` declares, so bookkeeping such as the
 * S3 key, upload id, part size or job id never leaves, whatever else a writer stores on the item later.
 */
export function toApiVideo(video: StoredVideo): Video {
  const shown: Record<string, unknown> = {};
  for (const field of API_FIELDS) {
    if (video[field] !== undefined) shown[field] = video[field];
  }
  return shown as Video;
}

/** A video as the user of the sighting sees it. */
export function shownVideo(sighting: Sighting): Video {
  const shown = toApiVideo(sighting.video);
  shown.visibility = sighting.visibility;
  if (!sighting.mine && shown.source.kind === 'upload') {
    const { fileName: _ownersOnly, ...source } = shown.source;
    shown.source = source;
  }
  if (!sighting.mediaReadable) for (const field of SOURCE_MEDIA_FIELDS) delete shown[field];
  return shown;
}

export const isOwner = (video: StoredVideo, user: AuthenticatedUser) => video.ownerId === user.sub;

/** Whether the user may see the video itself (for a clip, its source decides too: see `sight`). */
export const canReadItself = (video: StoredVideo, user: AuthenticatedUser) =>
  isOwner(video, user) || (video.visibility !== 'private' && video.status === 'READY');

/** Reads the sources of clips once per request, however many of its clips a listing holds. */
export class SourceReader {
  private readonly read = new Map<string, Promise<StoredVideo | undefined>>();
  constructor(private readonly catalog: Pick<VideoCatalog, 'get'>) {}

  get(videoId: string): Promise<StoredVideo | undefined> {
    let source = this.read.get(videoId);
    if (!source) {
      source = this.catalog.get(videoId);
      this.read.set(videoId, source);
    }
    return source;
  }
}

/** What the user may see of the video; undefined when it does not exist for them. */
export async function sight(
  sources: SourceReader,
  user: AuthenticatedUser,
  video: StoredVideo,
): Promise<Sighting | undefined> {
  if (!canReadItself(video, user)) return undefined;
  const mine = isOwner(video, user);
  if (video.source.kind !== 'clip') {
    return { video, mine, mediaReadable: true, visibility: video.visibility };
  }
  const source = await sources.get(video.source.videoId);
  const mediaReadable = source !== undefined && source.status === 'READY' && canReadItself(source, user);
  if (!mine && !mediaReadable) return undefined;
  return {
    video,
    mine,
    mediaReadable,
    visibility: narrowest(video.visibility, source?.visibility ?? 'private'),
  };
}
