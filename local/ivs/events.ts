/**
 * The events IVS puts on EventBridge, "IVS Stream State Change" and "IVS Recording State Change", in the
 * shape EventBridge delivers them, handed to `publish` one channel's after another in the order they happened.
 */
import type { BusEvent } from '../event-bus.ts';
import type { LiveStream } from './live-stream.ts';
import type { RecordingWriter } from './recording-writer.ts';
import type { Channel } from './resources.ts';

/** Where recording events come from: the writer of the recording session and the bucket it writes to. */
export interface RecordingEventSource {
  channel: Channel;
  streamId: string;
  writer: RecordingWriter;
  bucket: string;
}

export class IvsEvents {
  /** Events of one channel go out one after another, in the order they happened. */
  private readonly queues = new Map<string, Promise<void>>();
  private closed = false;

  constructor(
    private readonly publish: (event: BusEvent) => Promise<void>,
    private readonly log: (message: string, error?: unknown) => void,
  ) {}

  /** A stream's state change: `Session Created`, `Stream Start`, `Stream End`, `Stream Failure` (with a code). */
  streamStateChange(
    stream: LiveStream,
    eventName: string,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    return this.emit(stream.channel, 'IVS Stream State Change', {
      event_name: eventName,
      stream_id: stream.streamId,
      ...extra,
    });
  }

  recordingStateChange(
    source: RecordingEventSource,
    status: 'Recording Start' | 'Recording End',
  ): Promise<void> {
    const { channel, streamId, writer, bucket } = source;
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

  /** From now on nothing more is published: the emulator is stopping. */
  close(): void {
    this.closed = true;
  }

  private emit(channel: Channel, detailType: string, detail: Record<string, unknown>): Promise<void> {
    const event: BusEvent = {
      source: 'aws.ivs',
      'detail-type': detailType,
      time: new Date().toISOString(),
      resources: [channel.arn],
      detail: { channel_name: channel.name, ...detail },
    };
    const previous = this.queues.get(channel.arn) ?? Promise.resolve();
    const next = previous.then(() =>
      this.closed
        ? undefined
        : this.publish(event).catch((error: unknown) => this.log(`could not publish ${detailType}`, error)),
    );
    this.queues.set(channel.arn, next);
    return next;
  }
}
