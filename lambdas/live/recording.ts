import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { PlayableMedia, Rendition } from '#contract/catalog.ts';
import { RECORDING_STATE_CHANGE } from '#contract/events/ivs.ts';
import {
  joinKey,
  parseRecordingPrefix,
  recordingThumbnailIndex,
  recordingThumbnailKey,
  recordingThumbnailTemplate,
} from '#contract/media-layout.ts';

import { MalformedIvsEventError } from './stream-state.ts';

/**
 * From an IVS recording to what the catalog needs for a READY video. IVS writes each recording under its
 * own prefix in the recordings bucket (`ivs/v1/<account>/<channel>/<y>/<m>/<d>/<h>/<min>/<recording id>`):
 * `events/recording-ended.json` describes it, `media/hls/…` holds the playlists and segments,
 * `media/thumbnails/thumb<N>.jpg` the thumbnails. Keys below are bare keys of the recordings bucket: the
 * media distribution serves that bucket under `/ivs/`, which the edge adds, not the catalog.
 */

/** A "Recording End" event, as far as a use case needs it. */
export interface RecordingEnd {
  channelArn: string;
  streamId: string;
  /** IVS's id of the recording session (several stream ids when an encoder reconnected within the window). */
  recordingSessionId: string;
  bucket: string;
  keyPrefix: string;
  durationMs?: number;
  endedAt: string;
  /** A Recording End Failure: IVS's reason (`recording_status_reason`); the recording is not playable. */
  failureReason?: string;
}

/** Reads a Recording End (or Recording End Failure) event; undefined for any other recording status. */
export function readRecordingEnd(event: {
  'detail-type': string;
  time: string;
  resources: string[];
  detail: Record<string, unknown>;
}): RecordingEnd | undefined {
  const status = event.detail.recording_status;
  if (
    event['detail-type'] !== RECORDING_STATE_CHANGE ||
    (status !== 'Recording End' && status !== 'Recording End Failure')
  )
    return undefined;
  const text = (field: string) => {
    const value = event.detail[field];
    if (typeof value !== 'string' || value === '')
      throw new MalformedIvsEventError(`Recording End event: "detail.${field}" is missing`);
    return value;
  };
  const channelArn = event.resources?.[0];
  if (typeof channelArn !== 'string' || !channelArn.startsWith('arn:'))
    throw new MalformedIvsEventError('Recording End event: "resources" has no channel ARN');
  const keyPrefix = joinKey(text('recording_s3_key_prefix'));
  const location = parseRecordingPrefix(keyPrefix);
  if (!location)
    throw new MalformedIvsEventError(
      'Recording End event: "detail.recording_s3_key_prefix" is not in IVS\'s layout',
    );
  // Older events carry no recording_session_id; the recording id in the prefix is the same id.
  const sessionId = event.detail.recording_session_id;
  const duration = event.detail.recording_duration_ms;
  return {
    channelArn,
    streamId: text('stream_id'),
    recordingSessionId: typeof sessionId === 'string' && sessionId !== '' ? sessionId : location.recordingId,
    bucket: text('recording_s3_bucket_name'),
    keyPrefix,
    ...(typeof duration === 'number' && Number.isFinite(duration) ? { durationMs: duration } : {}),
    endedAt: new Date(event.time).toISOString(),
    ...(status === 'Recording End Failure'
      ? { failureReason: String(event.detail.recording_status_reason || 'no reason given') }
      : {}),
  };
}

/** An RFC 4122 name-based (version 5, SHA-1) UUID: the same name always gives the same id. */
function uuidV5(namespace: string, name: string): string {
  const namespaceBytes = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(namespaceBytes).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Skycast's namespace for ids of videos made from recordings (a fixed random UUID). */
const RECORDING_VIDEO_NAMESPACE = '5d0c7f5e-6b0a-4f7e-9a55-2f2d8f1c3a61';

/**
 * The id of the video a recording becomes: derived from the channel and the recording session, so a
 * Recording End delivered twice (or by two concurrent invocations) names the same video, and the
 * catalog's `create` (conditional on the id being free) makes it exactly once.
 */
export function recordingVideoId(channelArn: string, recordingSessionId: string): string {
  return uuidV5(RECORDING_VIDEO_NAMESPACE, `${channelArn}\n${recordingSessionId}`);
}

const RecordingEndedMetadata = z.object({
  version: z.string().optional(),
  channel_arn: z.string().optional(),
  recording_started_at: z.string().optional(),
  recording_ended_at: z.string().optional(),
  recording_status: z.string(),
  media: z.object({
    hls: z.object({
      duration_ms: z.number().nonnegative(),
      path: z.string().min(1),
      playlist: z.string().min(1),
      renditions: z
        .array(
          z.object({
            path: z.string().min(1),
            playlist: z.string().min(1),
            // Absent for an audio-only rendition.
            resolution_width: z.number().int().positive().optional(),
            resolution_height: z.number().int().positive().optional(),
          }),
        )
        .min(1),
    }),
    thumbnails: z.object({ path: z.string().min(1) }).optional(),
  }),
});

/** `recording-ended.json` is missing what a video needs, or says the recording did not end well. */
export class RecordingMetadataError extends Error {
  override name = 'RecordingMetadataError';
}

/** What the adapter found next to the metadata; IVS's metadata itself says neither. */
export interface ThumbnailListing {
  /** The thumbnail interval of the channel's recording configuration. */
  intervalSeconds: number;
  /** Keys under the recording's thumbnails folder (a listing of the bucket). */
  keys: string[];
}

/**
 * Parses `recording-ended.json` (text or parsed JSON) of the recording under `keyPrefix` into the media
 * of a READY video. With a thumbnail listing it adds scrubbing thumbnails and a poster.
 */
export function parseRecordingEnded(
  metadata: unknown,
  keyPrefix: string,
  thumbnails?: ThumbnailListing,
): PlayableMedia {
  let json = metadata;
  if (typeof metadata === 'string') {
    try {
      json = JSON.parse(metadata);
    } catch (error) {
      throw new RecordingMetadataError(`recording-ended.json is not JSON: ${(error as Error).message}`);
    }
  }
  const parsed = RecordingEndedMetadata.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
    );
    throw new RecordingMetadataError(`recording-ended.json is not valid: ${problems.join('; ')}`);
  }
  const { media, recording_status: status } = parsed.data;
  if (status !== 'RECORDING_ENDED')
    throw new RecordingMetadataError(`The recording did not end cleanly (status ${status}).`);

  const prefix = joinKey(keyPrefix);
  const hlsFolder = joinKey(prefix, media.hls.path);
  const renditions: Rendition[] = media.hls.renditions
    .filter((rendition) => rendition.resolution_width && rendition.resolution_height)
    .map((rendition) => {
      const width = rendition.resolution_width as number;
      const height = rendition.resolution_height as number;
      return {
        // Named by the short side, as the transcoder names its renditions, so portrait 720x1280 is 720p.
        name: `${Math.min(width, height)}p`,
        width,
        height,
        // IVS's metadata gives no bitrate; 0 says "unknown" (the multivariant playlist's BANDWIDTH has it).
        bitrate: 0,
        playlistPath: joinKey(hlsFolder, rendition.path, rendition.playlist),
      };
    })
    .sort((a, b) => b.width * b.height - a.width * a.height);

  const result: PlayableMedia = {
    playbackPath: joinKey(hlsFolder, media.hls.playlist),
    durationSeconds: media.hls.duration_ms / 1000,
    renditions,
    ...(renditions.length === 0 ? { audioOnly: true } : {}),
  };

  if (media.thumbnails && thumbnails && renditions.length > 0) {
    const folder = joinKey(prefix, media.thumbnails.path);
    const count = countThumbnails(thumbnails.keys, folder);
    if (count > 0) {
      result.thumbnails = {
        pathTemplate: recordingThumbnailTemplate(folder),
        count,
        intervalSeconds: thumbnails.intervalSeconds,
      };
      // The second capture if there is one: the first is often black, taken as the encoder connects.
      result.posterPath = recordingThumbnailKey(folder, Math.min(1, count - 1));
    }
  }
  return result;
}

/**
 * How many thumbnails IVS wrote in `folder`: `thumb0.jpg`, `thumb1.jpg`, … counted while contiguous, so
 * the template never points at a missing index.
 */
export function countThumbnails(keys: string[], folder: string): number {
  const indexes = new Set<number>();
  for (const key of keys) {
    const index = recordingThumbnailIndex(folder, key);
    if (index !== undefined) indexes.add(index);
  }
  let count = 0;
  while (indexes.has(count)) count += 1;
  return count;
}
