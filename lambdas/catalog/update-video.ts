import { updateVideo as operation } from '#contract/catalog.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { defaultCatalogDeps } from './deps.ts';
import { updateVideo, type VideoUpdateDeps } from './videos.ts';

export const createHandler = (deps: HttpDeps & VideoUpdateDeps) =>
  httpHandler(operation, deps, (request) =>
    updateVideo(deps, request.user, request.params.videoId, request.body),
  );

export const handler = createHandler({
  ...defaultHttpDeps(),
  ...defaultCatalogDeps(),
  now: () => new Date(),
});
