import type { StartStreamRequest, StreamView } from '#contract/live.ts';
import type { AuthenticatedUser } from '#shared/auth.ts';
import { logger } from '#shared/logger.ts';
import type { Page } from '../catalog/video-catalog.ts';
import type { InteractivityStore } from '../interactivity/ports.ts';
import { streamNotFound } from './errors.ts';
import type { ChannelInfo, LiveChannels, PlaybackTokenSigner, StoredChannel, StreamStore } from './ports.ts';
import { sessionOf } from './stream-state.ts';

/**
 * Going live and watching, and who may do what:
 * - every creator has at most one channel, created on their first `startStream`;
 * - the stream key is read from IVS whenever it is asked for, by its owner only; it is never stored or logged;
 * - public and unlisted streams are watchable by anyone signed in, a private one only by its owner (404 for
 *   anyone else, so its id reveals nothing); only public live streams are listed.
 */

export interface LiveSettings {
  /** Channel names start with it, so the event rules can keep to this application's channels. */
  application: string;
  /** The ingest URL from the channel's ingest endpoint: `{ingestEndpoint}` is replaced. */
  ingestUrlTemplate: string;
  /** Lifetime of a private stream's playback token. */
  playbackTokenSeconds: number;
}

export interface LiveDeps {
  channels: LiveChannels;
  store: StreamStore;
  /** The live stream's reaction totals and announcement, which watchStream shows (lambdas/interactivity). */
  interactivity: Pick<InteractivityStore, 'reactionTotals' | 'announcement' | 'adBreak'>;
  tokens: PlaybackTokenSigner;
  settings: LiveSettings;
  now?: () => Date;
}

const ingestUrl = (deps: LiveDeps, channel: Pick<StoredChannel, 'ingestEndpoint'>) =>
  deps.settings.ingestUrlTemplate.replaceAll('{ingestEndpoint}', channel.ingestEndpoint);

/** IVS channel names allow letters, digits, `-` and `_`, up to 128. */
export const channelName = (application: string, ownerId: string) =>
  `${application}-${ownerId}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 128);

export const isOwner = (channel: StoredChannel, user: AuthenticatedUser) => channel.ownerId === user.sub;
export const canWatch = (channel: StoredChannel, user: AuthenticatedUser) =>
  isOwner(channel, user) || channel.visibility !== 'private';

/** The stream as the API shows it, from the channel and its newest stream's facts. */
async function view(
  deps: LiveDeps,
  channel: StoredChannel,
  options: {
    withToken: boolean;
    /** Show the live stream's reaction totals and the announcement showing now (watchStream). */
    withInteractivity?: boolean;
    facts?: Awaited<ReturnType<StreamStore['newestStream']>>;
  },
): Promise<StreamView> {
  const facts = options.facts ?? (await deps.store.newestStream(channel.channelArn));
  const session = facts ? sessionOf(facts) : undefined;
  const status = session?.status ?? 'OFFLINE';
  const shown: StreamView = {
    streamId: channel.streamId,
    ownerId: channel.ownerId,
    title: channel.title,
    ...(channel.category ? { category: channel.category } : {}),
    tags: channel.tags,
    visibility: channel.visibility,
    ...(channel.disclaimer ? { disclaimer: channel.disclaimer } : {}),
    status,
    ...(session?.startedAt ? { startedAt: session.startedAt } : {}),
    ...(session?.endedAt ? { endedAt: session.endedAt } : {}),
    playbackUrl: channel.playbackUrl,
    ...(channel.latestRecordingVideoId ? { latestRecordingVideoId: channel.latestRecordingVideoId } : {}),
    updatedAt: channel.updatedAt,
  };
  if (status === 'LIVE' && session) {
    const [viewers, interactivity] = await Promise.all([
      deps.channels.viewerCount(channel.channelArn),
      options.withInteractivity ? liveInteractivity(deps, channel, session.streamId) : undefined,
    ]);
    if (viewers !== undefined) shown.viewerCount = viewers;
    Object.assign(shown, interactivity);
  }
  if (options.withToken && channel.visibility === 'private') {
    shown.playbackToken = await deps.tokens.sign(channel.channelArn, deps.settings.playbackTokenSeconds);
  }
  return shown;
}

/** What a viewer joining now sees besides the video: the broadcast's reaction totals, the announcement showing. */
async function liveInteractivity(
  deps: LiveDeps,
  channel: StoredChannel,
  ivsStreamId: string,
): Promise<Pick<StreamView, 'reactions' | 'announcement' | 'adBreak'>> {
  const [reactions, stored, adBreak] = await Promise.all([
    deps.interactivity.reactionTotals(channel.streamId, ivsStreamId),
    deps.interactivity.announcement(channel.streamId),
    deps.interactivity.adBreak(channel.streamId),
  ]);
  const now = (deps.now?.() ?? new Date()).toISOString();
  const shown: Pick<StreamView, 'reactions' | 'announcement' | 'adBreak'> = { reactions };
  if (stored && stored.ivsStreamId === ivsStreamId && stored.endsAt > now) {
    const { ivsStreamId: _broadcast, ...announcement } = stored;
    shown.announcement = announcement;
  }
  if (adBreak && adBreak.ivsStreamId === ivsStreamId && adBreak.endsAt > now) {
    const { ivsStreamId: _broadcast, endsAt: _ends, ...playing } = adBreak;
    shown.adBreak = playing;
  }
  return shown;
}

/** The caller's channel: theirs already, or created in IVS now and recorded (once, even under races). */
async function ensureChannel(
  deps: LiveDeps,
  user: AuthenticatedUser,
  request: StartStreamRequest,
  at: string,
): Promise<{ channel: StoredChannel; created: boolean }> {
  const existing = await deps.store.channelOfOwner(user.sub);
  if (existing) return { channel: existing, created: false };
  const name = channelName(deps.settings.application, user.sub);
  const authorized = request.visibility === 'private';
  // A channel created by an earlier request whose catalog write never happened is reused, not duplicated.
  let info: ChannelInfo | undefined = await deps.channels.findChannel(name);
  const madeNow = !info;
  info ??= await deps.channels.createChannel({
    name,
    authorized,
    tags: { application: deps.settings.application },
  });
  const mine: StoredChannel = {
    streamId: info.id,
    channelArn: info.arn,
    ownerId: user.sub,
    title: request.title,
    ...(request.category ? { category: request.category } : {}),
    tags: request.tags,
    visibility: request.visibility,
    ...(request.disclaimer ? { disclaimer: request.disclaimer } : {}),
    playbackUrl: info.playbackUrl,
    ingestEndpoint: info.ingestEndpoint,
    createdAt: at,
    updatedAt: at,
  };
  const recorded = await deps.store.claimChannel(mine);
  if (recorded.channelArn !== info.arn && madeNow) {
    // A concurrent first startStream of the same creator won: one channel per creator.
    await deps.channels.deleteChannel(info.arn);
  }
  if (recorded.channelArn === info.arn && info.authorized !== authorized)
    await deps.channels.setAuthorized(info.arn, authorized);
  logger.info('channel created', { streamId: recorded.streamId });
  return { channel: recorded, created: recorded.channelArn === info.arn };
}

export async function startStream(deps: LiveDeps, user: AuthenticatedUser, request: StartStreamRequest) {
  const at = (deps.now?.() ?? new Date()).toISOString();
  const { channel, created } = await ensureChannel(deps, user, request, at);
  let current = channel;
  if (!created) {
    const wasPrivate = channel.visibility === 'private';
    current = await deps.store.updateProfile(
      channel.streamId,
      {
        title: request.title,
        ...(request.category ? { category: request.category } : {}),
        tags: request.tags,
        visibility: request.visibility,
        ...(request.disclaimer ? { disclaimer: request.disclaimer } : {}),
      },
      at,
    );
    if (wasPrivate !== (request.visibility === 'private'))
      await deps.channels.setAuthorized(channel.channelArn, request.visibility === 'private');
  }
  const streamKey = await deps.channels.streamKey(current.channelArn);
  return {
    stream: await view(deps, current, { withToken: true }),
    ingest: { url: ingestUrl(deps, current), streamKey },
  };
}

/** The caller's own channel by stream id, or 404 (also for someone else's). */
async function ownChannel(deps: LiveDeps, user: AuthenticatedUser, streamId: string): Promise<StoredChannel> {
  const channel = await deps.store.channel(streamId);
  if (!channel || !isOwner(channel, user)) throw streamNotFound();
  return channel;
}

export async function getStreamKey(deps: LiveDeps, user: AuthenticatedUser, streamId: string) {
  const channel = await ownChannel(deps, user, streamId);
  return {
    ingest: { url: ingestUrl(deps, channel), streamKey: await deps.channels.streamKey(channel.channelArn) },
  };
}

export async function rotateStreamKey(deps: LiveDeps, user: AuthenticatedUser, streamId: string) {
  const channel = await ownChannel(deps, user, streamId);
  const streamKey = await deps.channels.rotateStreamKey(channel.channelArn);
  logger.info('stream key rotated', { streamId });
  return { ingest: { url: ingestUrl(deps, channel), streamKey } };
}

export async function endStream(deps: LiveDeps, user: AuthenticatedUser, streamId: string): Promise<void> {
  const channel = await ownChannel(deps, user, streamId);
  const stopped = await deps.channels.stopStream(channel.channelArn);
  logger.info('stream ended', { streamId, wasLive: stopped });
}

export async function watchStream(
  deps: LiveDeps,
  user: AuthenticatedUser,
  streamId: string,
): Promise<StreamView> {
  const channel = await deps.store.channel(streamId);
  if (!channel || !canWatch(channel, user)) throw streamNotFound();
  return view(deps, channel, { withToken: true, withInteractivity: true });
}

export async function listStreams(
  deps: LiveDeps,
  _user: AuthenticatedUser,
  query: { limit: number; cursor?: string },
): Promise<Page<StreamView>> {
  const page = await deps.store.liveNow({
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  // Each stream's checks (its newest session, IVS's view of it) run side by side, in the page's order.
  const shown = await Promise.all(
    page.items.map(async ({ channel, facts }) => {
      if (channel.visibility !== 'public') return undefined;
      // A stream whose end never came is over once a newer stream of its channel exists.
      const newest = await deps.store.newestStream(channel.channelArn);
      if (newest?.streamId !== facts.streamId) return undefined;
      return view(deps, channel, { withToken: false, facts: newest });
    }),
  );
  const items = shown.filter((stream): stream is StreamView => stream?.status === 'LIVE');
  return { items, ...(page.cursor ? { cursor: page.cursor } : {}) };
}
