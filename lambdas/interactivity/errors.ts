import { SkycastError } from '#shared/errors.ts';

/** Reactions and announcements need the stream on air: 409 while it is offline. */
export class StreamNotLiveError extends SkycastError {
  readonly code = 'STREAM_NOT_LIVE';
  readonly status = 409;

  constructor() {
    super('The stream is not live right now; reactions and announcements reach viewers only while it is.');
  }
}

/** A viewer sent more reactions to one stream than the window allows: 429 with `Retry-After`. */
export class ReactionRateLimitedError extends SkycastError {
  readonly code = 'REACTION_RATE_LIMITED';
  readonly status = 429;

  constructor(limit: { max: number; windowSeconds: number }, retryAfterSeconds: number) {
    super(
      `At most ${limit.max} reactions per ${limit.windowSeconds} s to one stream; try again in ${retryAfterSeconds} s.`,
      {
        details: { max: limit.max, windowSeconds: limit.windowSeconds, retryAfterSeconds },
        headers: { 'retry-after': String(retryAfterSeconds) },
      },
    );
  }
}

/** One ad break at a time: another still plays. */
export class AdBreakInProgressError extends SkycastError {
  readonly code = 'AD_BREAK_IN_PROGRESS';
  readonly status = 409;

  constructor(endsAt: string, retryAfterSeconds: number) {
    super(`An ad break is playing until ${endsAt}; start the next one after it.`, {
      details: { endsAt },
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
}

/** IVS took as many in-band calls for the channel as it allows this second: 429, retry in a second. */
export class MetadataThrottledError extends SkycastError {
  readonly code = 'METADATA_THROTTLED';
  readonly status = 429;

  constructor() {
    super('The stream is carrying as much in-band metadata as IVS allows right now; try again in a second.', {
      headers: { 'retry-after': '1' },
    });
  }
}
