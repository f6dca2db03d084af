/**
 * The live settings both the CDK app and the local platform build from: the recording configuration every
 * channel records with, and how long a private stream's playback token lives.
 */
export const liveRecording = {
  /** A thumbnail every this many seconds (scrubbing and the poster of the recording's video). */
  thumbnailIntervalSeconds: 10,
  /**
   * An encoder that reconnects within this many seconds continues the same recording (one video), so a short
   * network drop does not split it; it is also how long after the end the recording becomes a video.
   */
  reconnectWindowSeconds: 15,
} as const;

/** Private streams' playback tokens are checked when playback starts; a short life limits a leaked one. */
export const PLAYBACK_TOKEN_SECONDS = 300;
