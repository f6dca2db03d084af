import { createClip as operation } from '#contract/clips.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { defaultQuotaDeps } from '#shared/quota-store.ts';
import { type QuotaDeps, withinHourlyQuota } from '#shared/quotas.ts';
import { type ClipDeps, createClip } from './clips.ts';
import { defaultClipDeps } from './deps.ts';

export const createHandler = (deps: HttpDeps & ClipDeps & QuotaDeps) =>
  httpHandler(operation, deps, (request) =>
    withinHourlyQuota(deps, 'clipsPerHour', request.user.sub, () =>
      createClip(deps, request.user, request.params.videoId, request.body),
    ),
  );

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultClipDeps(), ...defaultQuotaDeps() });
