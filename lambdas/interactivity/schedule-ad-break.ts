import { scheduleAdBreak as operation } from '#contract/interactivity.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { type AdBreakDeps, scheduleAdBreak } from './ad-breaks.ts';
import { defaultAdBreakDeps } from './deps.ts';

export const createHandler = (deps: HttpDeps & AdBreakDeps) =>
  httpHandler(operation, deps, (request) =>
    scheduleAdBreak(deps, request.user, request.params.streamId, request.body),
  );

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultAdBreakDeps() });
