import { SkycastError } from '#shared/errors.ts';

/** A `cursor` query parameter that is not one a listing handed out (or belongs to another listing). */
export class InvalidCursorRequestError extends SkycastError {
  readonly code = 'INVALID_CURSOR';
  readonly status = 400;
}

/** A clip may not be seen by more people than its source. */
export class VisibilityTooOpenError extends SkycastError {
  readonly code = 'VISIBILITY_TOO_OPEN';
  readonly status = 400;
}
