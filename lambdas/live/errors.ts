import { NotFoundError, SkycastError } from '#shared/errors.ts';

/** The same answer for a stream that does not exist and one the caller may not see, so ids reveal nothing. */
export const streamNotFound = () => new NotFoundError('No stream with this id.');

/** A `cursor` that is not one this listing handed out. */
export class InvalidStreamCursorError extends SkycastError {
  readonly code = 'INVALID_CURSOR';
  readonly status = 400;
}
