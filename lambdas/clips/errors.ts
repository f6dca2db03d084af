import { SkycastError } from '#shared/errors.ts';

/** The source is not READY yet (or failed): there is nothing to cut. */
export class SourceNotReadyError extends SkycastError {
  readonly code = 'SOURCE_NOT_READY';
  readonly status = 409;
}

/** Clips are cut from videos and recordings, not from other clips. */
export class ClipOfClipError extends SkycastError {
  readonly code = 'SOURCE_IS_A_CLIP';
  readonly status = 400;
}

/** A clip may not be seen by more people than its source. */
export class VisibilityTooOpenError extends SkycastError {
  readonly code = 'VISIBILITY_TOO_OPEN';
  readonly status = 400;
}
