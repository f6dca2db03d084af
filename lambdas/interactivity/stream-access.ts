import type { AuthenticatedUser } from '#shared/auth.ts';
import { ForbiddenError } from '#shared/errors.ts';
import { streamNotFound } from '../live/errors.ts';
import type { StoredChannel, StreamStore } from '../live/ports.ts';
import { sessionOf } from '../live/stream-state.ts';
import { canWatch, isOwner } from '../live/streams.ts';
import { StreamNotLiveError } from './errors.ts';

/** The channel the caller may watch (the same 404 for one that does not exist and one they may not see). */
export async function watchableChannel(
  store: Pick<StreamStore, 'channel'>,
  user: AuthenticatedUser,
  streamId: string,
): Promise<StoredChannel> {
  const channel = await store.channel(streamId);
  if (!channel || !canWatch(channel, user)) throw streamNotFound();
  return channel;
}

/** The caller's own channel: 404 for one they may not watch, 403 for one they may watch but do not own. */
export async function ownedChannel(
  store: Pick<StreamStore, 'channel'>,
  user: AuthenticatedUser,
  streamId: string,
): Promise<StoredChannel> {
  const channel = await watchableChannel(store, user, streamId);
  if (!isOwner(channel, user)) throw new ForbiddenError('Only the owner of the stream can do this.');
  return channel;
}

/** The IVS stream (broadcast) the channel is live with now; 409 STREAM_NOT_LIVE when it is not on air. */
export async function liveStreamOf(
  store: Pick<StreamStore, 'newestStream'>,
  channel: StoredChannel,
): Promise<{ ivsStreamId: string; startedAt: string }> {
  const facts = await store.newestStream(channel.channelArn);
  const session = facts ? sessionOf(facts) : undefined;
  if (session?.status !== 'LIVE' || !session.startedAt) throw new StreamNotLiveError();
  return { ivsStreamId: session.streamId, startedAt: session.startedAt };
}
