import { startStream as operation } from '#contract/live.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { defaultQuotaDeps } from '#shared/quota-store.ts';
import { type QuotaDeps, withinHourlyQuota } from '#shared/quotas.ts';
import { defaultLiveDeps } from './deps.ts';
import { type LiveDeps, startStream } from './streams.ts';

export const createHandler = (deps: HttpDeps & LiveDeps & QuotaDeps) =>
  httpHandler(operation, deps, (request) =>
    withinHourlyQuota(deps, 'streamsPerHour', request.user.sub, () =>
      startStream(deps, request.user, request.body),
    ),
  );

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultLiveDeps(), ...defaultQuotaDeps() });
