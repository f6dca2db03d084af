import { SkycastError } from '#shared/errors.ts';

/** A clip may not be seen by more people than its source. */
export class VisibilityTooOpenError extends SkycastError {
  readonly code = 'VISIBILITY_TOO_OPEN';
  readonly status = 400;
}

/**
 * The source of a clip changed (narrowed, or was deleted) while the clip was being written: nothing was written,
 * and asking again decides under the source's new visibility.
 */
export class SourceChangedError extends SkycastError {
  readonly code = 'SOURCE_CHANGED';
  readonly status = 409;
}
