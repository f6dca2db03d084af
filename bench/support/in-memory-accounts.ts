import type { PreferencesPatch, Profile } from '#contract/accounts.ts';
/**
 * The accounts ports kept in memory, so the middleware benchmark measures the HTTP stack and not a database.
 * They behave as the real adapters do (create-if-absent never overwrites, a patch changes only what it names),
 * and they do no I/O.
 */

import type { ProfileStore, UserDirectory } from '../../lambdas/accounts/profile.ts';
import { UnauthorizedError } from '../../lambdas/shared/errors.ts';
import type { TokenRevocationCheck } from '../../lambdas/shared/revocation.ts';

export class InMemoryProfileStore implements ProfileStore {
  private readonly profiles = new Map<string, Profile>();

  async get(userId: string): Promise<Profile | undefined> {
    return this.profiles.get(userId);
  }

  async createIfAbsent(profile: Profile): Promise<Profile> {
    const existing = this.profiles.get(profile.userId);
    if (existing) return existing;
    this.profiles.set(profile.userId, profile);
    return profile;
  }

  async updatePreferences(userId: string, patch: PreferencesPatch, now: string): Promise<Profile> {
    const existing = this.profiles.get(userId);
    if (!existing) throw new Error(`No profile for ${userId}`);
    const updated = { ...existing, preferences: { ...existing.preferences, ...patch }, updatedAt: now };
    this.profiles.set(userId, updated);
    return updated;
  }
}

export class InMemoryUserDirectory implements UserDirectory {
  constructor(private readonly emails: ReadonlyMap<string, string>) {}

  async emailOf(username: string): Promise<string | undefined> {
    return this.emails.get(username);
  }
}

/** Stands in for Cognito's GetUser check: a token is live unless it was revoked here. */
export class InMemoryRevocationList implements TokenRevocationCheck {
  private readonly revoked = new Set<string>();

  revoke(token: string): void {
    this.revoked.add(token);
  }

  async assertActive(token: string): Promise<void> {
    if (this.revoked.has(token))
      throw new UnauthorizedError('The access token has been revoked. Sign in again.');
  }
}
