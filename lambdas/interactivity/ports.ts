import type { AdBreak, Announcement, Reaction, ReactionTotals } from '#contract/interactivity.ts';

/**
 * What the interactivity use cases need from outside: the channel's in-band metadata (IVS PutMetadata), the
 * queue that gathers reactions for it, and the catalog items that count reactions and keep announcements.
 */

/** How one in-band call went: carried, refused for the channel's call rate, or the channel is not on air. */
export type InBandResult = 'delivered' | 'throttled' | 'notBroadcasting';

/** IVS PutMetadata on a channel: the payload goes into the stream as ID3 timed metadata. */
export interface InBandChannel {
  put(channelArn: string, payload: string): Promise<InBandResult>;
}

/** One accepted reaction on its way to the broadcast (the reaction-broadcast queue's message). */
export interface ReactionMessage {
  v: 1;
  channelArn: string;
  /** Skycast's stream id (the channel id). */
  streamId: string;
  reaction: Reaction;
  /** When the API accepted it (ISO). */
  acceptedAt: string;
}

export interface ReactionQueue {
  send(message: ReactionMessage): Promise<void>;
}

/** What counting one reaction came to: accepted with what the viewer has left, or over the viewer's limit. */
export type ReactionCount =
  | { accepted: true; remaining: number }
  | { accepted: false; retryAfterSeconds: number };

/** The announcement a stream shows, with the IVS stream (broadcast) it was posted during. */
export interface StoredAnnouncement extends Announcement {
  ivsStreamId: string;
}

/** What a scheduled ad break's schedule hands the ad-break-start function. */
export interface AdBreakStartInput {
  streamId: string;
  adBreakId: string;
}

/** One-time schedules (EventBridge Scheduler) that start scheduled ad breaks. */
export interface AdBreakSchedules {
  /** A schedule named `name` that invokes the ad-break-start target once, at `at`, with `input`. */
  create(name: string, at: Date, input: AdBreakStartInput): Promise<void>;
  /** Deletes it; one that already fired (and deleted itself) or never existed is no error. */
  delete(name: string): Promise<void>;
}

/** An ad break of a stream, with the broadcast it plays in and when it ends. */
export interface StoredAdBreak extends AdBreak {
  ivsStreamId: string;
  endsAt: string;
}

/** One reaction to count: whose, to which broadcast of which channel, when, under which per-viewer limit. */
export interface CountReactionInput {
  streamId: string;
  ivsStreamId: string;
  viewerId: string;
  reaction: Reaction;
  at: Date;
  limit: { max: number; windowSeconds: number };
}

export interface InteractivityStore {
  /**
   * Counts one reaction of `viewerId` to the broadcast `ivsStreamId` of the channel `streamId`, unless the viewer
   * already sent `limit.max` to this channel in the current fixed window of `limit.windowSeconds`.
   */
  countReaction(input: CountReactionInput): Promise<ReactionCount>;
  /** The reaction totals of one broadcast of the channel, every reaction present. */
  reactionTotals(streamId: string, ivsStreamId: string): Promise<ReactionTotals>;
  /** Makes it the channel's announcement, replacing the one before. */
  putAnnouncement(streamId: string, announcement: StoredAnnouncement): Promise<void>;
  announcement(streamId: string): Promise<StoredAnnouncement | undefined>;
  /**
   * Makes it the stream's ad break unless one still plays at its start (false then): one break at a time,
   * however many requests race.
   */
  claimAdBreak(adBreak: StoredAdBreak): Promise<boolean>;
  /** Gives the claim back (an ad break that never went in-band), if it is still this one. */
  releaseAdBreak(streamId: string, adBreakId: string): Promise<void>;
  /** The stream's latest ad break, playing or not. */
  adBreak(streamId: string): Promise<StoredAdBreak | undefined>;
  /** Keeps a break scheduled for later (status SCHEDULED). */
  putScheduledAdBreak(adBreak: StoredAdBreak): Promise<void>;
  /** One break scheduled for later, in any status. */
  scheduledAdBreak(streamId: string, adBreakId: string): Promise<StoredAdBreak | undefined>;
  /** The stream's breaks scheduled for later, in every status, earliest first. */
  scheduledAdBreaks(streamId: string): Promise<StoredAdBreak[]>;
  /** Moves a scheduled break from SCHEDULED to `status`; false when it was not SCHEDULED any more. */
  settleScheduledAdBreak(
    streamId: string,
    adBreakId: string,
    status: 'STARTED' | 'CANCELLED',
  ): Promise<boolean>;
}
