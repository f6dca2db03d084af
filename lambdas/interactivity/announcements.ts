import { randomUUID } from 'node:crypto';
import type { Announcement, AnnouncementKind } from '#contract/interactivity.ts';
import type { AuthenticatedUser } from '#shared/auth.ts';
import { logger } from '#shared/logger.ts';
import type { StreamStore } from '../live/ports.ts';
import { MetadataThrottledError, StreamNotLiveError } from './errors.ts';
import { announcementEnvelope, encodeMetadata } from './metadata.ts';
import type { InBandChannel, InteractivityStore } from './ports.ts';
import { liveStreamOf, ownedChannel } from './stream-access.ts';

export interface AnnouncementDeps {
  streams: Pick<StreamStore, 'channel' | 'newestStream'>;
  interactivity: Pick<InteractivityStore, 'putAnnouncement'>;
  inBand: InBandChannel;
  now: () => Date;
}

/**
 * The owner's news flash or disclaimer to everyone watching: in-band first, so every viewer sees it at the same
 * moment of the video, then kept on the stream (replacing the one before) for viewers who join while it lasts.
 * One that IVS did not carry is not kept: nobody watching saw it, so nobody joining later should.
 */
export async function postAnnouncement(
  deps: AnnouncementDeps,
  user: AuthenticatedUser,
  streamId: string,
  request: { kind: AnnouncementKind; text: string; durationSeconds: number },
): Promise<Announcement> {
  const channel = await ownedChannel(deps.streams, user, streamId);
  const { ivsStreamId } = await liveStreamOf(deps.streams, channel);
  const postedAt = deps.now();
  const announcement: Announcement = {
    announcementId: randomUUID(),
    kind: request.kind,
    text: request.text,
    postedAt: postedAt.toISOString(),
    endsAt: new Date(postedAt.getTime() + request.durationSeconds * 1000).toISOString(),
  };
  const result = await deps.inBand.put(
    channel.channelArn,
    encodeMetadata(announcementEnvelope(announcement)),
  );
  if (result === 'throttled') throw new MetadataThrottledError();
  if (result === 'notBroadcasting') throw new StreamNotLiveError();
  await deps.interactivity.putAnnouncement(streamId, { ...announcement, ivsStreamId });
  logger.info('announcement posted', { streamId, kind: announcement.kind });
  return announcement;
}
