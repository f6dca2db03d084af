import { getVideo as operation } from '#contract/catalog.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { playbackIssuerFromEnv } from '../delivery/playback-key-store.ts';
import { defaultCatalogDeps } from './deps.ts';
import { getVideo, type VideoPlaybackDeps } from './videos.ts';

export const createHandler = (deps: HttpDeps & VideoPlaybackDeps) =>
  httpHandler(operation, deps, (request) => getVideo(deps, request.user, request.params.videoId));

export const handler = createHandler({
  ...defaultHttpDeps(),
  ...defaultCatalogDeps(),
  playback: playbackIssuerFromEnv(),
});
