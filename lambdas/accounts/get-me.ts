import { getMe } from '#contract/accounts.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { defaultAccountsDeps } from './deps.ts';
import { type AccountsDeps, getProfile } from './profile.ts';

export const createHandler = (deps: HttpDeps & AccountsDeps) =>
  httpHandler(getMe, deps, (request) => getProfile(deps, request.user));

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultAccountsDeps() });
