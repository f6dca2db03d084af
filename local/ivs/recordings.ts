/**
 * Recording to S3 as IVS records: a channel with a recording configuration gets a recording session at its
 * stream's first segment (RecordingWriter writes it in IVS's layout), "Recording Start" once it is started,
 * and "Recording End" when the stream ends — or, with a reconnect window, when the window passes without the
 * publisher coming back; a reconnect within it continues the same session.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { IvsEvents } from './events.ts';
import type { LiveStream } from './live-stream.ts';
import { LIVE_LADDER } from './live-transcode.ts';
import { RecordingWriter } from './recording-writer.ts';
import type { IvsResources } from './resources.ts';

export interface RecordingsOptions {
  s3: S3Client;
  accountId: string;
  resources: IvsResources;
  events: IvsEvents;
  log(message: string, error?: unknown): void;
}

/** A recording whose stream ended and which a reconnect within the window would continue. */
interface PendingRecording {
  writer: RecordingWriter;
  timer: NodeJS.Timeout;
  finish: () => Promise<void>;
}

export class Recordings {
  /** By channel ARN. */
  private readonly pending = new Map<string, PendingRecording>();

  constructor(private readonly options: RecordingsOptions) {}

  /** At the stream's first segment: a new recording session, or the pending one of its channel continued. */
  start(stream: LiveStream): void {
    const configuration = this.options.resources.recordingConfigurationOf(stream.channel);
    if (!configuration) return;
    const pending = this.pending.get(stream.channel.arn);
    if (pending) {
      // A reconnect within the window: the same recording session goes on.
      clearTimeout(pending.timer);
      this.pending.delete(stream.channel.arn);
      pending.writer.continueWith(stream.streamId);
      stream.recording = pending.writer;
      return;
    }
    const bucket = configuration.destinationConfiguration.s3.bucketName;
    const writer = new RecordingWriter({
      s3: this.options.s3,
      bucket,
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
        this.options.events.recordingStateChange(
          { channel: stream.channel, streamId: stream.streamId, writer, bucket },
          'Recording Start',
        ),
      );
  }

  /**
   * After the stream's end: its recording session ends now, or is kept for the channel's reconnect window.
   * Resolves when the session has ended or is pending, not when what it queued is written.
   */
  async afterStreamEnd(stream: LiveStream): Promise<void> {
    const writer = stream.recording;
    const configuration = this.options.resources.recordingConfigurationOf(stream.channel);
    if (!writer || !configuration) return;
    const finish = async () => {
      this.pending.delete(stream.channel.arn);
      await writer.finish(new Date());
      await this.options.events.recordingStateChange(
        {
          channel: stream.channel,
          streamId: stream.streamId,
          writer,
          bucket: configuration.destinationConfiguration.s3.bucketName,
        },
        'Recording End',
      );
    };
    const window = configuration.recordingReconnectWindowSeconds;
    if (window > 0) {
      const timer = setTimeout(() => void finish(), window * 1000);
      this.pending.set(stream.channel.arn, { writer, timer, finish });
    } else {
      await finish();
    }
  }

  /** No pending session ends any more; resolves when what they queued is written. */
  stop(): Promise<void> {
    for (const pending of this.pending.values()) clearTimeout(pending.timer);
    return Promise.all([...this.pending.values()].map((pending) => pending.writer.drain())).then(() => {});
  }
}
