import { randomUUID } from 'node:crypto';
import { AD_BREAK_MAX_LEAD_SECONDS, AD_BREAK_NOW_SECONDS, type AdBreak } from '#contract/interactivity.ts';
import type { AuthenticatedUser } from '#shared/auth.ts';
import { SkycastError } from '#shared/errors.ts';
import { logger } from '#shared/logger.ts';
import { resolveCreative } from '../catalog/creatives.ts';
import type { VideoCatalog } from '../catalog/video-catalog.ts';
import type { StoredChannel, StreamStore } from '../live/ports.ts';
import { AdBreakInProgressError, MetadataThrottledError, StreamNotLiveError } from './errors.ts';
import { encodeMetadata } from './metadata.ts';
import type {
  AdBreakSchedules,
  AdBreakStartInput,
  InBandChannel,
  InteractivityStore,
  StoredAdBreak,
} from './ports.ts';
import { liveStreamOf, ownedChannel } from './stream-access.ts';

export interface AdBreakDeps {
  streams: Pick<StreamStore, 'channel' | 'newestStream'>;
  interactivity: Pick<
    InteractivityStore,
    | 'claimAdBreak'
    | 'releaseAdBreak'
    | 'adBreak'
    | 'putScheduledAdBreak'
    | 'scheduledAdBreak'
    | 'scheduledAdBreaks'
    | 'settleScheduledAdBreak'
  >;
  catalog: Pick<VideoCatalog, 'get'>;
  inBand: InBandChannel;
  now: () => Date;
  /** The operator's house creative, for breaks that name none. */
  houseCreativeVideoId?: string;
  /** One-time schedules for breaks asked for later; without them only breaks that start now are offered. */
  schedules?: AdBreakSchedules;
}

/** A time an ad break cannot be scheduled at. */
export class AdBreakTimeInvalidError extends SkycastError {
  readonly code = 'AD_BREAK_TIME_INVALID';
  readonly status = 400;
}

/** A scheduled break would play while another does. */
export class AdBreakOverlapsError extends SkycastError {
  readonly code = 'AD_BREAK_OVERLAPS';
  readonly status = 409;
}

/** An ad break as the API shows it. */
export function shownAdBreak(stored: StoredAdBreak): AdBreak {
  const { ivsStreamId: _broadcast, endsAt: _ends, ...adBreak } = stored;
  return adBreak;
}

/** The schedule of a scheduled break: one per break, in the application's schedule group. */
export const scheduleNameFor = (adBreakId: string) => `ad-break-${adBreakId}`;

const endOf = (startsAt: Date, durationSeconds: number) =>
  new Date(startsAt.getTime() + durationSeconds * 1000).toISOString();

/**
 * Starts `stored` now: it claims the stream's one slot (409 while another plays), then goes in-band so every
 * viewer's player switches to the creative at the same moment of the video. A break IVS did not carry gives
 * its slot back.
 */
async function begin(deps: AdBreakDeps, channel: StoredChannel, stored: StoredAdBreak): Promise<void> {
  if (!(await deps.interactivity.claimAdBreak(stored))) {
    const playing = await deps.interactivity.adBreak(stored.streamId);
    const endsAt = playing?.endsAt ?? stored.startsAt;
    const wait = Math.max(1, Math.ceil((Date.parse(endsAt) - Date.parse(stored.startsAt)) / 1000));
    throw new AdBreakInProgressError(endsAt, wait);
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
    await deps.interactivity.releaseAdBreak(stored.streamId, stored.adBreakId);
    throw error;
  }
  if (result !== 'delivered') {
    await deps.interactivity.releaseAdBreak(stored.streamId, stored.adBreakId);
    throw result === 'throttled' ? new MetadataThrottledError() : new StreamNotLiveError();
  }
  logger.info('ad break started', { streamId: stored.streamId, durationSeconds: stored.durationSeconds });
}

/**
 * The owner's ad break, now or at `startsAt` (within the next 24 hours): the stream must be live and the
 * creative playable as an ad (theirs, READY, not private, a sponsor creative; or the house creative). A break
 * for later is kept SCHEDULED, with a one-time schedule that starts it at its time; it may not overlap another
 * break, and the stream's end cancels it.
 */
export async function scheduleAdBreak(
  deps: AdBreakDeps,
  user: AuthenticatedUser,
  streamId: string,
  request: { durationSeconds: number; creativeVideoId?: string; startsAt?: string },
): Promise<AdBreak> {
  const now = deps.now();
  const asked = request.startsAt === undefined ? undefined : new Date(request.startsAt);
  const lead = asked ? (asked.getTime() - now.getTime()) / 1000 : 0;
  if (lead < -AD_BREAK_NOW_SECONDS)
    throw new AdBreakTimeInvalidError(
      `startsAt ${request.startsAt} is in the past; leave it out to start now.`,
    );
  if (lead > AD_BREAK_MAX_LEAD_SECONDS)
    throw new AdBreakTimeInvalidError(
      `An ad break can be scheduled at most ${AD_BREAK_MAX_LEAD_SECONDS / 3600} hours ahead.`,
    );
  const later = asked !== undefined && lead > AD_BREAK_NOW_SECONDS;
  if (later && !deps.schedules)
    throw new AdBreakTimeInvalidError('This deployment starts ad breaks now only: leave startsAt out.');
  const channel = await ownedChannel(deps.streams, user, streamId);
  const { ivsStreamId } = await liveStreamOf(deps.streams, channel);
  const creative = await resolveCreative(
    deps.catalog,
    user.sub,
    request.creativeVideoId,
    deps.houseCreativeVideoId,
  );
  const startsAt = later ? asked : now;
  const stored: StoredAdBreak = {
    adBreakId: randomUUID(),
    streamId,
    status: later ? 'SCHEDULED' : 'STARTED',
    startsAt: startsAt.toISOString(),
    durationSeconds: request.durationSeconds,
    creativeVideoId: creative.videoId,
    createdAt: now.toISOString(),
    ivsStreamId,
    endsAt: endOf(startsAt, request.durationSeconds),
  };
  if (!later) {
    await begin(deps, channel, stored);
    return shownAdBreak(stored);
  }
  const [scheduledOnes, playing] = await Promise.all([
    deps.interactivity.scheduledAdBreaks(streamId),
    deps.interactivity.adBreak(streamId),
  ]);
  const taken = [
    ...scheduledOnes.filter((item) => item.status === 'SCHEDULED'),
    ...(playing ? [playing] : []),
  ].find((item) => item.startsAt < stored.endsAt && stored.startsAt < item.endsAt);
  if (taken)
    throw new AdBreakOverlapsError(
      `Another ad break plays from ${taken.startsAt} to ${taken.endsAt}; pick a time outside it.`,
      { details: { adBreakId: taken.adBreakId, startsAt: taken.startsAt, endsAt: taken.endsAt } },
    );
  await deps.interactivity.putScheduledAdBreak(stored);
  try {
    await deps.schedules?.create(scheduleNameFor(stored.adBreakId), startsAt, {
      streamId,
      adBreakId: stored.adBreakId,
    });
  } catch (error) {
    await deps.interactivity.settleScheduledAdBreak(streamId, stored.adBreakId, 'CANCELLED');
    throw error;
  }
  logger.info('ad break scheduled', { streamId, startsAt: stored.startsAt });
  return shownAdBreak(stored);
}

/**
 * A scheduled break's time has come (its schedule invoked the ad-break-start function): it starts if it is
 * still SCHEDULED, the broadcast it was scheduled in is still live, its creative is still playable and no other
 * break plays; otherwise it is CANCELLED. A failure to put it in-band is thrown, for Scheduler to try again.
 */
export async function startScheduledAdBreak(
  deps: AdBreakDeps,
  input: AdBreakStartInput,
): Promise<'STARTED' | 'CANCELLED' | 'NOTHING'> {
  const scheduled = await deps.interactivity.scheduledAdBreak(input.streamId, input.adBreakId);
  if (scheduled?.status !== 'SCHEDULED') return 'NOTHING';
  const cancel = async (why: string) => {
    logger.info('scheduled ad break cancelled', { streamId: input.streamId, why });
    await deps.interactivity.settleScheduledAdBreak(input.streamId, input.adBreakId, 'CANCELLED');
    return 'CANCELLED' as const;
  };
  const channel = await deps.streams.channel(input.streamId);
  if (!channel) return cancel('the channel is gone');
  const live = await liveStreamOf(deps.streams, channel).catch((error: unknown) => {
    if (error instanceof StreamNotLiveError) return undefined;
    throw error;
  });
  if (live?.ivsStreamId !== scheduled.ivsStreamId) return cancel('the broadcast it was scheduled in ended');
  try {
    await resolveCreative(
      deps.catalog,
      channel.ownerId,
      scheduled.creativeVideoId,
      deps.houseCreativeVideoId,
    );
  } catch (error) {
    if (error instanceof SkycastError && error.status === 400)
      return cancel('the creative may not play any more');
    throw error;
  }
  const now = deps.now();
  const starting: StoredAdBreak = {
    ...scheduled,
    status: 'STARTED',
    startsAt: now.toISOString(),
    endsAt: endOf(now, scheduled.durationSeconds),
  };
  try {
    await begin(deps, channel, starting);
  } catch (error) {
    if (error instanceof AdBreakInProgressError) return cancel('another ad break plays');
    if (error instanceof StreamNotLiveError) return cancel('the stream is off air');
    throw error;
  }
  await deps.interactivity.settleScheduledAdBreak(input.streamId, input.adBreakId, 'STARTED');
  return 'STARTED';
}

/** The broadcast `ivsStreamId` of `streamId` ended: its breaks still scheduled are cancelled, schedules deleted. */
export async function cancelScheduledAdBreaks(
  deps: {
    interactivity: Pick<InteractivityStore, 'scheduledAdBreaks' | 'settleScheduledAdBreak'>;
    schedules: AdBreakSchedules;
  },
  streamId: string,
  ivsStreamId: string,
): Promise<number> {
  let cancelled = 0;
  for (const item of await deps.interactivity.scheduledAdBreaks(streamId)) {
    if (item.status !== 'SCHEDULED' || item.ivsStreamId !== ivsStreamId) continue;
    await deps.schedules.delete(scheduleNameFor(item.adBreakId));
    if (await deps.interactivity.settleScheduledAdBreak(streamId, item.adBreakId, 'CANCELLED'))
      cancelled += 1;
  }
  if (cancelled > 0) logger.info('scheduled ad breaks cancelled: the stream ended', { streamId, cancelled });
  return cancelled;
}
