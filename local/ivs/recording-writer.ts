/**
 * A recording session in IVS's S3 layout (https://docs.aws.amazon.com/ivs/latest/LowLatencyUserGuide/record-to-s3.html):
 * `ivs/v1/<account>/<channel id>/<year>/<month>/<day>/<hours>/<minutes>/<recording id>/` holding
 * `events/recording-started.json` and `events/recording-ended.json`, `media/hls/master.m3u8`,
 * `media/hls/<rendition>/playlist.m3u8` with its segments, and `media/thumbnails/thumb<N>.jpg`. Segments and
 * thumbnails are written as they are produced, playlists after each segment; the multivariant playlist's
 * BANDWIDTH never falls below a segment written (rewritten when a segment beats it) and, once the recording
 * ends, is the measured peak, with the measured AVERAGE-BANDWIDTH. The runt an encoder session ends with (a
 * frame or two past the last whole segment) joins the segment before it, so its keyframe over a few
 * milliseconds does not set the peak. A stream that reconnects
 * within the reconnect window continues the same session after a discontinuity. The keys come from the media
 * layout (lambdas/contract/media-layout-aws.ts), which the handlers read the recording with.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  RECORDING_FILES,
  recordingFileKey,
  recordingKeyPrefix,
  recordingMultivariantKey,
  recordingRenditionPlaylistKey,
  recordingSegmentKey,
  recordingThumbnailKey,
} from '#contract/media-layout.ts';
import {
  measuredVariants,
  renderMultivariant,
  renderRecordingPlaylist,
  type Segment,
  type VariantInfo,
} from './hls-playlist.ts';

const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/x-mpegURL',
  ts: 'video/MP2T',
  jpg: 'image/jpeg',
  json: 'application/json',
};

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export function randomId(length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join('');
}

/** A session's last segment shorter than this (half a live segment) joins the one before it. */
const SHORTEST_LAST_SEGMENT_SECONDS = 0.5;

const seconds = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

export interface RecordingWriterOptions {
  s3: S3Client;
  bucket: string;
  accountId: string;
  channelArn: string;
  channelId: string;
  ladder: readonly VariantInfo[];
  thumbnails: boolean;
  startedAt: Date;
  onError(error: unknown): void;
}

export class RecordingWriter {
  readonly recordingId = randomId(12);
  readonly prefix: string;
  readonly streamIds: string[] = [];
  private readonly segments = new Map<string, Segment[]>();
  private thumbnailCount = 0;
  /** Writes go one after another, so a playlist never names a segment that is not written yet. */
  private queue: Promise<void> = Promise.resolve();
  private discontinuityPending = new Set<string>();
  /** Segments handed to `addSegment` per rendition, written or still queued. */
  private readonly segmentsAdded = new Map<string, number>();
  /** The bytes of each rendition's last two segments written, for joining a runt to its predecessor. */
  private readonly recentBytes = new Map<string, Buffer[]>();
  /** The multivariant playlist as last written. */
  private multivariant = '';

  constructor(private readonly options: RecordingWriterOptions) {
    this.prefix = recordingKeyPrefix({
      accountId: options.accountId,
      channelId: options.channelId,
      startedAt: options.startedAt,
      recordingId: this.recordingId,
    });
    for (const rung of options.ladder) this.segments.set(rung.name, []);
  }

  get durationMs(): number {
    const first = this.options.ladder[0];
    const list = first ? (this.segments.get(first.name) ?? []) : [];
    return Math.round(list.reduce((sum, segment) => sum + segment.durationSeconds * 1000, 0));
  }

  /** Writes the object at `key`, a full key of the recordings bucket. */
  private put(key: string, body: Buffer | string): Promise<void> {
    const extension = key.split('.').pop() ?? '';
    return this.options.s3
      .send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Body: body,
          ContentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
        }),
      )
      .then(() => undefined);
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work).catch((error: unknown) => this.options.onError(error));
    return this.queue;
  }

  private metadata(status: 'RECORDING_STARTED' | 'RECORDING_ENDED', endedAt?: Date) {
    return {
      version: 'v1',
      channel_arn: this.options.channelArn,
      recording_started_at: seconds(this.options.startedAt),
      ...(endedAt ? { recording_ended_at: seconds(endedAt) } : {}),
      recording_status: status,
      media: {
        hls: {
          ...(endedAt ? { duration_ms: this.durationMs } : {}),
          path: RECORDING_FILES.hlsFolder,
          playlist: RECORDING_FILES.multivariantPlaylist,
          renditions: this.options.ladder.map((rung) => ({
            path: rung.name,
            playlist: RECORDING_FILES.renditionPlaylist,
            resolution_width: rung.width,
            resolution_height: rung.height,
          })),
        },
        ...(this.options.thumbnails
          ? {
              thumbnails: {
                path: RECORDING_FILES.thumbnailsFolder,
                resolution_height: 360,
                resolution_width: 640,
              },
            }
          : {}),
      },
    };
  }

  /** Writes `events/recording-started.json` and the multivariant playlist. */
  start(streamId: string): Promise<void> {
    this.streamIds.push(streamId);
    return this.enqueue(async () => {
      await this.writeMultivariant('so-far');
      await this.put(
        recordingFileKey(this.prefix, RECORDING_FILES.started),
        JSON.stringify(this.metadata('RECORDING_STARTED'), null, 2),
      );
    });
  }

  /** Writes the multivariant playlist labelled from the segments written so far, if its text changed. */
  private async writeMultivariant(mode: 'so-far' | 'final'): Promise<void> {
    const text = renderMultivariant(
      measuredVariants(this.options.ladder, (name) => this.segments.get(name) ?? [], mode),
    );
    if (text === this.multivariant) return;
    await this.put(recordingMultivariantKey(this.prefix), text);
    this.multivariant = text;
  }

  /** Another stream joins the session (a reconnect within the window): its first segments follow a discontinuity. */
  continueWith(streamId: string): void {
    this.streamIds.push(streamId);
    void this.enqueue(() => this.endSession(false));
    for (const rung of this.options.ladder) this.discontinuityPending.add(rung.name);
  }

  /**
   * The encoder session so far is over: in each rendition, a runt last segment becomes part of the one before
   * (transport streams from one muxer concatenate byte for byte) and the playlist is written again.
   */
  private async endSession(ended: boolean): Promise<void> {
    for (const [rendition, list] of this.segments) {
      const last = list.at(-1);
      const previous = list.at(-2);
      const [previousBytes, lastBytes] = this.recentBytes.get(rendition) ?? [];
      const joinable =
        last &&
        previous &&
        previousBytes &&
        lastBytes &&
        !last.discontinuity &&
        previous.index === last.index - 1;
      if (joinable && last.durationSeconds < SHORTEST_LAST_SEGMENT_SECONDS) {
        const joined = Buffer.concat([previousBytes, lastBytes]);
        await this.put(recordingSegmentKey(this.prefix, rendition, previous.index), joined);
        list.splice(-2, 2, {
          ...previous,
          durationSeconds: previous.durationSeconds + last.durationSeconds,
          bytes: joined.length,
        });
        this.recentBytes.set(rendition, [joined]);
        await this.options.s3.send(
          new DeleteObjectCommand({
            Bucket: this.options.bucket,
            Key: recordingSegmentKey(this.prefix, rendition, last.index),
          }),
        );
      }
      await this.put(
        recordingRenditionPlaylistKey(this.prefix, rendition),
        renderRecordingPlaylist(list, ended),
      );
    }
  }

  addSegment(rendition: string, segment: Segment, file: string): void {
    const list = this.segments.get(rendition);
    if (!list) return;
    // Numbered now, not when the queue reaches it: segments that arrive together get their own keys.
    const index = this.segmentsAdded.get(rendition) ?? 0;
    this.segmentsAdded.set(rendition, index + 1);
    const recorded: Segment = {
      index,
      durationSeconds: segment.durationSeconds,
      ...(this.discontinuityPending.delete(rendition) && index > 0 ? { discontinuity: true } : {}),
    };
    void this.enqueue(async () => {
      const bytes = await readFile(file);
      await this.put(recordingSegmentKey(this.prefix, rendition, recorded.index), bytes);
      list.push({ ...recorded, bytes: bytes.length });
      this.recentBytes.set(rendition, [...(this.recentBytes.get(rendition) ?? []), bytes].slice(-2));
      await this.put(
        recordingRenditionPlaylistKey(this.prefix, rendition),
        renderRecordingPlaylist(list, false),
      );
      // A segment above the label raises it now: a player reading the recording as it grows is told the truth.
      await this.writeMultivariant('so-far');
    });
  }

  addThumbnail(file: string): void {
    void this.enqueue(async () => {
      const index = this.thumbnailCount;
      await this.put(
        recordingThumbnailKey(recordingFileKey(this.prefix, RECORDING_FILES.thumbnailsFolder), index),
        await readFile(file),
      );
      this.thumbnailCount += 1;
    });
  }

  /** Runs `task` after every write queued so far (say, removing a file those writes read). */
  afterWrites(task: () => Promise<void>): Promise<void> {
    return this.enqueue(task);
  }

  /** Settles once every write queued so far is done (the stream's files may be removed after). */
  drain(): Promise<void> {
    return this.queue;
  }

  /** Final playlists and `events/recording-ended.json`, once every write before has finished. */
  async finish(endedAt: Date): Promise<void> {
    await this.enqueue(async () => {
      await this.endSession(true);
      await this.writeMultivariant('final');
      await this.put(
        recordingFileKey(this.prefix, RECORDING_FILES.ended),
        JSON.stringify(this.metadata('RECORDING_ENDED', endedAt), null, 2),
      );
    });
  }
}
