import { deleteVideo as operation } from '#contract/catalog.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { defaultVideoDeletionDeps } from './deps.ts';
import { deleteVideo, type VideoDeletionDeps } from './videos.ts';

export const createHandler = (deps: HttpDeps & VideoDeletionDeps) =>
  httpHandler(operation, deps, async (request) => {
    await deleteVideo(deps, request.user, request.params.videoId);
    return undefined;
  });

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultVideoDeletionDeps() });
