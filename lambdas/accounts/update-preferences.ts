import { updatePreferences as operation } from '#contract/accounts.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { defaultAccountsDeps } from './deps.ts';
import { type AccountsDeps, updatePreferences } from './profile.ts';

export const createHandler = (deps: HttpDeps & AccountsDeps) =>
  httpHandler(operation, deps, (request) => updatePreferences(deps, request.user, request.body));

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultAccountsDeps() });
