import type { Preferences, PreferencesPatch, Profile } from '#contract/accounts.ts';
import type { AuthenticatedUser } from '#shared/auth.ts';
import { ValidationError } from '#shared/errors.ts';

export const DEFAULT_PREFERENCES: Preferences = { categories: [], tags: [], language: 'en' };

/** Stores profiles; a conditional create never overwrites a profile that already exists. */
export interface ProfileStore {
  get(userId: string): Promise<Profile | undefined>;
  /** Creates the profile unless one exists; returns the stored one either way. */
  createIfAbsent(profile: Profile): Promise<Profile>;
  /** Applies the patch to an existing profile and returns the result. */
  updatePreferences(userId: string, patch: PreferencesPatch, now: string): Promise<Profile>;
}

/** Reads what the identity provider knows about a user that their access token does not carry. */
export interface UserDirectory {
  emailOf(username: string): Promise<string | undefined>;
}

export interface AccountsDeps {
  profiles: ProfileStore;
  directory: UserDirectory;
  now?: () => Date;
}

/** The caller's profile, created on first use from what the user pool knows. */
export async function getProfile(deps: AccountsDeps, user: AuthenticatedUser): Promise<Profile> {
  const existing = await deps.profiles.get(user.sub);
  if (existing) return existing;
  const now = (deps.now?.() ?? new Date()).toISOString();
  return deps.profiles.createIfAbsent({
    userId: user.sub,
    username: user.username,
    email: await deps.directory.emailOf(user.username),
    preferences: DEFAULT_PREFERENCES,
    createdAt: now,
    updatedAt: now,
  });
}

export async function updatePreferences(
  deps: AccountsDeps,
  user: AuthenticatedUser,
  patch: PreferencesPatch,
): Promise<Profile> {
  if (Object.keys(patch).length === 0) throw new ValidationError('Send at least one preference to change.');
  await getProfile(deps, user);
  return deps.profiles.updatePreferences(user.sub, patch, (deps.now?.() ?? new Date()).toISOString());
}
