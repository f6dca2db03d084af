import { randomUUID } from 'node:crypto';
import type { AdBreak } from '#contract/interactivity.ts';
import type { AuthenticatedUser } from '#shared/auth.ts';
import { logger } from '#shared/logger.ts';
import { resolveCreative } from '../catalog/creatives.ts';
import type { VideoCatalog } from '../catalog/video-catalog.ts';
import type { StreamStore } from '../live/ports.ts';
import { AdBreakInProgressError, MetadataThrottledError, StreamNotLiveError } from './errors.ts';
import { encodeMetadata } from './metadata.ts';
import type { InBandChannel, InteractivityStore, StoredAdBreak } from './ports.ts';
import { liveStreamOf, ownedChannel } from './stream-access.ts';

export interface AdBreakDeps {
  streams: Pick<StreamStore, 'channel' | 'newestStream'>;
  interactivity: Pick<InteractivityStore, 'claimAdBreak' | 'releaseAdBreak' | 'adBreak'>;
  catalog: Pick<VideoCatalog, 'get'>;
  inBand: InBandChannel;
  now: () => Date;
  /** The operator's house creative, for breaks that name none. */
  houseCreativeVideoId?: string;
}

/** An ad break as the API shows it. */
export function shownAdBreak(stored: StoredAdBreak): AdBreak {
  const { ivsStreamId: _broadcast, endsAt: _ends, ...adBreak } = stored;
  return adBreak;
}

/**
 * The owner starts an ad break now: the creative is checked (theirs, READY, not private, a sponsor creative; or
 * the house creative), the break claims the stream's one slot (409 while another plays), then goes in-band so
 * every viewer's player switches to the creative at the same moment of the video. A break IVS did not carry
 * gives its slot back.
 */
export async function startAdBreak(
  deps: AdBreakDeps,
  user: AuthenticatedUser,
  streamId: string,
  request: { durationSeconds: number; creativeVideoId?: string },
): Promise<AdBreak> {
  const channel = await ownedChannel(deps.streams, user, streamId);
  const { ivsStreamId } = await liveStreamOf(deps.streams, channel);
  const creative = await resolveCreative(
    deps.catalog,
    user.sub,
    request.creativeVideoId,
    deps.houseCreativeVideoId,
  );
  const startsAt = deps.now();
  const stored: StoredAdBreak = {
    adBreakId: randomUUID(),
    streamId,
    status: 'STARTED',
    startsAt: startsAt.toISOString(),
    durationSeconds: request.durationSeconds,
    creativeVideoId: creative.videoId,
    createdAt: startsAt.toISOString(),
    ivsStreamId,
    endsAt: new Date(startsAt.getTime() + request.durationSeconds * 1000).toISOString(),
  };
  if (!(await deps.interactivity.claimAdBreak(stored))) {
    const playing = await deps.interactivity.adBreak(streamId);
    const endsAt = playing?.endsAt ?? stored.startsAt;
    throw new AdBreakInProgressError(
      endsAt,
      Math.max(1, Math.ceil((Date.parse(endsAt) - startsAt.getTime()) / 1000)),
    );
  }
  const payload = encodeMetadata({
    v: 1,
    type: 'adBreak',
    adBreak: {
      adBreakId: stored.adBreakId,
      startsAt: stored.startsAt,
      durationSeconds: stored.durationSeconds,
      creativeVideoId: stored.creativeVideoId,
    },
  });
  let result: Awaited<ReturnType<InBandChannel['put']>>;
  try {
    result = await deps.inBand.put(channel.channelArn, payload);
  } catch (error) {
    await deps.interactivity.releaseAdBreak(streamId, stored.adBreakId);
    throw error;
  }
  if (result !== 'delivered') {
    await deps.interactivity.releaseAdBreak(streamId, stored.adBreakId);
    throw result === 'throttled' ? new MetadataThrottledError() : new StreamNotLiveError();
  }
  logger.info('ad break started', { streamId, durationSeconds: stored.durationSeconds });
  return shownAdBreak(stored);
}
