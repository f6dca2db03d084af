import type { Failure, PlayableMedia } from '#contract/catalog.ts';
import { recordingEndedKey, recordingThumbnailsPrefix } from '#contract/media-layout.ts';
import { logger } from '#shared/logger.ts';
import type { StoredVideo, VideoCatalog } from '../catalog/video-catalog.ts';
import type { StreamStore } from './ports.ts';
import {
  parseRecordingEnded,
  type RecordingEnd,
  RecordingMetadataError,
  readRecordingEnd,
  recordingVideoId,
} from './recording.ts';
import { channelIdOf, factsOf, type IvsEvent, streamSignals } from './stream-state.ts';

/**
 * IVS's EventBridge events into the catalog. Stream and recording state changes become facts merged per
 * stream (see stream-state.ts), so the result never depends on their order or repeats; a Recording End also
 * makes the recording a READY video under an id derived from the recording session, created once.
 */

export interface StreamEventDeps {
  store: StreamStore;
  /** A broadcast ended or failed: what else goes with it (its scheduled ad breaks are cancelled). */
  onStreamEnded?: (channelArn: string, ivsStreamId: string) => Promise<void>;
}

/** Applies what an IVS event says about streams; events about nothing we track are ignored. */
export async function applyStreamEvent(deps: StreamEventDeps, event: IvsEvent): Promise<number> {
  const signals = streamSignals(event);
  for (const signal of signals) await deps.store.mergeFacts(factsOf(signal));
  for (const signal of signals)
    if (signal.kind === 'ended' || signal.kind === 'failed' || signal.kind === 'recordingEnded')
      await deps.onStreamEnded?.(signal.channelArn, signal.streamId);
  return signals.length;
}

/** Reads the recordings bucket. */
export interface RecordingFiles {
  readText(bucket: string, key: string): Promise<string>;
  listKeys(bucket: string, prefix: string): Promise<string[]>;
}

export interface RecordingEventDeps extends StreamEventDeps {
  catalog: VideoCatalog;
  recordings: RecordingFiles;
  settings: {
    /** The only bucket recordings are read from: the one the recording configuration writes to. */
    recordingsBucket: string;
    /** The recording configuration's thumbnail interval. */
    thumbnailIntervalSeconds: number;
  };
  now?: () => Date;
}

/** The recording's media, from its own metadata file and a listing of its thumbnails. */
async function recordingMedia(deps: RecordingEventDeps, end: RecordingEnd) {
  const metadata = await deps.recordings.readText(end.bucket, recordingEndedKey(end.keyPrefix));
  const thumbnails = await deps.recordings.listKeys(end.bucket, recordingThumbnailsPrefix(end.keyPrefix));
  return parseRecordingEnded(metadata, end.keyPrefix, {
    intervalSeconds: deps.settings.thumbnailIntervalSeconds,
    keys: thumbnails,
  });
}

export type RecordingOutcome =
  | 'created'
  | 'failed'
  | 'already-created'
  | 'not-a-recording-end'
  | 'unknown-channel';

/** What a recording that ended becomes: playable media, or a failure a person can read. */
type RecordingResult = { media: PlayableMedia } | { failure: Failure };

async function recordingResult(deps: RecordingEventDeps, end: RecordingEnd): Promise<RecordingResult> {
  if (end.failureReason !== undefined)
    return {
      failure: {
        code: 'RECORDING_FAILED',
        message: `IVS could not finish recording this stream (${end.failureReason}), so there is no video of it.`,
      },
    };
  try {
    return { media: await recordingMedia(deps, end) };
  } catch (error) {
    // Metadata that says the recording failed, or that lacks what a video needs, will not change on a retry.
    if (!(error instanceof RecordingMetadataError)) throw error;
    return { failure: { code: 'RECORDING_FAILED', message: error.message } };
  }
}

/**
 * A Recording End: the stream is over, and the recording becomes a READY video, or a FAILED one with the
 * reason when IVS could not record it (once, whatever the repeats). The channel's latest recording is the
 * latest READY one.
 */
export async function applyRecordingEvent(
  deps: RecordingEventDeps,
  event: IvsEvent,
): Promise<RecordingOutcome> {
  await applyStreamEvent(deps, event);
  const end = readRecordingEnd(event);
  if (!end) return 'not-a-recording-end';
  if (end.bucket !== deps.settings.recordingsBucket)
    throw new Error(`Recording End names bucket ${end.bucket}, not the recordings bucket`);
  const streamId = channelIdOf(end.channelArn);
  const channel = await deps.store.channel(streamId);
  if (!channel || channel.channelArn !== end.channelArn) {
    logger.warn('recording of a channel the catalog does not know', { streamId });
    return 'unknown-channel';
  }
  const videoId = recordingVideoId(end.channelArn, end.recordingSessionId);
  const at = (deps.now?.() ?? new Date()).toISOString();
  const existing = await deps.catalog.get(videoId);
  let outcome: RecordingOutcome = 'already-created';
  let playable = existing?.status === 'READY';
  // PROCESSING: an earlier delivery created it but failed before finishing it; its work is done here.
  if (!existing || existing.status === 'PROCESSING') {
    const result = await recordingResult(deps, end);
    if (!existing) {
      const video: StoredVideo = {
        videoId,
        ownerId: channel.ownerId,
        title: channel.title,
        visibility: channel.visibility,
        // Created PROCESSING, then made READY by the same conditional update transcodes use (it lists public ones).
        status: 'PROCESSING',
        source: { kind: 'recording', channelArn: end.channelArn },
        createdAt: end.endedAt,
        updatedAt: at,
      };
      try {
        await deps.catalog.create(video);
      } catch (error) {
        // A concurrent delivery of the same event created it first.
        if (!(await deps.catalog.get(videoId))) throw error;
      }
    }
    if ('media' in result) {
      playable = true;
      if (await deps.catalog.markReady(videoId, undefined, result.media, at)) outcome = 'created';
    } else if (await deps.catalog.markFailed(videoId, result.failure, at)) outcome = 'failed';
  }
  if (playable) await deps.store.setLatestRecording(streamId, videoId, end.endedAt);
  logger.info('recording ended', { streamId, videoId, outcome });
  return outcome;
}
