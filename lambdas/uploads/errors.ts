import type { VideoStatus } from '#contract/catalog.ts';
import { SkycastError } from '#shared/errors.ts';

import type { PartCheck } from './parts.ts';

/** The declared size is over the configured upload limit. */
export class UploadTooLargeError extends SkycastError {
  readonly code = 'UPLOAD_TOO_LARGE';
  readonly status = 413;
}

/** The file is neither `video/*` nor has a known video extension. */
export class UnsupportedVideoTypeError extends SkycastError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  readonly status = 415;
}

/** `completeUpload` found parts missing, of the wrong size, or with other ETags than S3 holds. */
export class UploadIncompleteError extends SkycastError {
  readonly code = 'UPLOAD_INCOMPLETE';
  readonly status = 400;

  constructor(message: string, check: PartCheck) {
    super(message, { details: check });
  }
}

/** The video is past uploading (or its upload is being completed), so its parts can no longer be listed or aborted. */
export class UploadNotInProgressError extends SkycastError {
  readonly code = 'UPLOAD_NOT_IN_PROGRESS';
  readonly status = 409;

  constructor(message: string, status: VideoStatus) {
    super(message, { details: { status } });
  }
}

/** S3 no longer has the multipart upload: it was not completed in time and lifecycle aborted it. */
export class UploadExpiredError extends SkycastError {
  readonly code = 'UPLOAD_EXPIRED';
  readonly status = 410;
}
