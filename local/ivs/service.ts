/**
 * The local IVS: the channels, stream keys, recording configurations and playback key pairs our functions
 * and the platform create through the IVS API (operations.ts), and the streams that RTMP publishers bring to
 * life (ingest.ts). A publish with a valid key becomes a live stream (LiveTranscode → HLS served on the local
 * origin, playback.ts), is recorded in IVS's S3 layout (recordings.ts), and emits the same "IVS Stream State
 * Change" and "IVS Recording State Change" events IVS puts on EventBridge (events.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { S3Client } from '@aws-sdk/client-s3';
import type { BusEvent } from '../event-bus.ts';
import { IvsEvents } from './events.ts';
import { Ingest } from './ingest.ts';
import { IvsOperations } from './operations.ts';
import { servePlayback } from './playback.ts';
import { Recordings } from './recordings.ts';
import { IvsResources } from './resources.ts';
import type { IngestSession, PublishSink } from './rtmp-server.ts';

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

export class IvsService {
  private readonly resources: IvsResources;
  private readonly events: IvsEvents;
  private readonly recordings: Recordings;
  private readonly ingest: Ingest;
  private readonly operations: IvsOperations;

  constructor(options: IvsServiceOptions) {
    const { log } = options;
    this.resources = new IvsResources(options.region, options.accountId);
    this.events = new IvsEvents(options.publish, log);
    this.recordings = new Recordings({
      s3: options.s3,
      accountId: options.accountId,
      resources: this.resources,
      events: this.events,
      log,
    });
    this.ingest = new Ingest({
      workDir: options.workDir,
      ...(options.x264Preset ? { x264Preset: options.x264Preset } : {}),
      resources: this.resources,
      events: this.events,
      recordings: this.recordings,
      log,
    });
    this.operations = new IvsOperations({
      resources: this.resources,
      live: this.ingest.live,
      region: options.region,
      ingestHost: options.ingestHost,
      playbackBaseUrl: options.playbackBaseUrl,
    });
  }

  /** One IVS API call: its JSON output, or an IvsApiError. */
  call(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    return this.operations.call(operation, input);
  }

  /** RTMP publish: a sink for a valid key of an idle channel; undefined refuses it. */
  authorize(app: string, streamKey: string, session: IngestSession): PublishSink | undefined {
    return this.ingest.authorize(app, streamKey, session);
  }

  /** Serves live HLS (playback.ts); `path` is what follows the playback base URL. */
  servePlayback(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    return servePlayback(
      { resources: this.resources, live: this.ingest.live },
      request,
      response,
      path,
      query,
    );
  }

  /** The live stream of a channel, for the benchmarks: when its first frame and first segment came. */
  liveTimings(channelArn: string): { firstFrameAt?: number; firstSegmentAt?: number; ffmpegPid?: number } {
    const stream = this.ingest.live.get(channelArn);
    if (!stream) return {};
    return {
      ...(stream.firstFrameAt !== undefined ? { firstFrameAt: stream.firstFrameAt } : {}),
      ...(stream.firstSegmentAt !== undefined ? { firstSegmentAt: stream.firstSegmentAt } : {}),
      ...(stream.transcode?.pid !== undefined ? { ffmpegPid: stream.transcode.pid } : {}),
    };
  }

  /** Kills every transcode; recordings in progress stay as far as they got. */
  async stop(): Promise<void> {
    this.events.close();
    const pendingWritten = this.recordings.stop();
    await this.ingest.stop();
    await pendingWritten;
  }
}
