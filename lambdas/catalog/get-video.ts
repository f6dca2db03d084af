import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { defaultCatalogDeps } from './deps.ts';
import { getVideo as operation } from './operations.ts';
import { type CatalogReadDeps, getVideo } from './videos.ts';

export const createHandler = (deps: HttpDeps & CatalogReadDeps) =>
  httpHandler(operation, deps, (request) => getVideo(deps, request.user, request.params.videoId));

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultCatalogDeps() });
