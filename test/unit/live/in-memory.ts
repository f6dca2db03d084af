import type { Page } from '../../../lambdas/catalog/video-catalog.ts';
import type { RecordingFiles } from '../../../lambdas/live/ivs-events.ts';
import type {
  ChannelInfo,
  ChannelProfile,
  LiveChannels,
  LiveEntry,
  StoredChannel,
  StreamStore,
} from '../../../lambdas/live/ports.ts';
import {
  compareNewestFirst,
  mergeFacts,
  type StreamFacts,
  sessionOf,
} from '../../../lambdas/live/stream-state.ts';
import { InvalidCursorError } from '../../../lambdas/shared/cursor.ts';

/** A StreamStore in Maps with the DynamoDB store's rules (one channel per owner, facts merged with min/max). */
export class InMemoryStreamStore implements StreamStore {
  readonly channels = new Map<string, StoredChannel>();
  readonly owners = new Map<string, string>();
  readonly streams = new Map<string, StreamFacts>();

  async channelOfOwner(ownerId: string) {
    const streamId = this.owners.get(ownerId);
    return streamId ? this.channel(streamId) : undefined;
  }

  async channel(streamId: string) {
    const channel = this.channels.get(streamId);
    return channel ? structuredClone(channel) : undefined;
  }

  async claimChannel(channel: StoredChannel) {
    const existing = this.owners.get(channel.ownerId);
    if (existing) return structuredClone(this.channels.get(existing) as StoredChannel);
    this.owners.set(channel.ownerId, channel.streamId);
    this.channels.set(channel.streamId, structuredClone(channel));
    return structuredClone(channel);
  }

  async updateProfile(streamId: string, profile: ChannelProfile, at: string) {
    const channel = this.channels.get(streamId);
    if (!channel) throw new Error(`no channel ${streamId}`);
    const { category: _old, disclaimer: _was, ...rest } = channel;
    const updated: StoredChannel = { ...rest, ...profile, updatedAt: at };
    if (!profile.category) delete updated.category;
    if (!profile.disclaimer) delete updated.disclaimer;
    this.channels.set(streamId, updated);
    return structuredClone(updated);
  }

  async mergeFacts(facts: StreamFacts) {
    const known = this.streams.get(facts.streamId);
    this.streams.set(facts.streamId, known ? mergeFacts(known, facts) : { ...facts });
  }

  async newestStream(channelArn: string) {
    return [...this.streams.values()]
      .filter((facts) => facts.channelArn === channelArn)
      .sort(compareNewestFirst)[0];
  }

  async liveNow(page: { limit: number; cursor?: string }): Promise<Page<LiveEntry>> {
    const live = [...this.streams.values()]
      .filter((facts) => sessionOf(facts).status === 'LIVE')
      .sort((a, b) => ((a.startedAt ?? '') < (b.startedAt ?? '') ? 1 : -1));
    const start = page.cursor ? Number(page.cursor) : 0;
    if (!Number.isInteger(start) || start < 0) throw new InvalidCursorError();
    const items: LiveEntry[] = [];
    for (const facts of live.slice(start, start + page.limit)) {
      const channel = this.channels.get(facts.channelArn.split('/').pop() as string);
      if (channel) items.push({ channel: structuredClone(channel), facts });
    }
    return { items, ...(start + page.limit < live.length ? { cursor: String(start + page.limit) } : {}) };
  }

  async setLatestRecording(streamId: string, videoId: string, endedAt: string) {
    const channel = this.channels.get(streamId);
    if (!channel) return;
    if (!channel.latestRecordingEndedAt || channel.latestRecordingEndedAt <= endedAt) {
      channel.latestRecordingVideoId = videoId;
      channel.latestRecordingEndedAt = endedAt;
    }
  }
}

/**
 * IVS as the use cases see it, in memory, with IVS's rules that matter to them: one key per channel, keys
 * deleted are gone, stopping a channel that is not broadcasting says so. `broadcasting` and `stopped` let a
 * test see what was asked of it.
 */
export class InMemoryChannels implements LiveChannels {
  readonly channels = new Map<string, ChannelInfo>();
  readonly keys = new Map<string, string>();
  readonly broadcasting = new Set<string>();
  readonly calls: string[] = [];
  private next = 0;

  async createChannel(input: { name: string; authorized: boolean }) {
    this.next += 1;
    const id = `Chan${String(this.next).padStart(8, '0')}`;
    const channel: ChannelInfo = {
      arn: `arn:aws:ivs:us-east-1:123456789012:channel/${id}`,
      id,
      name: input.name,
      ingestEndpoint: 'abc.global-contribute.live-video.net',
      playbackUrl: `https://abc.us-east-1.playback.live-video.net/api/video/v1/${id}.m3u8`,
      authorized: input.authorized,
    };
    this.channels.set(channel.arn, channel);
    this.keys.set(channel.arn, `sk_us-east-1_${this.next}first`);
    this.calls.push(`create ${id}`);
    return { ...channel };
  }

  async findChannel(name: string) {
    return [...this.channels.values()].find((channel) => channel.name === name);
  }

  async deleteChannel(arn: string) {
    this.channels.delete(arn);
    this.calls.push(`deleteChannel ${arn}`);
  }

  async setAuthorized(arn: string, authorized: boolean) {
    const channel = this.channels.get(arn);
    if (channel) channel.authorized = authorized;
    this.calls.push(`authorized ${authorized}`);
  }

  async streamKey(channelArn: string) {
    let key = this.keys.get(channelArn);
    if (!key) {
      this.next += 1;
      key = `sk_us-east-1_${this.next}created`;
      this.keys.set(channelArn, key);
    }
    return key;
  }

  async rotateStreamKey(channelArn: string) {
    this.keys.delete(channelArn);
    this.calls.push('deleteKey');
    await this.stopStream(channelArn);
    this.next += 1;
    const key = `sk_us-east-1_${this.next}rotated`;
    this.keys.set(channelArn, key);
    this.calls.push('createKey');
    return key;
  }

  async stopStream(channelArn: string) {
    this.calls.push('stop');
    return this.broadcasting.delete(channelArn);
  }

  async viewerCount(channelArn: string) {
    return this.broadcasting.has(channelArn) ? 3 : undefined;
  }
}

/** A recordings bucket in a Map. */
export class InMemoryRecordingFiles implements RecordingFiles {
  readonly objects = new Map<string, string>();

  async readText(bucket: string, key: string) {
    const text = this.objects.get(`${bucket}/${key}`);
    if (text === undefined) throw new Error(`NoSuchKey ${bucket}/${key}`);
    return text;
  }

  async listKeys(bucket: string, prefix: string) {
    return [...this.objects.keys()]
      .filter((name) => name.startsWith(`${bucket}/${prefix}`))
      .map((name) => name.slice(bucket.length + 1));
  }
}
