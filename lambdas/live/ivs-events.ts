import { recordingEndedKey, recordingThumbnailsPrefix } from '#contract/media-layout.ts';
import { logger } from '#shared/logger.ts';
import type { StoredVideo, VideoCatalog } from '../catalog/video-catalog.ts';
import type { StreamStore } from './ports.ts';
import { parseRecordingEnded, type RecordingEnd, readRecordingEnd, recordingVideoId } from './recording.ts';
import { channelIdOf, factsOf, type IvsEvent, streamSignals } from './stream-state.ts';

/**
 * IVS's EventBridge events into the catalog. Stream and recording state changes become facts merged per
 * stream (see stream-state.ts), so the result never depends on their order or repeats; a Recording End also
 * makes the recording a READY video under an id derived from the recording session, created once.
 */

export interface StreamEventDeps {
  store: StreamStore;
}

/** Applies what an IVS event says about streams; events about nothing we track are ignored. */
export async function applyStreamEvent(deps: StreamEventDeps, event: IvsEvent): Promise<number> {
  const signals = streamSignals(event);
  for (const signal of signals) await deps.store.mergeFacts(factsOf(signal));
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

export type RecordingOutcome = 'created' | 'already-created' | 'not-a-recording-end' | 'unknown-channel';

/** A Recording End: the stream is over, and the recording becomes a READY video (once, whatever the repeats). */
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
  let outcome: RecordingOutcome = 'already-created';
  const existing = await deps.catalog.get(videoId);
  if (!existing) {
    const media = await recordingMedia(deps, end);
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
    if (await deps.catalog.markReady(videoId, undefined, media, at)) outcome = 'created';
  } else if (existing.status === 'PROCESSING') {
    // An earlier delivery created it but failed before making it READY: finish its work.
    if (await deps.catalog.markReady(videoId, undefined, await recordingMedia(deps, end), at))
      outcome = 'created';
  }
  await deps.store.setLatestRecording(streamId, videoId, end.endedAt);
  logger.info('recording ended', { streamId, videoId, outcome });
  return outcome;
}
