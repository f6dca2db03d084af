import { REACTION_RATE_LIMIT, type Reaction, type ReactionAccepted } from '#contract/interactivity.ts';
import type { AuthenticatedUser } from '#shared/auth.ts';
import type { StreamStore } from '../live/ports.ts';
import { ReactionRateLimitedError } from './errors.ts';
import type { InteractivityStore, ReactionQueue } from './ports.ts';
import { liveStreamOf, watchableChannel } from './stream-access.ts';

export interface ReactionDeps {
  streams: Pick<StreamStore, 'channel' | 'newestStream'>;
  interactivity: Pick<InteractivityStore, 'countReaction'>;
  queue: ReactionQueue;
  now: () => Date;
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
  const channel = await watchableChannel(deps.streams, user, streamId);
  const { ivsStreamId } = await liveStreamOf(deps.streams, channel);
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
