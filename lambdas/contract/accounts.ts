import * as z from 'zod';
import { defineOperation } from './operation.ts';

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

export const Preferences = z
  .object({
    categories: z.array(z.enum(CATEGORIES)).max(CATEGORIES.length),
    tags: z.array(Tag).max(20, 'At most 20 tags.'),
    language: Language,
  })
  .meta({ id: 'Preferences' });
export type Preferences = z.output<typeof Preferences>;

/** A change to some preferences; what is left out stays as it was. */
export const PreferencesPatch = Preferences.partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'Send at least one of categories, tags or language.')
  .transform(({ categories, tags, ...rest }) => ({
    ...rest,
    ...(categories ? { categories: [...new Set(categories)] } : {}),
    ...(tags ? { tags: [...new Set(tags)] } : {}),
  }))
  .meta({ id: 'PreferencesPatch' });
export type PreferencesPatch = z.output<typeof PreferencesPatch>;

export const Profile = z
  .object({
    userId: z.string().describe('The Cognito `sub` of the user.'),
    username: z.string(),
    email: z.string().optional(),
    preferences: Preferences,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Profile' });
export type Profile = z.output<typeof Profile>;

export const getMe = defineOperation({
  operationId: 'getMe',
  method: 'GET',
  path: '/me',
  tag: 'accounts',
  summary: 'The signed-in user and their preferences',
  description: 'Creates the profile on first use from what the user pool knows.',
  auth: 'user',
  response: Profile,
  errors: [401],
});

export const updatePreferences = defineOperation({
  operationId: 'updatePreferences',
  method: 'PATCH',
  path: '/me/preferences',
  tag: 'accounts',
  summary: 'Change what the signed-in viewer likes: categories, tags, language',
  description: 'Fields left out keep their value. A token revoked by sign-out is refused.',
  auth: 'user',
  checkRevocation: true,
  body: PreferencesPatch,
  response: Profile,
  errors: [400, 401, 415],
});
