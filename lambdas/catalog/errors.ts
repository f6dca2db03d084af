import { SkycastError } from '#shared/errors.ts';

/** A clip may not be seen by more people than its source. */
export class VisibilityTooOpenError extends SkycastError {
  readonly code = 'VISIBILITY_TOO_OPEN';
  readonly status = 400;
}
