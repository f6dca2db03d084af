/**
 * RTMP publishes turned into live streams: a valid stream key of an idle channel starts one; its FLV goes
 * to a LiveTranscode whose segments make the stream LIVE (and feed the recording); the publisher leaving
 * ends it. Each step emits the "IVS Stream State Change" event IVS emits for it.
 */
import { mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ivsHlsNames } from '#contract/media-layout.ts';
import { decodeAmf0 } from './amf0.ts';
import type { IvsEvents } from './events.ts';
import { FLV_TAG } from './flv.ts';
import type { Segment } from './hls-playlist.ts';
import { LIVE_WINDOW_SEGMENTS, type LiveStream } from './live-stream.ts';
import { LIVE_LADDER, LiveTranscode } from './live-transcode.ts';
import { randomId } from './recording-writer.ts';
import type { Recordings } from './recordings.ts';
import type { IvsResources } from './resources.ts';
import type { IngestSession, PublishSink } from './rtmp-server.ts';
import { injectTimedMetadata, type SegmentCue } from './timed-metadata.ts';

export interface IngestOptions {
  /** Where each stream's transcode writes its segments and thumbnails, one folder per stream. */
  workDir: string;
  x264Preset?: string;
  resources: IvsResources;
  events: IvsEvents;
  recordings: Recordings;
  log(message: string, error?: unknown): void;
}

export class Ingest {
  /** The live stream of each channel, by channel ARN. */
  readonly live = new Map<string, LiveStream>();
  private stopping = false;

  constructor(private readonly options: IngestOptions) {}

  /** RTMP publish: a sink for a valid key of an idle channel; undefined refuses it. */
  authorize(app: string, streamKey: string, session: IngestSession): PublishSink | undefined {
    if (this.stopping || app !== 'app') return undefined;
    const channel = this.options.resources.channelOfStreamKey(streamKey);
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
      timedMetadata: [],
      metadataPlaced: new Map(),
    };
    this.live.set(channel.arn, stream);
    void this.options.events.streamStateChange(stream, 'Session Created');
    return this.sinkFor(stream);
  }

  /** Closes every publisher's connection and kills every transcode; resolves when the recordings are written. */
  async stop(): Promise<void> {
    this.stopping = true;
    const streams = [...this.live.values()];
    for (const stream of streams) stream.session.close();
    await Promise.all(streams.map((stream) => stream.transcode?.kill()));
    // What the recordings already queued is written before the work folder goes.
    await Promise.all(streams.map((stream) => stream.recording?.drain()));
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
    const configuration = this.options.resources.recordingConfigurationOf(stream.channel);
    const thumbnails = configuration?.thumbnailConfiguration.recordingMode === 'INTERVAL';
    stream.transcode = await LiveTranscode.start({
      dir: stream.dir,
      audio,
      thumbnailIntervalSeconds:
        configuration && thumbnails ? configuration.thumbnailConfiguration.targetIntervalSeconds : 0,
      ...(this.options.x264Preset ? { x264Preset: this.options.x264Preset } : {}),
      firstFrameAt: () =>
        stream.firstFrameAt === undefined ? undefined : performance.timeOrigin + stream.firstFrameAt,
      prepareSegment: (rendition, segment, file) => this.placeMetadata(stream, rendition, segment, file),
      onSegment: (rendition, segment, file) => this.onSegment(stream, rendition, segment, file),
      onThumbnail: (_index, file) => stream.recording?.addThumbnail(file),
      onExit: (error) => {
        if (!error || this.stopping || stream.ending) return;
        // What IVS reports when it cannot process what an encoder sends; the encoder is disconnected.
        this.options.log(`the transcode of ${stream.streamId} failed`, error);
        void this.options.events.streamStateChange(stream, 'Stream Failure', { code: 'InvalidInput' });
        stream.session.close();
      },
    });
  }

  /**
   * Puts the PutMetadata payloads that arrived before this segment's end into it, each at the moment of the
   * stream it arrived at (one that came while an earlier segment was already out goes at this one's start).
   * A segment that cannot take them is served as it is, and the payloads wait for the next one.
   */
  private async placeMetadata(stream: LiveStream, rendition: string, segment: Segment, file: string) {
    const placed = stream.metadataPlaced.get(rendition) ?? 0;
    const start = segment.programDateTime?.getTime();
    if (start === undefined || placed >= stream.timedMetadata.length) return;
    const end = start + segment.durationSeconds * 1000;
    const due = stream.timedMetadata.slice(placed).filter((entry) => entry.at < end);
    if (due.length === 0) return;
    const cues: SegmentCue[] = due.map((entry) => ({
      offsetSeconds: Math.max(0, (entry.at - start) / 1000),
      payload: entry.payload,
    }));
    try {
      const rewritten = injectTimedMetadata(await readFile(file), cues);
      if (!rewritten) return;
      await writeFile(`${file}.id3`, rewritten);
      await rename(`${file}.id3`, file);
      stream.metadataPlaced.set(rendition, placed + due.length);
    } catch (error) {
      this.options.log(`could not put timed metadata into ${file}`, error);
    }
  }

  private onSegment(stream: LiveStream, rendition: string, segment: Segment, file: string): void {
    stream.segments.get(rendition)?.push(segment);
    stream.firstSegmentAt ??= performance.now();
    if (!stream.recording) this.options.recordings.start(stream);
    stream.recording?.addSegment(rendition, segment, file);
    this.releaseOldSegment(stream, rendition);
    if (stream.state === 'STARTING' && [...stream.segments.values()].every((list) => list.length > 0)) {
      stream.state = 'LIVE';
      stream.startTime = new Date();
      void this.options.events.streamStateChange(stream, 'Stream Start');
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
    const file = join(stream.dir, ivsHlsNames.segment(rendition, old.index));
    const remove = () => unlink(file).catch(() => {});
    if (stream.recording) void stream.recording.afterWrites(remove);
    else void remove();
  }

  private async endStream(stream: LiveStream): Promise<void> {
    await stream.transcode?.end();
    stream.state = 'ENDED';
    if (this.live.get(stream.channel.arn) === stream) this.live.delete(stream.channel.arn);
    if (this.stopping) return;
    await this.options.events.streamStateChange(stream, 'Stream End');
    await this.options.recordings.afterStreamEnd(stream);
    // The recording reads segments and thumbnails from the stream's folder until its queue is done.
    await stream.recording?.drain();
    await rm(stream.dir, { recursive: true, force: true });
  }
}
