/** The errors the local IVS answers its API calls with, as IVS's REST-JSON API returns them. */

/** An error as IVS's REST-JSON API returns it: the type goes in `x-amzn-ErrorType`. */
export class IvsApiError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A request IVS refuses for what it says (400). */
export const validationError = (message: string) => new IvsApiError('ValidationException', 400, message);

/** A request naming a resource that does not exist (404). */
export const notFoundError = (message: string) => new IvsApiError('ResourceNotFoundException', 404, message);

/** A request that conflicts with the resource's state (409), e.g. deleting a channel that is live. */
export const conflictError = (message: string) => new IvsApiError('ConflictException', 409, message);
