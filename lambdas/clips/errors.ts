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
