import { createHash } from 'node:crypto';
import type { Failure } from '#contract/catalog.ts';

import { parseUploadKey, s3Uri } from '#contract/media-layout.ts';

import type { VideoCatalog } from '../catalog/video-catalog.ts';
import { logger } from '../shared/logger.ts';
import { buildTranscodeJob } from './job.ts';
import { buildLadder, UntranscodableSourceError } from './ladder.ts';
import type { SourceStore, Transcoder } from './ports.ts';
import { SNIFF_BYTES, sniffContainer } from './sniff.ts';

export interface SubmitDeps {
  catalog: VideoCatalog;
  sources: SourceStore;
  transcoder: Transcoder;
  settings: { application: string; mediaBucket: string; roleArn: string };
  now?: () => Date;
}

/** An object that landed in the uploads bucket, as its S3 event describes it. */
export interface UploadedObject {
  bucket: string;
  key: string;
  size: number;
  etag: string;
}

export type SubmitResult =
  | { outcome: 'submitted'; videoId: string; jobId: string }
  | { outcome: 'rejected'; videoId: string; failure: Failure }
  | { outcome: 'skipped'; reason: string };

/**
 * The same object version always maps to the same token, so a redelivered or duplicated S3 event cannot start
 * a second job even if we crashed between creating the job and recording it.
 */
export function idempotencyToken(object: UploadedObject): string {
  return createHash('sha256')
    .update(`${object.bucket}/${object.key}#${object.etag}`)
    .digest('hex')
    .slice(0, 64);
}

/** Why a video failed when every delivery of its upload's message failed to start its transcode. */
export const NOT_STARTED: Failure = {
  code: 'TRANSCODE_NOT_STARTED',
  message:
    'We could not start transcoding this video: the transcoding service did not accept it after several tries. Upload the file again.',
};

/**
 * The last delivery of an upload's message failed too: rather than leave the video UPLOADED for ever (its
 * message goes nowhere a user sees), it becomes FAILED with a reason, unless a job was recorded for it in
 * the meantime (an earlier delivery that got further; that job's events decide). Resolves to whether it did.
 */
export async function abandonUpload(
  deps: SubmitDeps,
  object: UploadedObject,
  cause: unknown,
): Promise<boolean> {
  const ids = parseUploadKey(object.key);
  if (!ids) return false;
  const at = (deps.now?.() ?? new Date()).toISOString();
  const changed = await deps.catalog.markFailed(ids.videoId, NOT_STARTED, at);
  logger.error('transcode not started after the last delivery', {
    videoId: ids.videoId,
    changed,
    error: cause,
  });
  return changed;
}

/**
 * Starts the transcode of a new upload: refuses what is not a video (the video becomes FAILED with a reason a
 * person can read), chooses the ladder from the probed source and submits one job. Safe to call any number of
 * times for the same object.
 */
export async function submitUpload(deps: SubmitDeps, object: UploadedObject): Promise<SubmitResult> {
  const at = () => (deps.now?.() ?? new Date()).toISOString();
  const ids = parseUploadKey(object.key);
  if (!ids) {
    // The queue gets only keys under the uploads prefix, so this object was written there outside our layout
    // (by hand or by a tool): no retry can make it an upload, so the message is acknowledged, with a warning.
    logger.warn('object outside the uploads layout ignored', { key: object.key });
    return { outcome: 'skipped', reason: 'not an upload key' };
  }

  const video = await deps.catalog.get(ids.videoId);
  if (!video) return { outcome: 'skipped', reason: 'no such video (aborted or deleted)' };
  if (video.ownerId !== ids.ownerId || video.sourceKey !== object.key) {
    return { outcome: 'skipped', reason: 'the object does not belong to this video' };
  }
  if (video.jobId) return { outcome: 'skipped', reason: 'already submitted' };
  if (video.status === 'READY' || video.status === 'FAILED')
    return { outcome: 'skipped', reason: 'already final' };

  const reject = async (failure: Failure): Promise<SubmitResult> => {
    await deps.catalog.markFailed(video.videoId, failure, at());
    logger.info('upload rejected', { videoId: video.videoId, code: failure.code });
    return { outcome: 'rejected', videoId: video.videoId, failure };
  };

  if (object.size === 0) return reject({ code: 'EMPTY_FILE', message: 'The file is empty.' });
  const head = await deps.sources.readFirstBytes(object.bucket, object.key, SNIFF_BYTES);
  // Deleted between the upload and this message (the video was deleted too, or is about to be).
  if (!head) return { outcome: 'skipped', reason: 'the object is gone' };
  const sniffed = sniffContainer(head);
  if (!sniffed.supported) return reject({ code: 'NOT_A_VIDEO', message: sniffed.reason });

  const source = s3Uri(object.bucket, object.key);
  const probe = await deps.transcoder.probe(source);
  if (!probe.ok) return reject({ code: 'UNREADABLE_MEDIA', message: probe.reason });

  let ladder: ReturnType<typeof buildLadder>;
  try {
    ladder = buildLadder(probe.media);
  } catch (error) {
    if (error instanceof UntranscodableSourceError)
      return reject({ code: 'UNSUPPORTED_VIDEO', message: error.message });
    throw error;
  }

  const request = buildTranscodeJob({
    application: deps.settings.application,
    videoId: video.videoId,
    ownerId: video.ownerId,
    source,
    mediaBucket: deps.settings.mediaBucket,
    roleArn: deps.settings.roleArn,
    ladder,
  });
  const jobId = await deps.transcoder.submit(request, idempotencyToken(object));
  await deps.catalog.recordJob(video.videoId, jobId, at());
  logger.info('transcode submitted', {
    videoId: video.videoId,
    jobId,
    renditions: ladder.renditions.map((r) => r.name),
    audio: Boolean(ladder.audio),
  });
  return { outcome: 'submitted', videoId: video.videoId, jobId };
}
