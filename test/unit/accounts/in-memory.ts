import type { PreferencesPatch, Profile } from '#contract/accounts.ts';
import type { ProfileStore, UserDirectory } from '../../../lambdas/accounts/profile.ts';

/** A ProfileStore kept in a Map, for testing the use cases' rules without a database. */
export class InMemoryProfileStore implements ProfileStore {
  readonly items = new Map<string, Profile>();

  async get(userId: string) {
    return this.items.get(userId);
  }

  async createIfAbsent(profile: Profile) {
    const existing = this.items.get(profile.userId);
    if (existing) return existing;
    this.items.set(profile.userId, profile);
    return profile;
  }

  async updatePreferences(userId: string, patch: PreferencesPatch, now: string) {
    const current = this.items.get(userId);
    if (!current) throw new Error(`no profile ${userId}`);
    const updated = { ...current, preferences: { ...current.preferences, ...patch }, updatedAt: now };
    this.items.set(userId, updated);
    return updated;
  }
}

export class InMemoryDirectory implements UserDirectory {
  lookups = 0;
  constructor(private readonly emails: Record<string, string>) {}
  async emailOf(username: string) {
    this.lookups += 1;
    return this.emails[username];
  }
}
