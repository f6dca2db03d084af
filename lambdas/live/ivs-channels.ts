import { setTimeout as pause } from 'node:timers/promises';
import {
  type Channel,
  ChannelNotBroadcasting,
  ConflictException,
  CreateChannelCommand,
  CreateStreamKeyCommand,
  DeleteChannelCommand,
  DeleteStreamKeyCommand,
  GetChannelCommand,
  GetStreamCommand,
  GetStreamKeyCommand,
  type IvsClient,
  ListChannelsCommand,
  ListStreamKeysCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  StopStreamCommand,
  UpdateChannelCommand,
} from '@aws-sdk/client-ivs';
import { StreamKeyChangingError } from './errors.ts';
import type { ChannelInfo, LiveChannels } from './ports.ts';
import { channelIdOf } from './stream-state.ts';

/** What every Skycast channel is: low latency, RTMPS only, recorded with the stack's configuration. */
export interface ChannelSettings {
  recordingConfigurationArn: string;
  /**
   * This deployment's application name: stream keys are created with the tag `application=<it>`, as channels
   * are, because the live functions may create a key only with that tag (lib/shared/access.ts).
   */
  application: string;
  /** @default 'STANDARD' (IVS transcodes a ladder of renditions) */
  type?: 'STANDARD' | 'BASIC' | 'ADVANCED_SD' | 'ADVANCED_HD';
}

function info(channel: Channel | undefined): ChannelInfo {
  if (!channel?.arn || !channel.ingestEndpoint || !channel.playbackUrl)
    throw new Error('IVS returned a channel without its ARN, ingest endpoint or playback URL');
  return {
    arn: channel.arn,
    id: channelIdOf(channel.arn),
    name: channel.name ?? '',
    ingestEndpoint: channel.ingestEndpoint,
    playbackUrl: channel.playbackUrl,
    authorized: channel.authorized ?? false,
  };
}

/**
 * How often a key read starts over when a concurrent rotation changes the key under it (the listed key is
 * deleted before it is read, or another request creates the key first), and the pause before the next try.
 */
const KEY_ATTEMPTS = 8;
const KEY_RETRY_PAUSE_MS = 25;

/** IVS refuses a second key on a channel (its quota is one): someone else created the channel's key first. */
const isKeyTaken = (error: unknown) =>
  error instanceof ServiceQuotaExceededException || error instanceof ConflictException;

/** LiveChannels on the IVS API. Keys are read when asked for and never leave this adapter but as return values. */
export class IvsLiveChannels implements LiveChannels {
  constructor(
    private readonly ivs: IvsClient,
    private readonly settings: ChannelSettings,
  ) {}

  async createChannel(input: { name: string; authorized: boolean; tags: Record<string, string> }) {
    const { channel } = await this.ivs.send(
      new CreateChannelCommand({
        name: input.name,
        latencyMode: 'LOW',
        type: this.settings.type ?? 'STANDARD',
        authorized: input.authorized,
        insecureIngest: false,
        recordingConfigurationArn: this.settings.recordingConfigurationArn,
        tags: input.tags,
      }),
    );
    return info(channel);
  }

  async findChannel(name: string): Promise<ChannelInfo | undefined> {
    let nextToken: string | undefined;
    do {
      const page = await this.ivs.send(new ListChannelsCommand({ filterByName: name, nextToken }));
      const match = page.channels?.find((summary) => summary.name === name);
      if (match?.arn) {
        const { channel } = await this.ivs.send(new GetChannelCommand({ arn: match.arn }));
        return info(channel);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return undefined;
  }

  async deleteChannel(arn: string): Promise<void> {
    await this.ivs.send(new DeleteChannelCommand({ arn }));
  }

  async setAuthorized(arn: string, authorized: boolean): Promise<void> {
    await this.ivs.send(new UpdateChannelCommand({ arn, authorized }));
  }

  private async keyArns(channelArn: string): Promise<string[]> {
    const { streamKeys } = await this.ivs.send(new ListStreamKeysCommand({ channelArn }));
    return (streamKeys ?? []).map((key) => key.arn).filter((arn): arn is string => Boolean(arn));
  }

  /** A new key for a channel that has none; undefined when a concurrent request created the channel's key first. */
  private async createKey(channelArn: string): Promise<string | undefined> {
    try {
      const { streamKey } = await this.ivs.send(
        new CreateStreamKeyCommand({ channelArn, tags: { application: this.settings.application } }),
      );
      if (!streamKey?.value) throw new Error('IVS created a stream key without a value');
      return streamKey.value;
    } catch (error) {
      if (isKeyTaken(error)) return undefined;
      throw error;
    }
  }

  /** The channel's key as IVS has it now; undefined when a concurrent rotation changed it in between. */
  private async currentKey(channelArn: string): Promise<string | undefined> {
    const [arn] = await this.keyArns(channelArn);
    if (!arn) return this.createKey(channelArn);
    try {
      const { streamKey } = await this.ivs.send(new GetStreamKeyCommand({ arn }));
      if (!streamKey?.value) throw new Error('IVS returned a stream key without a value');
      return streamKey.value;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  async streamKey(channelArn: string): Promise<string> {
    for (let attempt = 1; attempt <= KEY_ATTEMPTS; attempt += 1) {
      const value = await this.currentKey(channelArn);
      if (value) return value;
      // Jittered, so that requests which met once do not meet again at the next try.
      if (attempt < KEY_ATTEMPTS) await pause(KEY_RETRY_PAUSE_MS * attempt * (0.5 + Math.random()));
    }
    throw new StreamKeyChangingError();
  }

  async rotateStreamKey(channelArn: string): Promise<string> {
    // Revoke first: an encoder that reconnects after the stop must not get back in with the old key.
    for (const arn of await this.keyArns(channelArn)) {
      try {
        await this.ivs.send(new DeleteStreamKeyCommand({ arn }));
      } catch (error) {
        // A concurrent rotation revoked it already.
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    }
    await this.stopStream(channelArn);
    // When a concurrent rotation (or a read that found no key) created the channel's one key after the old
    // ones were revoked, that key is new: it is the rotation's result too.
    return (await this.createKey(channelArn)) ?? this.streamKey(channelArn);
  }

  async stopStream(channelArn: string): Promise<boolean> {
    try {
      await this.ivs.send(new StopStreamCommand({ channelArn }));
      return true;
    } catch (error) {
      if (error instanceof ChannelNotBroadcasting) return false;
      throw error;
    }
  }

  async viewerCount(channelArn: string): Promise<number | undefined> {
    try {
      const { stream } = await this.ivs.send(new GetStreamCommand({ channelArn }));
      return stream?.viewerCount;
    } catch (error) {
      if (error instanceof ChannelNotBroadcasting) return undefined;
      throw error;
    }
  }
}
