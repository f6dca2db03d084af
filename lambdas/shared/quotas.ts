/**
 * Per-user quotas: the rules. Open uploads and their bytes are counted on one item per user that only ever
 * changes by conditional writes, so parallel requests cannot overshoot a limit; clips and streams are counted
 * in fixed one-hour windows. The counters sit behind the `QuotaStore` port (DynamoDB in quota-store.ts).
 */
import { ENV } from '#contract/environment.ts';
import {
  DEFAULT_USER_QUOTAS,
  type HourlyQuota,
  MAX_QUOTA_LIMIT,
  USER_QUOTAS,
  type UserQuota,
  type UserQuotaLimits,
} from '#contract/quotas.ts';
import { SkycastError } from './errors.ts';
import { logger } from './logger.ts';

/** An upload holding a place in its owner's open-upload quota until it is completed, aborted or expires. */
export interface UploadReservation {
  videoId: string;
  /** The upload's declared size. */
  bytes: number;
  /** Epoch seconds when the reservation was taken. */
  reservedAt: number;
  /** Epoch seconds after which the upload cannot be completed any more (its parts are gone). */
  expiresAt: number;
}

/** What a user holds open right now. */
export interface OpenUploadUsage {
  openUploads: number;
  bytesInFlight: number;
}

/** The counters, each changed by one conditional write. */
export interface QuotaStore {
  /**
   * Takes a place for the upload unless that would make more than `limits.openUploads` open uploads or more
   * than `limits.bytesInFlight` bytes; on refusal, what the user holds.
   */
  reserveUpload(
    userId: string,
    reservation: UploadReservation,
    limits: { openUploads: number; bytesInFlight: number },
  ): Promise<{ admitted: true } | { admitted: false; usage: OpenUploadUsage }>;
  /** Gives the upload's place back; false when it held none (released already). */
  releaseUpload(userId: string, videoId: string, bytes: number): Promise<boolean>;
  /** The user's reservations as stored. */
  uploadReservations(userId: string): Promise<UploadReservation[]>;
  /**
   * Counts one more in the user's window unless the count is at `limit`; `count` is the count after (admitted)
   * or as found (refused).
   */
  countInWindow(
    userId: string,
    window: QuotaWindow,
    limit: number,
  ): Promise<{ admitted: boolean; count: number }>;
  /** Takes back one count from the window (what was counted did not happen after all). */
  uncountInWindow(userId: string, window: QuotaWindow): Promise<void>;
}

/** One fixed window of an hourly quota. */
export interface QuotaWindow {
  quota: HourlyQuota;
  /** ISO time the window starts, a UTC hour. */
  startsAt: string;
  /** Epoch seconds the window ends. */
  endsAt: number;
}

export interface QuotaDeps {
  quotaStore: QuotaStore;
  quotaLimits: UserQuotaLimits;
  now?: () => Date;
}

/** A per-user quota is used up: 429, naming the limit and the current use, and when to retry if a window applies. */
export class QuotaExceededError extends SkycastError {
  readonly code = 'QUOTA_EXCEEDED';
  readonly status = 429;

  constructor(
    message: string,
    usage: { quota: UserQuota; limit: number; used: number; retryAfterSeconds?: number },
  ) {
    super(message, {
      details: usage,
      ...(usage.retryAfterSeconds === undefined
        ? {}
        : { headers: { 'retry-after': String(usage.retryAfterSeconds) } }),
    });
  }
}

/**
 * How long after it was taken a reservation may lack its catalog entry: createUpload takes the reservation,
 * then starts the S3 upload and writes the video, all within one invocation. Well above the function timeout.
 */
export const RESERVATION_GRACE_SECONDS = 5 * 60;

const HOUR_MS = 3_600_000;
const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);
const nowOf = (deps: QuotaDeps) => deps.now?.() ?? new Date();

/** The UTC hour `at` falls in. */
export function hourWindow(quota: HourlyQuota, at: Date): QuotaWindow {
  const start = Math.floor(at.getTime() / HOUR_MS) * HOUR_MS;
  return { quota, startsAt: new Date(start).toISOString(), endsAt: (start + HOUR_MS) / 1000 };
}

/** Whole seconds from `at` until the window ends, at least 1. */
export function retryAfterSeconds(window: QuotaWindow, at: Date): number {
  return Math.max(1, Math.ceil(window.endsAt - at.getTime() / 1000));
}

const GiB = 1024 ** 3;
const formatGiB = (bytes: number) => `${Number((bytes / GiB).toFixed(2))} GiB`;

const WHAT_IS_COUNTED: Record<HourlyQuota, { done: string; thing: string }> = {
  clipsPerHour: { done: 'created', thing: 'clip' },
  streamsPerHour: { done: 'started', thing: 'stream' },
};

/**
 * Runs `action` if the user has a count left in this hour's window of `quota`, counting it first so that
 * parallel calls cannot overshoot; an action that fails gives its count back.
 */
export async function withinHourlyQuota<T>(
  deps: QuotaDeps,
  quota: HourlyQuota,
  userId: string,
  action: () => Promise<T>,
): Promise<T> {
  const at = nowOf(deps);
  const window = hourWindow(quota, at);
  const limit = deps.quotaLimits[quota];
  const { admitted, count } = await deps.quotaStore.countInWindow(userId, window, limit);
  if (!admitted) {
    const retryAfter = retryAfterSeconds(window, at);
    const { done, thing } = WHAT_IS_COUNTED[quota];
    throw new QuotaExceededError(
      `You have ${done} ${count} ${thing}${count === 1 ? '' : 's'} this hour, and the limit is ${limit} per hour. ` +
        `Try again in ${Math.ceil(retryAfter / 60)} minute(s).`,
      { quota, limit, used: count, retryAfterSeconds: retryAfter },
    );
  }
  try {
    return await action();
  } catch (error) {
    await deps.quotaStore
      .uncountInWindow(userId, window)
      .catch((uncountError) => logger.warn('quota count not given back', { quota, error: uncountError }));
    throw error;
  }
}

/**
 * Takes a place for a new upload in the user's open-upload quota, or refuses with 429. Before refusing, places
 * whose upload is gone are given back: the upload expired, or (past the grace period) `isStillOpen` says its
 * video is no longer UPLOADING, e.g. it was deleted or completed on a path that did not release it. So the
 * counts heal themselves instead of drifting, and stay exact under concurrency, since every change is one
 * conditional write.
 */
export async function reserveOpenUpload(
  deps: QuotaDeps,
  userId: string,
  upload: { videoId: string; bytes: number; expiresAt: number },
  isStillOpen: (videoId: string) => Promise<boolean>,
): Promise<void> {
  const { openUploads, uploadBytesInFlight } = deps.quotaLimits;
  if (upload.bytes > uploadBytesInFlight) throw bytesRefusal(upload.bytes, uploadBytesInFlight, 0);
  const at = nowOf(deps);
  const reservation = { ...upload, reservedAt: epochSeconds(at) };
  const limits = { openUploads, bytesInFlight: uploadBytesInFlight };
  let outcome = await deps.quotaStore.reserveUpload(userId, reservation, limits);
  if (!outcome.admitted && (await releaseAbandoned(deps, userId, at, isStillOpen)) > 0) {
    outcome = await deps.quotaStore.reserveUpload(userId, reservation, limits);
  }
  if (outcome.admitted) return;
  const { usage } = outcome;
  if (usage.openUploads >= openUploads) {
    throw new QuotaExceededError(
      `You have ${usage.openUploads} uploads open, and the limit is ${openUploads}. ` +
        'Complete or abort one of them before starting another.',
      { quota: 'openUploads', limit: openUploads, used: usage.openUploads },
    );
  }
  throw bytesRefusal(upload.bytes, uploadBytesInFlight, usage.bytesInFlight);
}

function bytesRefusal(bytes: number, limit: number, used: number): QuotaExceededError {
  return new QuotaExceededError(
    `Your open uploads add up to ${formatGiB(used)}; with this ${formatGiB(bytes)} file they would pass the ` +
      `limit of ${formatGiB(limit)} in flight. Complete or abort an upload first.`,
    { quota: 'uploadBytesInFlight', limit, used },
  );
}

/** Gives back the places of uploads that are gone; returns how many. */
async function releaseAbandoned(
  deps: QuotaDeps,
  userId: string,
  at: Date,
  isStillOpen: (videoId: string) => Promise<boolean>,
): Promise<number> {
  const now = epochSeconds(at);
  let released = 0;
  for (const reservation of await deps.quotaStore.uploadReservations(userId)) {
    const abandoned =
      reservation.expiresAt <= now ||
      (reservation.reservedAt + RESERVATION_GRACE_SECONDS <= now &&
        !(await isStillOpen(reservation.videoId)));
    if (abandoned && (await deps.quotaStore.releaseUpload(userId, reservation.videoId, reservation.bytes))) {
      released += 1;
    }
  }
  if (released > 0) logger.info('abandoned upload reservations released', { released });
  return released;
}

/** Gives an upload's place back (completed, aborted or gone); giving it back twice is harmless. */
export async function releaseOpenUpload(
  deps: QuotaDeps,
  userId: string,
  upload: { videoId: string; bytes: number },
): Promise<void> {
  await deps.quotaStore.releaseUpload(userId, upload.videoId, upload.bytes);
}

/**
 * Reads the limits from the environment (`ENV.quotas`), each a whole number from 1 up, defaulting to
 * `DEFAULT_USER_QUOTAS`; a value that is not stops the function at init with its name.
 */
export function quotaLimitsFrom(env: NodeJS.ProcessEnv = process.env): UserQuotaLimits {
  const limits = { ...DEFAULT_USER_QUOTAS };
  for (const quota of USER_QUOTAS) {
    const name = ENV.quotas[quota];
    const raw = env[name]?.trim();
    if (!raw) continue;
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < 1 || value > MAX_QUOTA_LIMIT) {
      throw new Error(`${name} must be a whole number from 1 to ${MAX_QUOTA_LIMIT}; it is "${raw}".`);
    }
    limits[quota] = value;
  }
  return limits;
}
