import { watchStream as operation } from '#contract/live.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { defaultLiveDeps } from './deps.ts';
import { type LiveDeps, watchStream } from './streams.ts';

export const createHandler = (deps: HttpDeps & LiveDeps) =>
  httpHandler(operation, deps, (request) => watchStream(deps, request.user, request.params.streamId));

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultLiveDeps() });
