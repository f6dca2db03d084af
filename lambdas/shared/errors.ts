/**
 * Typed errors raised inside Skycast. Each carries a stable machine-readable `code` and the HTTP status
 * the API edge maps it to; anything that is not a SkycastError becomes a generic 500 at the edge.
 */
export abstract class SkycastError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  /** Extra machine-readable detail for API callers (never secrets). */
  readonly details?: unknown;
  /** Response headers the answer carries besides the JSON body, e.g. `Retry-After` on a 429. */
  readonly headers?: Record<string, string>;

  constructor(
    message: string,
    options?: { cause?: unknown; details?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options?.details;
    if (options?.headers) this.headers = options.headers;
  }
}

export class ValidationError extends SkycastError {
  readonly code = 'VALIDATION_FAILED';
  readonly status = 400;
}

export class MalformedJsonError extends SkycastError {
  readonly code = 'MALFORMED_JSON';
  readonly status = 400;
}

export class UnauthorizedError extends SkycastError {
  readonly code = 'UNAUTHORIZED';
  readonly status = 401;
}

export class ForbiddenError extends SkycastError {
  readonly code = 'FORBIDDEN';
  readonly status = 403;
}

export class NotFoundError extends SkycastError {
  readonly code = 'NOT_FOUND';
  readonly status = 404;
}

export class UnsupportedMediaTypeError extends SkycastError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  readonly status = 415;
}

/** A required setting is missing: raised at init, so a misconfigured function fails before its first request. */
export class MissingConfigurationError extends Error {
  constructor(readonly names: string[]) {
    super(`Missing required environment variable(s): ${names.join(', ')}`);
    this.name = 'MissingConfigurationError';
  }
}
