import { NotFoundError, SkycastError } from '#shared/errors.ts';

/** The same answer for a stream that does not exist and one the caller may not see, so ids reveal nothing. */
export const streamNotFound = () => new NotFoundError('No stream with this id.');

/** The stream key kept changing under a read, because rotations of it ran at the same time: try again. */
export class StreamKeyChangingError extends SkycastError {
  readonly code = 'STREAM_KEY_CHANGING';
  readonly status = 409;

  constructor() {
    super('The stream key is being replaced by another request right now; try again in a moment.');
  }
}
