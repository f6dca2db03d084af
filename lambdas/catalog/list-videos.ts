import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { defaultCatalogDeps } from './deps.ts';
import { listVideos as operation } from './operations.ts';
import { type CatalogReadDeps, listVideos } from './videos.ts';

export const createHandler = (deps: HttpDeps & CatalogReadDeps) =>
  httpHandler(operation, deps, (request) => listVideos(deps, request.user, request.query));

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultCatalogDeps() });
