/**
 * The local IVS: the channels, stream keys, recording configurations and playback key pairs our functions
 * and the platform create through the IVS API, and the streams that RTMP publishers bring to life. A
 * publish with a valid key becomes a live stream (LiveTranscode → HLS served on the local origin), is
 * recorded in IVS's S3 layout (RecordingWriter), and emits the same "IVS Stream State Change" and
 * "IVS Recording State Change" events IVS puts on EventBridge.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { mkdir, readFile, rm, unlink } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { ivsHlsNames, livePlaybackPath, parseLivePlaybackPath } from '#contract/media-layout.ts';
import type { BusEvent } from '../event-bus.ts';
import { decodeAmf0 } from './amf0.ts';
import { FLV_TAG } from './flv.ts';
import { renderLivePlaylist, renderMultivariant, type Segment } from './hls-playlist.ts';
import { LIVE_LADDER, LiveTranscode } from './live-transcode.ts';
import { checkPlaybackToken, importPlaybackPublicKey } from './playback-token.ts';
import { RecordingWriter, randomId } from './recording-writer.ts';
import type { IngestSession, PublishSink } from './rtmp-server.ts';

/** An error as IVS's REST-JSON API returns it: the type goes in `x-amzn-ErrorType`. */
export class IvsApiError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const validation = (message: string) => new IvsApiError('ValidationException', 400, message);
const notFound = (message: string) => new IvsApiError('ResourceNotFoundException', 404, message);

type Tags = Record<string, string>;

interface Channel {
  arn: string;
  id: string;
  name: string;
  latencyMode: 'LOW' | 'NORMAL';
  type: string;
  authorized: boolean;
  insecureIngest: boolean;
  recordingConfigurationArn: string;
  playbackRestrictionPolicyArn: string;
  preset: string;
  containerFormat: string;
  ingestEndpoint: string;
  playbackUrl: string;
  tags: Tags;
}

interface StreamKey {
  arn: string;
  value: string;
  channelArn: string;
  tags: Tags;
}

interface RecordingConfiguration {
  arn: string;
  name: string;
  destinationConfiguration: { s3: { bucketName: string } };
  state: 'ACTIVE';
  recordingReconnectWindowSeconds: number;
  thumbnailConfiguration: {
    recordingMode: 'INTERVAL' | 'DISABLED';
    targetIntervalSeconds: number;
    resolution?: string;
    storage?: string[];
  };
  renditionConfiguration: { renditionSelection: string; renditions?: string[] };
  tags: Tags;
}

interface PlaybackKeyPair {
  arn: string;
  name: string;
  fingerprint: string;
  tags: Tags;
  publicKey: KeyObject;
}

/** A publisher on a channel, from publish to the end of its transcode. */
interface LiveStream {
  streamId: string;
  channel: Channel;
  session: IngestSession;
  dir: string;
  state: 'STARTING' | 'LIVE' | 'ENDED';
  startTime?: Date;
  segments: Map<string, Segment[]>;
  transcode?: LiveTranscode;
  recording?: RecordingWriter;
  /** performance.now() of the first audio or video frame, and of the first segment (for the benchmarks). */
  firstFrameAt?: number;
  firstSegmentAt?: number;
  viewers: Map<string, number>;
  /**
   * Playback tokens this stream has accepted. As IVS does, a token is checked (signature, channel, expiry) when
   * playback starts; the playlists and segments that follow need the same token, not a fresh one, so a viewer
   * keeps watching after the token's expiry, and no signature is verified per segment.
   */
  acceptedTokens: Set<string>;
  /** Recent segments' bytes, read once from disk for every viewer that asks for them. */
  segmentCache: Map<string, Promise<Buffer>>;
  /** The publisher is gone: the transcode is finishing, and how it exits is no failure of the stream. */
  ending?: boolean;
}

/** A recording whose stream ended and which a reconnect within the window would continue. */
interface PendingRecording {
  writer: RecordingWriter;
  timer: NodeJS.Timeout;
  finish: () => Promise<void>;
}

export interface IvsServiceOptions {
  accountId: string;
  region: string;
  /** Host name channels report as `ingestEndpoint`. */
  ingestHost: string;
  /** Where live HLS is served, e.g. `http://127.0.0.1:3000/ivs/playback`. */
  playbackBaseUrl: string;
  workDir: string;
  s3: S3Client;
  publish(event: BusEvent): Promise<void>;
  x264Preset?: string;
  log(message: string, error?: unknown): void;
}

/** Segments in a live playlist: a few seconds behind the edge, as players expect of a live window. */
const LIVE_WINDOW_SEGMENTS = 6;
/** A viewer counts while it fetched a playlist within this many milliseconds. */
const VIEWER_WINDOW_MS = 15_000;

const str = (value: unknown, field: string, optional = false): string | undefined => {
  if (value === undefined || value === null) {
    if (optional) return undefined;
    throw validation(`${field} is required.`);
  }
  if (typeof value !== 'string') throw validation(`${field} must be a string.`);
  return value;
};

function tagsOf(value: unknown): Tags {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw validation('tags must be a map of strings.');
  for (const tag of Object.values(value))
    if (typeof tag !== 'string') throw validation('tags must be strings.');
  return { ...(value as Tags) };
}

const nowIso = () => new Date().toISOString();

export class IvsService {
  private readonly channels = new Map<string, Channel>();
  private readonly streamKeys = new Map<string, StreamKey>();
  private readonly recordingConfigurations = new Map<string, RecordingConfiguration>();
  private readonly keyPairs = new Map<string, PlaybackKeyPair>();
  /** The live stream of each channel, by channel ARN. */
  private readonly live = new Map<string, LiveStream>();
  private readonly pendingRecordings = new Map<string, PendingRecording>();
  /** Events of one channel go out one after another, in the order they happened. */
  private readonly eventQueues = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(private readonly options: IvsServiceOptions) {}

  private arn(kind: string, id: string) {
    return `arn:aws:ivs:${this.options.region}:${this.options.accountId}:${kind}/${id}`;
  }

  // ——— API operations ———

  call(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    switch (operation) {
      case 'CreateChannel':
        return this.createChannel(input);
      case 'GetChannel':
        return { channel: this.channelView(this.channel(input.arn)) };
      case 'UpdateChannel':
        return this.updateChannel(input);
      case 'DeleteChannel':
        return this.deleteChannel(input);
      case 'ListChannels':
        return this.listChannels(input);
      case 'CreateStreamKey':
        return this.createStreamKey(input);
      case 'GetStreamKey':
        return { streamKey: { ...this.streamKey(input.arn) } };
      case 'ListStreamKeys': {
        const channel = this.channel(input.channelArn);
        const keys = [...this.streamKeys.values()].filter((key) => key.channelArn === channel.arn);
        return { streamKeys: keys.map(({ arn, channelArn, tags }) => ({ arn, channelArn, tags })) };
      }
      case 'DeleteStreamKey':
        this.streamKey(input.arn);
        this.streamKeys.delete(input.arn as string);
        return {};
      case 'GetStream':
        return { stream: this.streamView(this.liveStreamOf(input.channelArn)) };
      case 'ListStreams':
        return {
          streams: [...this.live.values()]
            .filter((stream) => stream.state === 'LIVE')
            .map((stream) => {
              const { playbackUrl: _url, ...summary } = this.streamView(stream);
              return summary;
            }),
        };
      case 'StopStream':
        this.liveStreamOf(input.channelArn).session.close();
        return {};
      case 'CreateRecordingConfiguration':
        return this.createRecordingConfiguration(input);
      case 'GetRecordingConfiguration': {
        const found = this.recordingConfigurations.get(str(input.arn, 'arn') as string);
        if (!found) throw notFound(`Recording configuration ${String(input.arn)} does not exist.`);
        return { recordingConfiguration: found };
      }
      case 'ImportPlaybackKeyPair':
        return this.importPlaybackKeyPair(input);
      case 'ListPlaybackKeyPairs':
        return {
          keyPairs: [...this.keyPairs.values()].map(({ arn, name, tags }) => ({ arn, name, tags })),
        };
      case 'GetPlaybackKeyPair': {
        const pair = this.keyPairs.get(str(input.arn, 'arn') as string);
        if (!pair) throw notFound(`Playback key pair ${String(input.arn)} does not exist.`);
        const { publicKey: _key, ...view } = pair;
        return { keyPair: view };
      }
      default:
        throw new IvsApiError(
          'UnknownOperationException',
          404,
          `The local IVS does not implement ${operation}.`,
        );
    }
  }

  private channel(arn: unknown): Channel {
    const found = this.channels.get(str(arn, 'arn') as string);
    if (!found) throw notFound(`Channel ${String(arn)} does not exist.`);
    return found;
  }

  private streamKey(arn: unknown): StreamKey {
    const found = this.streamKeys.get(str(arn, 'arn') as string);
    if (!found) throw notFound(`Stream key ${String(arn)} does not exist.`);
    return found;
  }

  private liveStreamOf(channelArn: unknown): LiveStream {
    const channel = this.channel(channelArn);
    const stream = this.live.get(channel.arn);
    if (!stream || stream.state === 'ENDED')
      throw new IvsApiError('ChannelNotBroadcasting', 404, `Channel ${channel.arn} is not broadcasting.`);
    return stream;
  }

  private channelView(channel: Channel) {
    return { ...channel, tags: { ...channel.tags } };
  }

  private streamView(stream: LiveStream) {
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

  private channelSettings(input: Record<string, unknown>, base?: Channel) {
    const name = str(input.name, 'name', true);
    if (name !== undefined && !/^[a-zA-Z0-9-_]{0,128}$/.test(name))
      throw validation('name must be up to 128 letters, digits, dashes or underscores.');
    const latencyMode = str(input.latencyMode, 'latencyMode', true);
    if (latencyMode !== undefined && latencyMode !== 'LOW' && latencyMode !== 'NORMAL')
      throw validation('latencyMode must be LOW or NORMAL.');
    const type = str(input.type, 'type', true);
    if (type !== undefined && !['BASIC', 'STANDARD', 'ADVANCED_SD', 'ADVANCED_HD'].includes(type))
      throw validation('type must be BASIC, STANDARD, ADVANCED_SD or ADVANCED_HD.');
    const recordingConfigurationArn = str(input.recordingConfigurationArn, 'recordingConfigurationArn', true);
    if (recordingConfigurationArn && !this.recordingConfigurations.has(recordingConfigurationArn))
      throw notFound(`Recording configuration ${recordingConfigurationArn} does not exist.`);
    for (const flag of ['authorized', 'insecureIngest'] as const)
      if (input[flag] !== undefined && typeof input[flag] !== 'boolean')
        throw validation(`${flag} must be a boolean.`);
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
      arn: this.arn('stream-key', randomId(12)),
      value: `sk_${this.options.region}_${randomId(30)}`,
      channelArn,
      tags,
    };
    this.streamKeys.set(key.arn, key);
    return key;
  }

  private createChannel(input: Record<string, unknown>) {
    const settings = this.channelSettings(input);
    const id = randomId(12);
    const channel: Channel = {
      arn: this.arn('channel', id),
      id,
      ...settings,
      playbackRestrictionPolicyArn: '',
      preset: '',
      containerFormat: 'TS',
      ingestEndpoint: this.options.ingestHost,
      playbackUrl: `${this.options.playbackBaseUrl}/${livePlaybackPath(id)}`,
      tags: tagsOf(input.tags),
    };
    this.channels.set(channel.arn, channel);
    const streamKey = this.newStreamKey(channel.arn, channel.tags);
    return { channel: this.channelView(channel), streamKey: { ...streamKey } };
  }

  private updateChannel(input: Record<string, unknown>) {
    const channel = this.channel(input.arn);
    if (this.live.get(channel.arn)?.state === 'LIVE' && input.recordingConfigurationArn !== undefined)
      throw new IvsApiError(
        'ConflictException',
        409,
        'A live channel cannot change its recording configuration.',
      );
    Object.assign(channel, this.channelSettings(input, channel));
    return { channel: this.channelView(channel) };
  }

  private deleteChannel(input: Record<string, unknown>) {
    const channel = this.channel(input.arn);
    if (this.live.has(channel.arn))
      throw new IvsApiError('ConflictException', 409, 'A channel that is broadcasting cannot be deleted.');
    this.channels.delete(channel.arn);
    for (const [arn, key] of this.streamKeys) if (key.channelArn === channel.arn) this.streamKeys.delete(arn);
    return {};
  }

  private listChannels(input: Record<string, unknown>) {
    const byName = str(input.filterByName, 'filterByName', true);
    const byRecording = str(
      input.filterByRecordingConfigurationArn,
      'filterByRecordingConfigurationArn',
      true,
    );
    const max = typeof input.maxResults === 'number' ? input.maxResults : 100;
    const start = Number(str(input.nextToken, 'nextToken', true) ?? 0) || 0;
    const all = [...this.channels.values()].filter(
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
    const channel = this.channel(input.channelArn);
    // IVS's quota: one stream key per channel. Rotating means deleting the old key first.
    if ([...this.streamKeys.values()].some((key) => key.channelArn === channel.arn))
      throw new IvsApiError(
        'ServiceQuotaExceededException',
        402,
        'The channel already has a stream key (quota: 1 per channel).',
      );
    return { streamKey: { ...this.newStreamKey(channel.arn, tagsOf(input.tags)) } };
  }

  private createRecordingConfiguration(input: Record<string, unknown>) {
    const destination = input.destinationConfiguration as { s3?: { bucketName?: unknown } } | undefined;
    const bucketName = str(destination?.s3?.bucketName, 'destinationConfiguration.s3.bucketName') as string;
    const thumbnails = (input.thumbnailConfiguration ?? {}) as Record<string, unknown>;
    const mode = str(thumbnails.recordingMode, 'thumbnailConfiguration.recordingMode', true) ?? 'INTERVAL';
    if (mode !== 'INTERVAL' && mode !== 'DISABLED')
      throw validation('thumbnailConfiguration.recordingMode must be INTERVAL or DISABLED.');
    const interval = thumbnails.targetIntervalSeconds ?? 60;
    if (typeof interval !== 'number' || interval < 1 || interval > 60)
      throw validation('thumbnailConfiguration.targetIntervalSeconds must be 1–60.');
    const window = input.recordingReconnectWindowSeconds ?? 0;
    if (typeof window !== 'number' || window < 0 || window > 300)
      throw validation('recordingReconnectWindowSeconds must be 0–300.');
    const id = randomId(12);
    const configuration: RecordingConfiguration = {
      arn: this.arn('recording-configuration', id),
      name: str(input.name, 'name', true) ?? '',
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
    this.recordingConfigurations.set(configuration.arn, configuration);
    return { recordingConfiguration: configuration };
  }

  private importPlaybackKeyPair(input: Record<string, unknown>) {
    const pem = str(input.publicKeyMaterial, 'publicKeyMaterial') as string;
    let publicKey: KeyObject;
    try {
      publicKey = importPlaybackPublicKey(pem);
    } catch (error) {
      throw validation(`publicKeyMaterial: ${(error as Error).message}`);
    }
    const der = publicKey.export({ type: 'spki', format: 'der' });
    const fingerprint = createHash('sha256').update(der).digest('hex').match(/../g)?.join(':') ?? '';
    if ([...this.keyPairs.values()].some((pair) => pair.fingerprint === fingerprint))
      throw new IvsApiError('ConflictException', 409, 'This public key is already imported.');
    const pair: PlaybackKeyPair = {
      arn: this.arn('playback-key', randomId(12)),
      name: str(input.name, 'name', true) ?? '',
      fingerprint,
      tags: tagsOf(input.tags),
      publicKey,
    };
    this.keyPairs.set(pair.arn, pair);
    const { publicKey: _key, ...view } = pair;
    return { keyPair: view };
  }

  // ——— Events ———

  private emit(channel: Channel, detailType: string, detail: Record<string, unknown>): Promise<void> {
    const event: BusEvent = {
      source: 'aws.ivs',
      'detail-type': detailType,
      time: nowIso(),
      resources: [channel.arn],
      detail: { channel_name: channel.name, ...detail },
    };
    const previous = this.eventQueues.get(channel.arn) ?? Promise.resolve();
    const next = previous.then(() =>
      this.stopping
        ? undefined
        : this.options
            .publish(event)
            .catch((error: unknown) => this.options.log(`could not publish ${detailType}`, error)),
    );
    this.eventQueues.set(channel.arn, next);
    return next;
  }

  private streamEvent(stream: LiveStream, name: string) {
    return this.emit(stream.channel, 'IVS Stream State Change', {
      event_name: name,
      stream_id: stream.streamId,
    });
  }

  private recordingEvent(
    channel: Channel,
    streamId: string,
    writer: RecordingWriter,
    status: 'Recording Start' | 'Recording End',
    bucket: string,
  ) {
    return this.emit(channel, 'IVS Recording State Change', {
      stream_id: streamId,
      recording_status: status,
      recording_status_reason: '',
      recording_s3_bucket_name: bucket,
      recording_s3_key_prefix: writer.prefix,
      recording_duration_ms: status === 'Recording End' ? writer.durationMs : 0,
      recording_session_id: writer.recordingId,
      recording_session_stream_ids: [...writer.streamIds],
    });
  }

  // ——— Ingest ———

  /** RTMP publish: a sink for a valid key of an idle channel; undefined refuses it. */
  authorize(app: string, streamKey: string, session: IngestSession): PublishSink | undefined {
    if (this.stopping || app !== 'app') return undefined;
    const key = [...this.streamKeys.values()].find((candidate) => candidate.value === streamKey);
    const channel = key ? this.channels.get(key.channelArn) : undefined;
    if (!channel || this.live.has(channel.arn)) return undefined;
    const stream: LiveStream = {
      streamId: `st-${randomId(21)}`,
      channel,
      session,
      dir: join(this.options.workDir, randomId(8)),
      state: 'STARTING',
      segments: new Map(LIVE_LADDER.map((rung) => [rung.name, []])),
      viewers: new Map(),
      acceptedTokens: new Set(),
      segmentCache: new Map(),
    };
    this.live.set(channel.arn, stream);
    void this.streamEvent(stream, 'Session Created');
    return this.sinkFor(stream);
  }

  private sinkFor(stream: LiveStream): PublishSink {
    let buffered: Buffer[] = [];
    let header: Buffer | undefined;
    let starting: Promise<void> | undefined;
    let ended = false;
    const startTranscode = (audio: boolean) => {
      // The FLV header says which tracks follow; ffmpeg would otherwise wait for audio that never comes.
      if (!audio && header && header.length > 4) header[4] = 0x01;
      starting = this.startTranscode(stream, audio)
        .then(() => {
          for (const bytes of buffered) stream.transcode?.write(bytes);
          buffered = [];
        })
        .catch((error: unknown) => {
          this.options.log(`could not start the transcode of ${stream.streamId}`, error);
          stream.session.close();
        });
    };
    return {
      write: (bytes) => {
        if (ended) return;
        if (!header) {
          header = bytes;
          buffered.push(bytes);
          return;
        }
        const type = bytes[0];
        if ((type === FLV_TAG.audio || type === FLV_TAG.video) && stream.firstFrameAt === undefined)
          stream.firstFrameAt = performance.now();
        if (!starting) {
          buffered.push(bytes);
          // The first tag says whether there is audio: the metadata's audio codec, or an audio frame itself.
          let audio = type === FLV_TAG.audio;
          if (type === FLV_TAG.script) {
            try {
              const [, metadata] = decodeAmf0(bytes.subarray(11, bytes.length - 4));
              audio = typeof metadata === 'object' && metadata !== null && 'audiocodecid' in metadata;
            } catch {
              audio = true;
            }
          }
          startTranscode(audio);
          return;
        }
        if (stream.transcode) stream.transcode.write(bytes);
        else buffered.push(bytes);
      },
      end: () => {
        if (ended) return;
        ended = true;
        stream.ending = true;
        void (starting ?? Promise.resolve()).then(() => this.endStream(stream));
      },
    };
  }

  private async startTranscode(stream: LiveStream, audio: boolean): Promise<void> {
    await mkdir(stream.dir, { recursive: true });
    const configuration = this.recordingConfigurations.get(stream.channel.recordingConfigurationArn);
    const thumbnails = configuration?.thumbnailConfiguration.recordingMode === 'INTERVAL';
    stream.transcode = await LiveTranscode.start({
      dir: stream.dir,
      audio,
      thumbnailIntervalSeconds:
        configuration && thumbnails ? configuration.thumbnailConfiguration.targetIntervalSeconds : 0,
      ...(this.options.x264Preset ? { x264Preset: this.options.x264Preset } : {}),
      onSegment: (rendition, segment, file) => this.onSegment(stream, rendition, segment, file),
      onThumbnail: (_index, file) => stream.recording?.addThumbnail(file),
      onExit: (error) => {
        if (!error || this.stopping || stream.ending) return;
        // What IVS reports when it cannot process what an encoder sends; the encoder is disconnected.
        this.options.log(`the transcode of ${stream.streamId} failed`, error);
        void this.emit(stream.channel, 'IVS Stream State Change', {
          event_name: 'Stream Failure',
          stream_id: stream.streamId,
          code: 'InvalidInput',
        });
        stream.session.close();
      },
    });
  }

  private onSegment(stream: LiveStream, rendition: string, segment: Segment, file: string): void {
    stream.segments.get(rendition)?.push(segment);
    stream.firstSegmentAt ??= performance.now();
    if (!stream.recording) this.startRecording(stream);
    stream.recording?.addSegment(rendition, segment, file);
    this.releaseOldSegment(stream, rendition);
    if (stream.state === 'STARTING' && [...stream.segments.values()].every((list) => list.length > 0)) {
      stream.state = 'LIVE';
      stream.startTime = new Date();
      void this.streamEvent(stream, 'Stream Start');
    }
  }

  /**
   * A segment two live windows old is no longer served (nor cached): its file goes once the recording has
   * it, so a long broadcast does not fill the disk.
   */
  private releaseOldSegment(stream: LiveStream, rendition: string): void {
    const list = stream.segments.get(rendition) ?? [];
    const old = list[list.length - 1 - 2 * LIVE_WINDOW_SEGMENTS];
    if (!old) return;
    const file = join(stream.dir, rendition, `${old.index}.ts`);
    const remove = () => unlink(file).catch(() => {});
    if (stream.recording) void stream.recording.afterWrites(remove);
    else void remove();
  }

  private startRecording(stream: LiveStream): void {
    const configuration = this.recordingConfigurations.get(stream.channel.recordingConfigurationArn);
    if (!configuration) return;
    const pending = this.pendingRecordings.get(stream.channel.arn);
    if (pending) {
      // A reconnect within the window: the same recording session goes on.
      clearTimeout(pending.timer);
      this.pendingRecordings.delete(stream.channel.arn);
      pending.writer.continueWith(stream.streamId);
      stream.recording = pending.writer;
      return;
    }
    const writer = new RecordingWriter({
      s3: this.options.s3,
      bucket: configuration.destinationConfiguration.s3.bucketName,
      accountId: this.options.accountId,
      channelArn: stream.channel.arn,
      channelId: stream.channel.id,
      ladder: LIVE_LADDER,
      thumbnails: configuration.thumbnailConfiguration.recordingMode === 'INTERVAL',
      startedAt: new Date(),
      onError: (error) => this.options.log(`could not write the recording of ${stream.streamId}`, error),
    });
    stream.recording = writer;
    void writer
      .start(stream.streamId)
      .then(() =>
        this.recordingEvent(
          stream.channel,
          stream.streamId,
          writer,
          'Recording Start',
          configuration.destinationConfiguration.s3.bucketName,
        ),
      );
  }

  private async endStream(stream: LiveStream): Promise<void> {
    await stream.transcode?.end();
    stream.state = 'ENDED';
    if (this.live.get(stream.channel.arn) === stream) this.live.delete(stream.channel.arn);
    if (this.stopping) return;
    await this.streamEvent(stream, 'Stream End');
    const writer = stream.recording;
    const configuration = this.recordingConfigurations.get(stream.channel.recordingConfigurationArn);
    if (writer && configuration) {
      const finish = async () => {
        this.pendingRecordings.delete(stream.channel.arn);
        await writer.finish(new Date());
        await this.recordingEvent(
          stream.channel,
          stream.streamId,
          writer,
          'Recording End',
          configuration.destinationConfiguration.s3.bucketName,
        );
      };
      const window = configuration.recordingReconnectWindowSeconds;
      if (window > 0) {
        const timer = setTimeout(() => void finish(), window * 1000);
        this.pendingRecordings.set(stream.channel.arn, { writer, timer, finish });
      } else {
        await finish();
      }
    }
    // The recording reads segments and thumbnails from the stream's folder until its queue is done.
    await writer?.drain();
    await rm(stream.dir, { recursive: true, force: true });
  }

  /** The live stream of a channel id, for the benchmarks: when its first frame and first segment came. */
  liveTimings(channelArn: string): { firstFrameAt?: number; firstSegmentAt?: number; ffmpegPid?: number } {
    const stream = this.live.get(channelArn);
    if (!stream) return {};
    return {
      ...(stream.firstFrameAt !== undefined ? { firstFrameAt: stream.firstFrameAt } : {}),
      ...(stream.firstSegmentAt !== undefined ? { firstSegmentAt: stream.firstSegmentAt } : {}),
      ...(stream.transcode?.pid !== undefined ? { ffmpegPid: stream.transcode.pid } : {}),
    };
  }

  // ——— Playback ———

  /**
   * Serves live HLS: `<channel id>/master.m3u8`, `<channel id>/<rendition>/playlist.m3u8` and
   * `<channel id>/<rendition>/<n>.ts`. A private channel's requests need `?token=`; the playlists pass it on
   * to what they name.
   */
  async servePlayback(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    const send = (status: number, type: string, body: Buffer | string, cache = 'no-cache') => {
      const payload = typeof body === 'string' ? Buffer.from(body) : body;
      response.writeHead(status, {
        'content-type': type,
        'content-length': String(payload.length),
        'cache-control': cache,
        'access-control-allow-origin': '*',
      });
      response.end(request.method === 'HEAD' ? undefined : payload);
    };
    const text = (status: number, message: string) =>
      send(status, 'text/plain; charset=utf-8', `${message}\n`, 'no-store');
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'GET or HEAD only.');
    const live = parseLivePlaybackPath(path);
    if (!live) return text(404, 'No such live media.');
    const { channelId } = live;
    const master = live.file === 'multivariant';
    const rendition = live.file === 'multivariant' ? undefined : live.rendition;
    const segmentIndex = live.file === 'segment' ? live.index : undefined;
    const stream = this.live.get(this.arn('channel', channelId));
    if (stream?.state !== 'LIVE') return text(404, 'This channel is not live.');
    const token = query.get('token') ?? undefined;
    let suffix = '';
    if (stream.channel.authorized) {
      const accepted = !master && token !== undefined && stream.acceptedTokens.has(token);
      if (!accepted) {
        const check = checkPlaybackToken(
          token,
          stream.channel.arn,
          [...this.keyPairs.values()].map((pair) => pair.publicKey),
        );
        if (!check.ok) return text(403, check.reason);
        stream.acceptedTokens.add(token as string);
      }
      suffix = `?token=${encodeURIComponent(token as string)}`;
    }
    const viewer = `${request.socket.remoteAddress}:${request.socket.remotePort}`;
    if (master) {
      stream.viewers.set(viewer, Date.now());
      return send(200, 'application/vnd.apple.mpegurl', renderMultivariant(LIVE_LADDER, suffix));
    }
    const segments = stream.segments.get(rendition as string);
    if (!segments) return text(404, 'No such rendition.');
    if (segmentIndex === undefined) {
      stream.viewers.set(viewer, Date.now());
      return send(
        200,
        'application/vnd.apple.mpegurl',
        renderLivePlaylist(segments, LIVE_WINDOW_SEGMENTS, suffix),
        'max-age=1',
      );
    }
    const index = segmentIndex;
    if (!segments.some((segment) => segment.index === index)) return text(404, 'No such segment.');
    const cacheKey = `${rendition}/${index}`;
    let cached = stream.segmentCache.get(cacheKey);
    if (!cached) {
      cached = readFile(join(stream.dir, ivsHlsNames.segment(rendition as string, index)));
      stream.segmentCache.set(cacheKey, cached);
      // Keep about two live windows of every rendition; players ask for nothing older.
      const limit = 2 * LIVE_WINDOW_SEGMENTS * LIVE_LADDER.length;
      for (const key of stream.segmentCache.keys()) {
        if (stream.segmentCache.size <= limit) break;
        stream.segmentCache.delete(key);
      }
    }
    let bytes: Buffer;
    try {
      bytes = await cached;
    } catch {
      stream.segmentCache.delete(cacheKey);
      return text(404, 'No such segment.');
    }
    send(200, 'video/mp2t', bytes, 'max-age=86400');
  }

  /** Kills every transcode; recordings in progress stay as far as they got. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const pending of this.pendingRecordings.values()) clearTimeout(pending.timer);
    const streams = [...this.live.values()];
    for (const stream of streams) stream.session.close();
    await Promise.all(streams.map((stream) => stream.transcode?.kill()));
    // What the recordings already queued is written before the work folder goes.
    await Promise.all([
      ...streams.map((stream) => stream.recording?.drain()),
      ...[...this.pendingRecordings.values()].map((pending) => pending.writer.drain()),
    ]);
  }
}
