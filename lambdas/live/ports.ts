import type { Visibility } from '#contract/catalog.ts';

import type { Page } from '../catalog/video-catalog.ts';
import type { StreamFacts } from './stream-state.ts';

/** A creator's IVS channel as IVS describes it. */
export interface ChannelInfo {
  arn: string;
  /** The channel id: the last part of the ARN, and Skycast's stream id. */
  id: string;
  name: string;
  ingestEndpoint: string;
  playbackUrl: string;
  /** Private channel: playback needs a token. */
  authorized: boolean;
}

/** What the live use cases need from IVS. The stream key is only ever read from here, never stored. */
export interface LiveChannels {
  /** Low latency, RTMPS only, the recording configuration attached. */
  createChannel(input: {
    name: string;
    authorized: boolean;
    tags: Record<string, string>;
  }): Promise<ChannelInfo>;
  /** The channel of this exact name, if one exists (a channel created before its catalog write was lost). */
  findChannel(name: string): Promise<ChannelInfo | undefined>;
  deleteChannel(arn: string): Promise<void>;
  setAuthorized(arn: string, authorized: boolean): Promise<void>;
  /**
   * The channel's stream key (one is created if the channel has none, e.g. after a rotation failed half-way).
   * A key that a concurrent rotation deletes before it is read is looked up again; StreamKeyChangingError (409)
   * when rotations keep changing it.
   */
  streamKey(channelArn: string): Promise<string>;
  /**
   * Deletes every key of the channel, then stops its stream, then creates a new key (or, when a concurrent
   * request created the channel's one key after the old ones were revoked, returns that one).
   */
  rotateStreamKey(channelArn: string): Promise<string>;
  /** Disconnects the encoder; false when the channel was not broadcasting. */
  stopStream(channelArn: string): Promise<boolean>;
  /** Viewers now, or undefined when the channel is not broadcasting. */
  viewerCount(channelArn: string): Promise<number | undefined>;
}

/** A creator's channel in the catalog: the profile the creator set, and what IVS gave it. */
export interface StoredChannel {
  streamId: string;
  channelArn: string;
  ownerId: string;
  title: string;
  category?: string;
  tags: string[];
  visibility: Visibility;
  /** Shown to each viewer before the stream plays, until dismissed. */
  disclaimer?: string;
  playbackUrl: string;
  ingestEndpoint: string;
  createdAt: string;
  updatedAt: string;
  latestRecordingVideoId?: string;
  latestRecordingEndedAt?: string;
}

export type ChannelProfile = Pick<StoredChannel, 'title' | 'category' | 'tags' | 'visibility' | 'disclaimer'>;

/** A stream that is live now, with its channel. */
export interface LiveEntry {
  channel: StoredChannel;
  facts: StreamFacts;
}

/** Channels and stream facts in the catalog table. */
export interface StreamStore {
  channelOfOwner(ownerId: string): Promise<StoredChannel | undefined>;
  channel(streamId: string): Promise<StoredChannel | undefined>;
  /**
   * Records the creator's channel unless they already have one: returns the channel that is theirs
   * afterwards (the given one, or the one a concurrent request recorded first).
   */
  claimChannel(channel: StoredChannel): Promise<StoredChannel>;
  updateProfile(streamId: string, profile: ChannelProfile, at: string): Promise<StoredChannel>;
  /** Merges facts about one stream into what is stored (min/max per fact; order and repeats do not matter). */
  mergeFacts(facts: StreamFacts): Promise<void>;
  /** The channel's newest stream (by first event), if IVS ever reported one. */
  newestStream(channelArn: string): Promise<StreamFacts | undefined>;
  /** Streams whose facts say LIVE, most recently started first (the caller checks each is its channel's newest). */
  liveNow(page: { limit: number; cursor?: string }): Promise<Page<LiveEntry>>;
  /** Points the channel at the video its latest recording became (the latest by end time wins). */
  setLatestRecording(streamId: string, videoId: string, endedAt: string): Promise<void>;
}

/** Signs IVS playback tokens for private channels. */
export interface PlaybackTokenSigner {
  sign(channelArn: string, expiresInSeconds: number): Promise<string>;
}
