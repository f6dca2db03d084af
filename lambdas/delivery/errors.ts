import { SkycastError } from '#shared/errors.ts';

/**
 * A source playlist we read from our own buckets is not valid HLS (RFC 8216). The viewer asked for nothing
 * wrong, so this is a bad answer from upstream storage: 502.
 */
export class PlaylistParseError extends SkycastError {
  readonly code = 'PLAYLIST_INVALID';
  readonly status = 502;
}

/** A clip's start or end is not a number, negative, reversed, or outside the source. */
export class InvalidClipRangeError extends SkycastError {
  readonly code = 'INVALID_CLIP_RANGE';
  readonly status = 400;
}

/** A clip longer than the length limit. */
export class ClipTooLongError extends SkycastError {
  readonly code = 'CLIP_TOO_LONG';
  readonly status = 400;
}

/** A viewer limit (maximum height, bitrate or device profile) that we do not understand. */
export class InvalidViewerLimitError extends SkycastError {
  readonly code = 'INVALID_VIEWER_LIMIT';
  readonly status = 400;
}
