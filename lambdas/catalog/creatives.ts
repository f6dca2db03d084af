import { SkycastError } from '#shared/errors.ts';
import type { StoredVideo, VideoCatalog } from './video-catalog.ts';

/**
 * Which video an ad break may play: one of the break owner's own videos that is READY, not
 * private (every viewer of the break must be able to watch it) and marked `sponsorCreative`; or, when the owner
 * names none, the house creative the operator configured, which must be READY and not private as well.
 */

/** No creative was named and the deployment has no house creative. */
export class NoCreativeError extends SkycastError {
  readonly code = 'NO_CREATIVE';
  readonly status = 400;

  constructor() {
    super(
      'Name a creative (one of your READY videos marked sponsorCreative); this platform has no house creative.',
    );
  }
}

/** The named video cannot be played as an ad: not yours, not READY, private or not marked as a creative. */
export class CreativeNotEligibleError extends SkycastError {
  readonly code = 'CREATIVE_NOT_ELIGIBLE';
  readonly status = 400;
}

/** Why `video` may not be `ownerId`'s creative, or undefined when it may. */
export function creativeRefusal(
  video: StoredVideo | undefined,
  ownerId: string,
  houseCreativeVideoId?: string,
): string | undefined {
  const isHouse = video !== undefined && video.videoId === houseCreativeVideoId;
  if (!video || (!isHouse && video.ownerId !== ownerId)) return 'No video of yours has this id.';
  if (video.status !== 'READY') return 'The creative must be READY (transcoded).';
  if (video.visibility === 'private') return 'The creative must not be private: every viewer plays it.';
  if (!isHouse && video.sponsorCreative !== true)
    return 'Mark the video as a sponsor creative first (updateVideo sponsorCreative: true).';
  return undefined;
}

/** The creative an ad break of `ownerId` plays: the one named (checked), else the house creative (checked). */
export async function resolveCreative(
  catalog: Pick<VideoCatalog, 'get'>,
  ownerId: string,
  named: string | undefined,
  houseCreativeVideoId: string | undefined,
): Promise<StoredVideo> {
  const videoId = named ?? houseCreativeVideoId;
  if (videoId === undefined) throw new NoCreativeError();
  const video = await catalog.get(videoId);
  const refusal = creativeRefusal(video, ownerId, houseCreativeVideoId);
  if (refusal !== undefined || !video)
    throw new CreativeNotEligibleError(`Creative ${videoId}: ${refusal}`, { details: { videoId } });
  return video;
}
