import { getClip as operation } from '#contract/clips.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import type { VideoPlaybackDeps } from '../catalog/videos.ts';
import { getClip } from './clips.ts';
import { defaultClipReadDeps } from './deps.ts';

export const createHandler = (deps: HttpDeps & VideoPlaybackDeps) =>
  httpHandler(operation, deps, (request) => getClip(deps, request.user, request.params.clipId));

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultClipReadDeps() });
