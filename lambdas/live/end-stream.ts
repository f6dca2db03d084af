import { endStream as operation } from '#contract/live.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { defaultLiveDeps } from './deps.ts';
import { endStream, type LiveDeps } from './streams.ts';

export const createHandler = (deps: HttpDeps & LiveDeps) =>
  httpHandler(operation, deps, async (request) => {
    await endStream(deps, request.user, request.params.streamId);
    return undefined;
  });

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultLiveDeps() });
