import { randomUUID } from 'node:crypto';
import type { Video } from '#contract/catalog.ts';
import { uploadKey } from '#contract/media-layout.ts';
import { ACCEPTED_MEDIA, acceptedMediaContentType, fileExtension } from '#contract/media-types.ts';
import { type PartPlan, planParts, planWithPartSize } from '#contract/part-plan.ts';
import { ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS } from '#contract/resources.ts';
import {
  type CompleteUploadRequest,
  type CreateUploadRequest,
  type ListUploadPartsQuery,
  PART_URLS_PER_PAGE,
  type UploadProgress,
  type UploadTicket,
} from '#contract/uploads.ts';
import type { AuthenticatedUser } from '#shared/auth.ts';
import { NotFoundError } from '#shared/errors.ts';
import { logger } from '#shared/logger.ts';
import { type QuotaDeps, releaseOpenUpload, reserveOpenUpload } from '#shared/quotas.ts';

import type { StoredVideo, VideoCatalog } from '../catalog/video-catalog.ts';
import { toApiVideo } from '../catalog/videos.ts';
import {
  UnsupportedVideoTypeError,
  UploadExpiredError,
  UploadIncompleteError,
  UploadNotInProgressError,
  UploadTooLargeError,
} from './errors.ts';
import {
  type ClaimedPart,
  checkParts,
  isComplete,
  type PartCheck,
  partsToUpload,
  type ReceivedPart,
} from './parts.ts';

/** How long a presigned part URL works. Short, because a leaked URL writes into the owner's upload; renewable through listUploadParts. */
export const PART_URL_TTL_SECONDS = 60 * 60;

// ---------------------------------------------------------------------------------------------------------
// Ports

export interface PresignedPart {
  partNumber: number;
  url: string;
}

/** How S3 answered a request to assemble the parts. */
export type CompletionOutcome = 'completed' | 'no-such-upload' | 'invalid-part';

/** S3 multipart uploads in the uploads bucket. */
export interface MultipartStore {
  /** Starts a multipart upload of `key`; returns its upload id. */
  start(key: string, contentType: string): Promise<string>;
  /**
   * Presigned UploadPart URLs for these parts, signed at `signedAt` for `seconds`. `expiresAt` is when they
   * stop working: never later than the credentials that signed them.
   */
  presignParts(
    key: string,
    uploadId: string,
    partNumbers: readonly number[],
    validity: { signedAt: Date; seconds: number },
  ): Promise<{ parts: PresignedPart[]; expiresAt: Date }>;
  /** Every part S3 has received (all pages), or undefined when S3 no longer knows the upload. */
  listParts(key: string, uploadId: string): Promise<ReceivedPart[] | undefined>;
  /** Assembles the object from the parts, in part order. */
  complete(key: string, uploadId: string, parts: readonly ClaimedPart[]): Promise<CompletionOutcome>;
  /** Aborts the upload and frees its parts; false when S3 no longer knows it. */
  abort(key: string, uploadId: string): Promise<boolean>;
  /** The size of the object at `key`, or undefined when there is none. */
  objectSize(key: string): Promise<number | undefined>;
}

/** Also the per-user quotas: open uploads and their bytes in flight. */
export interface UploadsDeps extends QuotaDeps {
  catalog: VideoCatalog;
  multipart: MultipartStore;
  /** The largest file `createUpload` accepts, in bytes (UPLOAD_MAX_BYTES). */
  maxUploadBytes: number;
  now?: () => Date;
  newVideoId?: () => string;
}

// ---------------------------------------------------------------------------------------------------------
// Use cases

const nowOf = (deps: UploadsDeps) => deps.now?.() ?? new Date();

function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number(value.toFixed(2))} ${units[unit]}`;
}

function titleFrom(fileName: string): string {
  const extension = fileExtension(fileName);
  const base = extension ? fileName.slice(0, -(extension.length + 1)).trim() : fileName;
  return (base || fileName).slice(0, 200);
}

/** An upload in progress: where it is and how it is cut. */
interface OpenUpload {
  video: StoredVideo;
  key: string;
  uploadId: string;
  plan: PartPlan;
}

/** The caller's own video, or 404: another user's video does not exist as far as uploads are concerned. */
async function ownVideo(deps: UploadsDeps, user: AuthenticatedUser, videoId: string): Promise<StoredVideo> {
  const video = await deps.catalog.get(videoId);
  if (!video || video.ownerId !== user.sub) throw new NotFoundError('No upload with this id.');
  return video;
}

/** The upload no longer holds a place in its owner's quota (done, aborted or gone); harmless if it held none. */
async function releasePlace(deps: UploadsDeps, video: StoredVideo): Promise<void> {
  if (video.source.kind !== 'upload') return;
  await releaseOpenUpload(deps, video.ownerId, { videoId: video.videoId, bytes: video.source.size });
}

function openUpload(video: StoredVideo): OpenUpload {
  if (video.source.kind !== 'upload' || !video.sourceKey || !video.uploadId) {
    throw new Error(`Video ${video.videoId} is UPLOADING without an upload id or source key`);
  }
  const { size } = video.source;
  return {
    video,
    key: video.sourceKey,
    uploadId: video.uploadId,
    plan: video.partSize ? planWithPartSize(size, video.partSize) : planParts(size),
  };
}

function requireUploading(video: StoredVideo): OpenUpload {
  if (video.status !== 'UPLOADING') {
    throw new UploadNotInProgressError(
      `This video is ${video.status}: its upload is already complete. To remove it, delete the video.`,
      video.status,
    );
  }
  return openUpload(video);
}

async function presignPage(
  deps: UploadsDeps,
  upload: OpenUpload,
  needed: readonly number[],
  page: { fromPart: number; urlCount: number },
) {
  const candidates = needed.filter((partNumber) => partNumber >= page.fromPart);
  const partNumbers = candidates.slice(0, page.urlCount);
  const next = candidates[partNumbers.length];
  const { parts, expiresAt } = await deps.multipart.presignParts(upload.key, upload.uploadId, partNumbers, {
    signedAt: nowOf(deps),
    seconds: PART_URL_TTL_SECONDS,
  });
  return {
    expiresAt: expiresAt.toISOString(),
    parts,
    ...(next === undefined ? {} : { nextPartNumber: next }),
  };
}

/**
 * S3 no longer knows an upload the catalog still calls UPLOADING: either it was completed and the catalog
 * did not hear of it (a crash between the two), or lifecycle aborted it. Brings the catalog up to date.
 */
async function settleVanishedUpload(deps: UploadsDeps, upload: OpenUpload): Promise<'completed' | 'expired'> {
  const at = nowOf(deps).toISOString();
  await releasePlace(deps, upload.video);
  if ((await deps.multipart.objectSize(upload.key)) !== undefined) {
    await deps.catalog.markUploaded(upload.video.videoId, at);
    return 'completed';
  }
  await deps.catalog.markFailed(
    upload.video.videoId,
    {
      code: 'UPLOAD_EXPIRED',
      message: `The upload was not completed within ${ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS} days, so its parts were discarded. Upload the file again.`,
    },
    at,
  );
  return 'expired';
}

const expired = () =>
  new UploadExpiredError(
    `This upload was not completed within ${ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS} days and its parts are gone. Start a new upload.`,
  );

/**
 * Validates the file, starts a multipart upload under the caller's own prefix, records the video as UPLOADING
 * and hands out the first page of part URLs.
 */
export async function createUpload(
  deps: UploadsDeps,
  user: AuthenticatedUser,
  request: CreateUploadRequest,
): Promise<UploadTicket> {
  if (request.size > deps.maxUploadBytes) {
    throw new UploadTooLargeError(
      `The file is ${formatBytes(request.size)}; the largest upload is ${formatBytes(deps.maxUploadBytes)}.`,
      { details: { size: request.size, maxBytes: deps.maxUploadBytes } },
    );
  }
  const contentType = acceptedMediaContentType(request.fileName, request.contentType);
  if (!contentType) {
    throw new UnsupportedVideoTypeError(
      `"${request.fileName}" (${request.contentType || 'no content type'}) is not a video or audio file we accept. ` +
        `Send a ${ACCEPTED_MEDIA.contentTypes.join(' or ')} file, or one ending in ${ACCEPTED_MEDIA.extensions.join(', ')}.`,
      { details: { accepted: ACCEPTED_MEDIA } },
    );
  }

  const plan = planParts(request.size);
  const videoId = deps.newVideoId?.() ?? randomUUID();
  const at = nowOf(deps).toISOString();
  // A day after lifecycle discards the parts of an unfinished upload, the catalog forgets it too.
  const expiresAt = Math.floor(Date.parse(at) / 1000) + (ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS + 1) * 86_400;
  await reserveOpenUpload(deps, user.sub, { videoId, bytes: request.size, expiresAt }, async (id) => {
    const held = await deps.catalog.get(id);
    return held?.ownerId === user.sub && held.status === 'UPLOADING';
  });
  const key = uploadKey(user.sub, videoId, request.fileName);
  const uploadId = await deps.multipart.start(key, contentType).catch(async (error: unknown) => {
    await releaseOpenUpload(deps, user.sub, { videoId, bytes: request.size }).catch(() => undefined);
    throw error;
  });
  const video: StoredVideo = {
    videoId,
    ownerId: user.sub,
    title: request.title ?? titleFrom(request.fileName),
    ...(request.description ? { description: request.description } : {}),
    visibility: request.visibility,
    status: 'UPLOADING',
    source: { kind: 'upload', fileName: request.fileName, size: request.size, contentType },
    createdAt: at,
    updatedAt: at,
    sourceKey: key,
    uploadId,
    partSize: plan.partSize,
    expiresAt,
  };
  try {
    await deps.catalog.create(video);
  } catch (error) {
    // Without a catalog entry nobody could ever complete or abort this upload: free it now, not in a week.
    await deps.multipart.abort(key, uploadId).catch(() => undefined);
    await releasePlace(deps, video).catch(() => undefined);
    throw error;
  }
  logger.info('upload started', {
    videoId,
    size: plan.size,
    partSize: plan.partSize,
    partCount: plan.partCount,
  });

  const upload = { video, key, uploadId, plan };
  const allParts = Array.from({ length: plan.partCount }, (_, i) => i + 1);
  return {
    videoId,
    size: plan.size,
    partSize: plan.partSize,
    partCount: plan.partCount,
    ...(await presignPage(deps, upload, allParts, { fromPart: 1, urlCount: PART_URLS_PER_PAGE })),
  };
}

/** Which parts arrived, and fresh URLs for the ones that did not, so an upload resumes after a reload or an hour. */
export async function listUploadParts(
  deps: UploadsDeps,
  user: AuthenticatedUser,
  videoId: string,
  query: ListUploadPartsQuery,
): Promise<UploadProgress> {
  const upload = requireUploading(await ownVideo(deps, user, videoId));
  const received = await deps.multipart.listParts(upload.key, upload.uploadId);
  if (!received) {
    if ((await settleVanishedUpload(deps, upload)) === 'expired') throw expired();
    throw new UploadNotInProgressError('This upload is already complete.', 'UPLOADED');
  }
  const { plan } = upload;
  const needed = partsToUpload(plan, received);
  const neededSet = new Set(needed);
  const uploadedParts = received
    .filter((part) => part.partNumber <= plan.partCount && !neededSet.has(part.partNumber))
    .sort((a, b) => a.partNumber - b.partNumber);
  return {
    videoId,
    size: plan.size,
    partSize: plan.partSize,
    partCount: plan.partCount,
    uploadedParts,
    uploadedBytes: uploadedParts.reduce((sum, part) => sum + part.size, 0),
    remainingParts: needed.length,
    ...(await presignPage(deps, upload, needed, query)),
  };
}

function describeCheck(check: PartCheck): string {
  const list = (numbers: number[]) =>
    numbers.length > 10
      ? `${numbers.slice(0, 10).join(', ')} and ${numbers.length - 10} more`
      : numbers.join(', ');
  const problems = [
    check.missingParts.length > 0 && `parts not uploaded yet: ${list(check.missingParts)}`,
    check.wrongSizeParts.length > 0 &&
      `parts with the wrong size: ${list(check.wrongSizeParts.map((part) => part.partNumber))}`,
    check.etagMismatchParts.length > 0 &&
      `parts whose ETag is not the uploaded one: ${list(check.etagMismatchParts.map((part) => part.partNumber))}`,
    check.unlistedParts.length > 0 && `parts left out of the request: ${list(check.unlistedParts)}`,
    check.unknownParts.length > 0 && `part numbers this upload does not have: ${list(check.unknownParts)}`,
  ].filter(Boolean);
  return `The upload cannot be completed yet (${check.receivedBytes} of ${check.expectedBytes} bytes arrived): ${problems.join('; ')}. listUploadParts shows what arrived and hands out URLs for the rest.`;
}

/**
 * Checks the parts against what S3 received and assembles the file. Completing an upload that is already
 * complete returns the video as it is.
 */
export async function completeUpload(
  deps: UploadsDeps,
  user: AuthenticatedUser,
  videoId: string,
  request: CompleteUploadRequest,
): Promise<Video> {
  const video = await ownVideo(deps, user, videoId);
  if (video.status !== 'UPLOADING') {
    // A completion that stopped between the catalog and the quota gets its place back on the retry.
    await releasePlace(deps, video);
    return toApiVideo(video);
  }
  const upload = openUpload(video);

  const received = await deps.multipart.listParts(upload.key, upload.uploadId);
  if (!received) return afterVanished(deps, user, upload);
  const check = checkParts(upload.plan, received, request.parts);
  if (!isComplete(check)) throw new UploadIncompleteError(describeCheck(check), check);

  // S3's own ETags, which the check just proved equal to the client's.
  const parts = received
    .filter((part) => part.partNumber <= upload.plan.partCount)
    .sort((a, b) => a.partNumber - b.partNumber)
    .map(({ partNumber, etag }) => ({ partNumber, etag }));
  const outcome = await deps.multipart.complete(upload.key, upload.uploadId, parts);
  if (outcome === 'no-such-upload') return afterVanished(deps, user, upload);
  if (outcome === 'invalid-part') {
    // A part was uploaded again between our check and S3's: check again against the new state.
    const now = (await deps.multipart.listParts(upload.key, upload.uploadId)) ?? [];
    const recheck = checkParts(upload.plan, now, request.parts);
    throw new UploadIncompleteError(describeCheck(recheck), recheck);
  }

  await deps.catalog.markUploaded(videoId, nowOf(deps).toISOString());
  await releasePlace(deps, video);
  logger.info('upload completed', { videoId, size: upload.plan.size, partCount: upload.plan.partCount });
  return toApiVideo(await ownVideo(deps, user, videoId));
}

async function afterVanished(deps: UploadsDeps, user: AuthenticatedUser, upload: OpenUpload): Promise<Video> {
  if ((await settleVanishedUpload(deps, upload)) === 'expired') throw expired();
  return toApiVideo(await ownVideo(deps, user, upload.video.videoId));
}

/** Abandons an upload: S3 frees its parts and the video leaves the catalog, as if it had never been started. */
export async function abortUpload(
  deps: UploadsDeps,
  user: AuthenticatedUser,
  videoId: string,
): Promise<void> {
  const upload = requireUploading(await ownVideo(deps, user, videoId));
  const aborted = await deps.multipart.abort(upload.key, upload.uploadId);
  if (!aborted && (await settleVanishedUpload(deps, upload)) === 'completed') {
    throw new UploadNotInProgressError(
      'This upload completed before it could be aborted. To remove it, delete the video.',
      'UPLOADED',
    );
  }
  await deps.catalog.remove(videoId);
  await releasePlace(deps, upload.video);
  logger.info('upload aborted', { videoId });
}
