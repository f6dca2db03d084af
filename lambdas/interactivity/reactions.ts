import { REACTION_RATE_LIMIT, type Reaction, type ReactionAccepted } from '#contract/interactivity.ts';
import type { AuthenticatedUser } from '#shared/auth.ts';
import { streamNotFound } from '../live/errors.ts';
import type { StoredChannel, StreamStore } from '../live/ports.ts';
import { canWatch } from '../live/streams.ts';
import { ReactionRateLimitedError, StreamNotLiveError } from './errors.ts';
import type { InteractivityStore, ReactionQueue } from './ports.ts';
import { liveStreamOf } from './stream-access.ts';

export interface ReactionDeps {
  streams: Pick<StreamStore, 'channel' | 'newestStream'>;
  interactivity: Pick<InteractivityStore, 'countReaction'>;
  queue: ReactionQueue;
  now: () => Date;
  /** What the function's container knows of each stream, for LIVE_STREAM_CACHE_MS (see `streamNow`). */
  streamCache?: Map<string, { at: number; channel: StoredChannel; live?: { ivsStreamId: string } }>;
}

/**
 * How long a container trusts what it read of a stream (its channel, whether it is live and with which
 * broadcast). A big audience reacts many times a second per container; reading the channel and its newest
 * stream for each reaction would be two DynamoDB reads per tap. Within this second a stream that just went
 * offline still takes reactions (counted for the broadcast that ended, not carried in-band), and a stream made
 * private still takes them from the viewers it had: both for at most this long.
 */
export const LIVE_STREAM_CACHE_MS = 1000;

/** The stream as the caller may see it now: the channel (404) and its live broadcast (409). */
async function streamNow(deps: ReactionDeps, user: AuthenticatedUser, streamId: string) {
  const now = deps.now().getTime();
  const cached = deps.streamCache?.get(streamId);
  let entry = cached && now - cached.at < LIVE_STREAM_CACHE_MS && now >= cached.at ? cached : undefined;
  if (!entry) {
    const channel = await deps.streams.channel(streamId);
    const live = channel
      ? await liveStreamOf(deps.streams, channel).catch((error: unknown) => {
          if (error instanceof StreamNotLiveError) return undefined;
          throw error;
        })
      : undefined;
    entry = channel ? { at: now, channel, ...(live ? { live } : {}) } : undefined;
    if (entry && deps.streamCache) {
      // A container serves a few streams at a time; an old entry is dropped, not kept forever.
      if (deps.streamCache.size > 1000) deps.streamCache.clear();
      deps.streamCache.set(streamId, entry);
    }
  }
  if (!entry || !canWatch(entry.channel, user)) throw streamNotFound();
  if (!entry.live) throw new StreamNotLiveError();
  return { channel: entry.channel, ivsStreamId: entry.live.ivsStreamId };
}

/**
 * A viewer's reaction to a live stream: counted in the catalog (exactly once per 202: the count is written
 * before the answer, and a request that fails before it is not counted), then handed to the broadcast queue,
 * whose function folds everyone's reactions into at most one in-band call per channel and window.
 */
export async function sendReaction(
  deps: ReactionDeps,
  user: AuthenticatedUser,
  streamId: string,
  reaction: Reaction,
): Promise<ReactionAccepted> {
  const { channel, ivsStreamId } = await streamNow(deps, user, streamId);
  const at = deps.now();
  const counted = await deps.interactivity.countReaction({
    streamId,
    ivsStreamId,
    viewerId: user.sub,
    reaction,
    at,
    limit: REACTION_RATE_LIMIT,
  });
  if (!counted.accepted) throw new ReactionRateLimitedError(REACTION_RATE_LIMIT, counted.retryAfterSeconds);
  const acceptedAt = at.toISOString();
  await deps.queue.send({ v: 1, channelArn: channel.channelArn, streamId, reaction, acceptedAt });
  return { reaction, acceptedAt, remaining: counted.remaining };
}

/** The fixed window `at` falls in, as epoch seconds of its start, and the whole seconds until it ends. */
export function reactionWindow(
  at: Date,
  windowSeconds: number,
): { start: number; retryAfterSeconds: number } {
  const seconds = at.getTime() / 1000;
  const start = Math.floor(seconds / windowSeconds) * windowSeconds;
  return { start, retryAfterSeconds: Math.max(1, Math.ceil(start + windowSeconds - seconds)) };
}
