import { startStream as operation } from '#contract/live.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { defaultLiveDeps } from './deps.ts';
import { type LiveDeps, startStream } from './streams.ts';

export const createHandler = (deps: HttpDeps & LiveDeps) =>
  httpHandler(operation, deps, (request) => startStream(deps, request.user, request.body));

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultLiveDeps() });
