import { DEFAULT_USER_QUOTAS, type UserQuotaLimits } from '#contract/quotas.ts';
import type {
  OpenUploadUsage,
  QuotaDeps,
  QuotaStore,
  QuotaWindow,
  UploadReservation,
} from '../../../lambdas/shared/quotas.ts';

/**
 * Quota counters in memory, each method one step (as each DynamoDB write is one conditional update), for
 * testing the rules and the use cases that call them.
 */
export class InMemoryQuotaStore implements QuotaStore {
  readonly uploads = new Map<string, { usage: OpenUploadUsage; held: Map<string, UploadReservation> }>();
  readonly windows = new Map<string, number>();

  private userUploads(userId: string) {
    let entry = this.uploads.get(userId);
    if (!entry) {
      entry = { usage: { openUploads: 0, bytesInFlight: 0 }, held: new Map() };
      this.uploads.set(userId, entry);
    }
    return entry;
  }

  async reserveUpload(
    userId: string,
    reservation: UploadReservation,
    limits: { openUploads: number; bytesInFlight: number },
  ) {
    const { usage, held } = this.userUploads(userId);
    if (
      usage.openUploads >= limits.openUploads ||
      usage.bytesInFlight + reservation.bytes > limits.bytesInFlight
    ) {
      return { admitted: false as const, usage: { ...usage } };
    }
    usage.openUploads += 1;
    usage.bytesInFlight += reservation.bytes;
    held.set(reservation.videoId, reservation);
    return { admitted: true as const };
  }

  async releaseUpload(userId: string, videoId: string, bytes: number) {
    const { usage, held } = this.userUploads(userId);
    if (held.get(videoId)?.bytes !== bytes) return false;
    held.delete(videoId);
    usage.openUploads -= 1;
    usage.bytesInFlight -= bytes;
    return true;
  }

  async uploadReservations(userId: string) {
    return [...this.userUploads(userId).held.values()];
  }

  /** What the user holds open, as the counters say. */
  usage(userId: string): OpenUploadUsage {
    return { ...this.userUploads(userId).usage };
  }

  async countInWindow(userId: string, window: QuotaWindow, limit: number) {
    const key = `${userId} ${window.quota} ${window.startsAt}`;
    const count = this.windows.get(key) ?? 0;
    if (count >= limit) return { admitted: false, count };
    this.windows.set(key, count + 1);
    return { admitted: true, count: count + 1 };
  }

  async uncountInWindow(userId: string, window: QuotaWindow) {
    const key = `${userId} ${window.quota} ${window.startsAt}`;
    const count = this.windows.get(key) ?? 0;
    if (count > 0) this.windows.set(key, count - 1);
  }
}

/** Quota deps over an in-memory store, with the default limits unless `limits` says otherwise. */
export function inMemoryQuotas(
  limits: Partial<UserQuotaLimits> = {},
): QuotaDeps & { quotaStore: InMemoryQuotaStore } {
  return { quotaStore: new InMemoryQuotaStore(), quotaLimits: { ...DEFAULT_USER_QUOTAS, ...limits } };
}
