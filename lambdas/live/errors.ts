import { NotFoundError } from '#shared/errors.ts';

/** The same answer for a stream that does not exist and one the caller may not see, so ids reveal nothing. */
export const streamNotFound = () => new NotFoundError('No stream with this id.');
