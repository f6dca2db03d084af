import { defineOperation } from '#shared/operation.ts';
import { PreferencesPatch, Profile } from './profile.ts';

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
