/**
 * Per-user quotas: what one signed-in user may hold open or do per hour. The functions that enforce them read
 * their limits from the environment (`ENV.quotas`), which the CDK app and the local platform set only where a
 * deployment overrides a default; the defaults live here, once.
 */

const GiB = 1024 ** 3;

/** The quotas, by name. */
export const USER_QUOTAS = ['openUploads', 'uploadBytesInFlight', 'clipsPerHour', 'streamsPerHour'] as const;
export type UserQuota = (typeof USER_QUOTAS)[number];

/** The quotas counted in fixed one-hour windows (UTC hours); the others count what is open right now. */
export const HOURLY_QUOTAS = ['clipsPerHour', 'streamsPerHour'] as const satisfies readonly UserQuota[];
export type HourlyQuota = (typeof HOURLY_QUOTAS)[number];

/** A limit for each quota, a whole number of at least 1. */
export type UserQuotaLimits = Record<UserQuota, number>;

/**
 * The limits unless a deployment sets others: generous for a person, tight enough that one account cannot
 * tie up the uploads bucket or the clip and channel machinery.
 */
export const DEFAULT_USER_QUOTAS: UserQuotaLimits = {
  /** Uploads started and not yet completed or aborted. */
  openUploads: 10,
  /** The declared sizes of those open uploads, added up. */
  uploadBytesInFlight: 100 * GiB,
  /** createClip calls that made a clip, per hour. */
  clipsPerHour: 60,
  /** startStream calls that succeeded, per hour. */
  streamsPerHour: 20,
};

/** The largest limit a setting may have: what a DynamoDB number and a JavaScript number both hold exactly. */
export const MAX_QUOTA_LIMIT = Number.MAX_SAFE_INTEGER;
