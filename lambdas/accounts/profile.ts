import * as z from 'zod';
import type { AuthenticatedUser } from '#shared/auth.ts';
import { ValidationError } from '#shared/errors.ts';

/** Categories a viewer can follow and a creator can file a stream or video under. */
export const CATEGORIES = [
  'gaming',
  'music',
  'sports',
  'education',
  'technology',
  'science',
  'news',
  'talk',
  'entertainment',
  'travel',
  'food',
  'art',
] as const;

const Tag = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,31}$/,
    'Tags are 1–32 letters, digits or dashes, starting with a letter or digit.',
  );

/** A BCP 47 language tag such as `en`, `pt-BR` or `zh-Hant`. */
const Language = z
  .string()
  .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'Use a BCP 47 language tag such as "en" or "pt-BR".');

export const Preferences = z.object({
  categories: z.array(z.enum(CATEGORIES)).max(CATEGORIES.length),
  tags: z.array(Tag).max(20, 'At most 20 tags.'),
  language: Language,
});
export type Preferences = z.output<typeof Preferences>;

/** A change to some preferences; what is left out stays as it was. */
export const PreferencesPatch = Preferences.partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'Send at least one of categories, tags or language.')
  .transform(({ categories, tags, ...rest }) => ({
    ...rest,
    ...(categories ? { categories: [...new Set(categories)] } : {}),
    ...(tags ? { tags: [...new Set(tags)] } : {}),
  }));
export type PreferencesPatch = z.output<typeof PreferencesPatch>;

export const Profile = z.object({
  userId: z.string().describe('The Cognito `sub` of the user.'),
  username: z.string(),
  email: z.string().optional(),
  preferences: Preferences,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Profile = z.output<typeof Profile>;

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
