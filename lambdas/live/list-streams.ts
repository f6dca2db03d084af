import { listStreams as operation } from '#contract/live.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { defaultLiveDeps } from './deps.ts';
import { type LiveDeps, listStreams } from './streams.ts';

export const createHandler = (deps: HttpDeps & LiveDeps) =>
  httpHandler(operation, deps, (request) => listStreams(deps, request.user, request.query));

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultLiveDeps() });
