import { createClip as operation } from '#contract/clips.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { type ClipDeps, createClip } from './clips.ts';
import { defaultClipDeps } from './deps.ts';

export const createHandler = (deps: HttpDeps & ClipDeps) =>
  httpHandler(operation, deps, (request) =>
    createClip(deps, request.user, request.params.videoId, request.body),
  );

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultClipDeps() });
