/**
 * The IVS API operations the local IVS implements, on its resources: channels, stream keys (one per
 * channel, IVS's quota), streams, recording configurations and playback key pairs, with IVS's validation
 * and errors. Input and output are the operations' JSON bodies (api.ts carries them over HTTP).
 */
import { createHash, type KeyObject } from 'node:crypto';
import { livePlaybackPath } from '#contract/media-layout.ts';
import { conflictError, IvsApiError, notFoundError, validationError } from './errors.ts';
import type { LiveStream } from './live-stream.ts';
import { importPlaybackPublicKey } from './playback-token.ts';
import { randomId } from './recording-writer.ts';
import {
  type Channel,
  type IvsResources,
  type PlaybackKeyPair,
  type RecordingConfiguration,
  type StreamKey,
  stringField,
  type Tags,
} from './resources.ts';

export interface OperationsOptions {
  resources: IvsResources;
  /** The live stream of each channel, by channel ARN. */
  live: ReadonlyMap<string, LiveStream>;
  /** Used in stream key values, as IVS does. */
  region: string;
  /** Host name channels report as `ingestEndpoint`. */
  ingestHost: string;
  /** Where live HLS is served, e.g. `http://127.0.0.1:3000/ivs/playback`. */
  playbackBaseUrl: string;
}

/** A viewer counts while it fetched a playlist within this many milliseconds. */
const VIEWER_WINDOW_MS = 15_000;

function tagsOf(value: unknown): Tags {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw validationError('tags must be a map of strings.');
  for (const tag of Object.values(value))
    if (typeof tag !== 'string') throw validationError('tags must be strings.');
  return { ...(value as Tags) };
}

/** IVS's PutMetadata limits (its service quotas). */
const PUT_METADATA = { maxBytes: 1024, perChannelPerSecond: 5, perAccountPerSecond: 155 } as const;

export class IvsOperations {
  private readonly resources: IvsResources;
  /** When each channel's recent PutMetadata calls came (ms), and the account's. */
  private readonly metadataCalls = new Map<string, number[]>();
  private readonly accountMetadataCalls: number[] = [];

  constructor(private readonly options: OperationsOptions) {
    this.resources = options.resources;
  }

  /** Runs one operation; IvsApiError for what IVS would refuse, UnknownOperationException for the rest. */
  call(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    const { streamKeys, recordingConfigurations, keyPairs } = this.resources;
    switch (operation) {
      case 'CreateChannel':
        return this.createChannel(input);
      case 'GetChannel':
        return { channel: channelView(this.resources.channel(input.arn)) };
      case 'UpdateChannel':
        return this.updateChannel(input);
      case 'DeleteChannel':
        return this.deleteChannel(input);
      case 'ListChannels':
        return this.listChannels(input);
      case 'CreateStreamKey':
        return this.createStreamKey(input);
      case 'GetStreamKey':
        return { streamKey: { ...this.resources.streamKey(input.arn) } };
      case 'ListStreamKeys': {
        const channel = this.resources.channel(input.channelArn);
        const keys = [...streamKeys.values()].filter((key) => key.channelArn === channel.arn);
        return { streamKeys: keys.map(({ arn, channelArn, tags }) => ({ arn, channelArn, tags })) };
      }
      case 'DeleteStreamKey':
        this.resources.streamKey(input.arn);
        streamKeys.delete(input.arn as string);
        return {};
      case 'GetStream':
        return { stream: streamView(this.liveStreamOf(input.channelArn)) };
      case 'ListStreams':
        return {
          streams: [...this.options.live.values()]
            .filter((stream) => stream.state === 'LIVE')
            .map((stream) => {
              const { playbackUrl: _url, ...summary } = streamView(stream);
              return summary;
            }),
        };
      case 'StopStream':
        this.liveStreamOf(input.channelArn).session.close();
        return {};
      case 'PutMetadata':
        return this.putMetadata(input);
      case 'CreateRecordingConfiguration':
        return this.createRecordingConfiguration(input);
      case 'GetRecordingConfiguration': {
        const found = recordingConfigurations.get(stringField(input.arn, 'arn') as string);
        if (!found) throw notFoundError(`Recording configuration ${String(input.arn)} does not exist.`);
        return { recordingConfiguration: found };
      }
      case 'ImportPlaybackKeyPair':
        return this.importPlaybackKeyPair(input);
      case 'ListPlaybackKeyPairs':
        return {
          keyPairs: [...keyPairs.values()].map(({ arn, name, tags }) => ({ arn, name, tags })),
        };
      case 'GetPlaybackKeyPair': {
        const pair = keyPairs.get(stringField(input.arn, 'arn') as string);
        if (!pair) throw notFoundError(`Playback key pair ${String(input.arn)} does not exist.`);
        const { publicKey: _key, ...view } = pair;
        return { keyPair: view };
      }
      case 'ListTagsForResource':
        return { tags: { ...this.taggedResource(input.resourceArn).tags } };
      default:
        throw new IvsApiError(
          'UnknownOperationException',
          404,
          `The local IVS does not implement ${operation}.`,
        );
    }
  }

  /** Any resource of the emulator by its ARN, for its tags; 404 when there is none. */
  private taggedResource(arn: unknown): { tags: Tags } {
    const key = stringField(arn, 'resourceArn') as string;
    const { channels, streamKeys, recordingConfigurations, keyPairs } = this.resources;
    const found =
      channels.get(key) ?? streamKeys.get(key) ?? recordingConfigurations.get(key) ?? keyPairs.get(key);
    if (!found) throw notFoundError(`Resource ${key} does not exist.`);
    return found;
  }

  /**
   * PutMetadata as IVS takes it: a payload of 1 to 1,024 bytes of UTF-8 for a channel that is broadcasting, at
   * most 5 calls per second per channel and 155 per account (ThrottlingException over either, counted over the
   * last second). What it takes goes into the stream's segments at the moment it arrived (ingest.ts).
   */
  private putMetadata(input: Record<string, unknown>): Record<string, unknown> {
    const metadata = stringField(input.metadata, 'metadata') as string;
    const bytes = Buffer.byteLength(metadata, 'utf8');
    if (bytes < 1 || bytes > PUT_METADATA.maxBytes)
      throw validationError(`metadata must be 1 to ${PUT_METADATA.maxBytes} bytes of UTF-8, not ${bytes}.`);
    const stream = this.liveStreamOf(input.channelArn);
    if (stream.state !== 'LIVE')
      throw new IvsApiError(
        'ChannelNotBroadcasting',
        404,
        `Channel ${stream.channel.arn} is not broadcasting.`,
      );
    const now = Date.now();
    const recent = (calls: number[]) => {
      while (calls.length > 0 && (calls[0] as number) <= now - 1000) calls.shift();
      return calls;
    };
    const channelCalls = recent(this.metadataCalls.get(stream.channel.arn) ?? []);
    const accountCalls = recent(this.accountMetadataCalls);
    if (
      channelCalls.length >= PUT_METADATA.perChannelPerSecond ||
      accountCalls.length >= PUT_METADATA.perAccountPerSecond
    )
      throw new IvsApiError('ThrottlingException', 429, 'PutMetadata: too many calls; slow down.');
    channelCalls.push(now);
    accountCalls.push(now);
    this.metadataCalls.set(stream.channel.arn, channelCalls);
    stream.timedMetadata.push({ at: now, payload: metadata });
    return {};
  }

  private liveStreamOf(channelArn: unknown): LiveStream {
    const channel = this.resources.channel(channelArn);
    const stream = this.options.live.get(channel.arn);
    if (!stream || stream.state === 'ENDED')
      throw new IvsApiError('ChannelNotBroadcasting', 404, `Channel ${channel.arn} is not broadcasting.`);
    return stream;
  }

  private channelSettings(input: Record<string, unknown>, base?: Channel) {
    const name = stringField(input.name, 'name', true);
    if (name !== undefined && !/^[a-zA-Z0-9-_]{0,128}$/.test(name))
      throw validationError('name must be up to 128 letters, digits, dashes or underscores.');
    const latencyMode = stringField(input.latencyMode, 'latencyMode', true);
    if (latencyMode !== undefined && latencyMode !== 'LOW' && latencyMode !== 'NORMAL')
      throw validationError('latencyMode must be LOW or NORMAL.');
    const type = stringField(input.type, 'type', true);
    if (type !== undefined && !['BASIC', 'STANDARD', 'ADVANCED_SD', 'ADVANCED_HD'].includes(type))
      throw validationError('type must be BASIC, STANDARD, ADVANCED_SD or ADVANCED_HD.');
    const recordingConfigurationArn = stringField(
      input.recordingConfigurationArn,
      'recordingConfigurationArn',
      true,
    );
    if (recordingConfigurationArn && !this.resources.recordingConfigurations.has(recordingConfigurationArn))
      throw notFoundError(`Recording configuration ${recordingConfigurationArn} does not exist.`);
    for (const flag of ['authorized', 'insecureIngest'] as const)
      if (input[flag] !== undefined && typeof input[flag] !== 'boolean')
        throw validationError(`${flag} must be a boolean.`);
    return {
      name: name ?? base?.name ?? '',
      latencyMode: (latencyMode ?? base?.latencyMode ?? 'LOW') as 'LOW' | 'NORMAL',
      type: type ?? base?.type ?? 'STANDARD',
      authorized: (input.authorized as boolean | undefined) ?? base?.authorized ?? false,
      insecureIngest: (input.insecureIngest as boolean | undefined) ?? base?.insecureIngest ?? false,
      recordingConfigurationArn: recordingConfigurationArn ?? base?.recordingConfigurationArn ?? '',
    };
  }

  private newStreamKey(channelArn: string, tags: Tags): StreamKey {
    const key: StreamKey = {
      arn: this.resources.arn('stream-key', randomId(12)),
      value: `sk_${this.options.region}_${randomId(30)}`,
      channelArn,
      tags,
    };
    this.resources.streamKeys.set(key.arn, key);
    return key;
  }

  private createChannel(input: Record<string, unknown>) {
    const settings = this.channelSettings(input);
    const id = randomId(12);
    const channel: Channel = {
      arn: this.resources.arn('channel', id),
      id,
      ...settings,
      playbackRestrictionPolicyArn: '',
      preset: '',
      containerFormat: 'TS',
      ingestEndpoint: this.options.ingestHost,
      playbackUrl: `${this.options.playbackBaseUrl}/${livePlaybackPath(id)}`,
      tags: tagsOf(input.tags),
    };
    this.resources.channels.set(channel.arn, channel);
    const streamKey = this.newStreamKey(channel.arn, channel.tags);
    return { channel: channelView(channel), streamKey: { ...streamKey } };
  }

  private updateChannel(input: Record<string, unknown>) {
    const channel = this.resources.channel(input.arn);
    if (this.options.live.get(channel.arn)?.state === 'LIVE' && input.recordingConfigurationArn !== undefined)
      throw conflictError('A live channel cannot change its recording configuration.');
    Object.assign(channel, this.channelSettings(input, channel));
    return { channel: channelView(channel) };
  }

  private deleteChannel(input: Record<string, unknown>) {
    const channel = this.resources.channel(input.arn);
    if (this.options.live.has(channel.arn))
      throw conflictError('A channel that is broadcasting cannot be deleted.');
    const { channels, streamKeys } = this.resources;
    channels.delete(channel.arn);
    for (const [arn, key] of streamKeys) if (key.channelArn === channel.arn) streamKeys.delete(arn);
    return {};
  }

  private listChannels(input: Record<string, unknown>) {
    const byName = stringField(input.filterByName, 'filterByName', true);
    const byRecording = stringField(
      input.filterByRecordingConfigurationArn,
      'filterByRecordingConfigurationArn',
      true,
    );
    const max = typeof input.maxResults === 'number' ? input.maxResults : 100;
    const start = Number(stringField(input.nextToken, 'nextToken', true) ?? 0) || 0;
    const all = [...this.resources.channels.values()].filter(
      (channel) =>
        (byName === undefined || channel.name.includes(byName)) &&
        (byRecording === undefined || channel.recordingConfigurationArn === byRecording),
    );
    const page = all.slice(start, start + max);
    return {
      channels: page.map((channel) => ({
        arn: channel.arn,
        name: channel.name,
        latencyMode: channel.latencyMode,
        authorized: channel.authorized,
        insecureIngest: channel.insecureIngest,
        recordingConfigurationArn: channel.recordingConfigurationArn,
        playbackRestrictionPolicyArn: channel.playbackRestrictionPolicyArn,
        preset: channel.preset,
        type: channel.type,
        tags: { ...channel.tags },
      })),
      ...(start + max < all.length ? { nextToken: String(start + max) } : {}),
    };
  }

  private createStreamKey(input: Record<string, unknown>) {
    const channel = this.resources.channel(input.channelArn);
    // IVS's quota: one stream key per channel. Rotating means deleting the old key first.
    if ([...this.resources.streamKeys.values()].some((key) => key.channelArn === channel.arn))
      throw new IvsApiError(
        'ServiceQuotaExceededException',
        402,
        'The channel already has a stream key (quota: 1 per channel).',
      );
    return { streamKey: { ...this.newStreamKey(channel.arn, tagsOf(input.tags)) } };
  }

  private createRecordingConfiguration(input: Record<string, unknown>) {
    const destination = input.destinationConfiguration as { s3?: { bucketName?: unknown } } | undefined;
    const bucketName = stringField(
      destination?.s3?.bucketName,
      'destinationConfiguration.s3.bucketName',
    ) as string;
    const thumbnails = (input.thumbnailConfiguration ?? {}) as Record<string, unknown>;
    const mode =
      stringField(thumbnails.recordingMode, 'thumbnailConfiguration.recordingMode', true) ?? 'INTERVAL';
    if (mode !== 'INTERVAL' && mode !== 'DISABLED')
      throw validationError('thumbnailConfiguration.recordingMode must be INTERVAL or DISABLED.');
    const interval = thumbnails.targetIntervalSeconds ?? 60;
    if (typeof interval !== 'number' || interval < 1 || interval > 60)
      throw validationError('thumbnailConfiguration.targetIntervalSeconds must be 1–60.');
    const window = input.recordingReconnectWindowSeconds ?? 0;
    if (typeof window !== 'number' || window < 0 || window > 300)
      throw validationError('recordingReconnectWindowSeconds must be 0–300.');
    const id = randomId(12);
    const configuration: RecordingConfiguration = {
      arn: this.resources.arn('recording-configuration', id),
      name: stringField(input.name, 'name', true) ?? '',
      destinationConfiguration: { s3: { bucketName } },
      state: 'ACTIVE',
      recordingReconnectWindowSeconds: window,
      thumbnailConfiguration: {
        recordingMode: mode,
        targetIntervalSeconds: interval,
        ...(typeof thumbnails.resolution === 'string' ? { resolution: thumbnails.resolution } : {}),
        ...(Array.isArray(thumbnails.storage) ? { storage: thumbnails.storage as string[] } : {}),
      },
      renditionConfiguration: { renditionSelection: 'ALL' },
      tags: tagsOf(input.tags),
    };
    this.resources.recordingConfigurations.set(configuration.arn, configuration);
    return { recordingConfiguration: configuration };
  }

  private importPlaybackKeyPair(input: Record<string, unknown>) {
    const pem = stringField(input.publicKeyMaterial, 'publicKeyMaterial') as string;
    let publicKey: KeyObject;
    try {
      publicKey = importPlaybackPublicKey(pem);
    } catch (error) {
      throw validationError(`publicKeyMaterial: ${(error as Error).message}`);
    }
    const der = publicKey.export({ type: 'spki', format: 'der' });
    const fingerprint = createHash('sha256').update(der).digest('hex').match(/../g)?.join(':') ?? '';
    if ([...this.resources.keyPairs.values()].some((pair) => pair.fingerprint === fingerprint))
      throw conflictError('This public key is already imported.');
    const pair: PlaybackKeyPair = {
      arn: this.resources.arn('playback-key', randomId(12)),
      name: stringField(input.name, 'name', true) ?? '',
      fingerprint,
      tags: tagsOf(input.tags),
      publicKey,
    };
    this.resources.keyPairs.set(pair.arn, pair);
    const { publicKey: _key, ...view } = pair;
    return { keyPair: view };
  }
}

function channelView(channel: Channel) {
  return { ...channel, tags: { ...channel.tags } };
}

/** A stream as GetStream answers it; viewers who stopped fetching playlists no longer count. */
function streamView(stream: LiveStream) {
  const now = Date.now();
  for (const [viewer, at] of stream.viewers) if (now - at > VIEWER_WINDOW_MS) stream.viewers.delete(viewer);
  return {
    channelArn: stream.channel.arn,
    streamId: stream.streamId,
    playbackUrl: stream.channel.playbackUrl,
    ...(stream.startTime ? { startTime: stream.startTime.toISOString() } : {}),
    state: stream.state === 'LIVE' ? 'LIVE' : 'OFFLINE',
    health: 'HEALTHY',
    viewerCount: stream.viewers.size,
  };
}
