import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as z from 'zod';
import { ENV, functionEnvironment } from '#contract/environment.ts';
import { routeFunction } from '#contract/functions.ts';
import { buildOpenApiDocument } from '#contract/openapi.ts';
import { defineOperation } from '#contract/operation.ts';
import { DEFAULT_USER_QUOTAS } from '#contract/quotas.ts';
import { routes } from '#contract/routes.ts';
import { httpHandler } from '../../../lambdas/shared/http.ts';
import {
  hourWindow,
  QuotaExceededError,
  quotaLimitsFrom,
  RESERVATION_GRACE_SECONDS,
  reserveOpenUpload,
  retryAfterSeconds,
  withinHourlyQuota,
} from '../../../lambdas/shared/quotas.ts';
import { userIdTokens } from '../../support/http-deps.ts';
import { invoke } from '../../support/lambda.ts';
import { inMemoryQuotas } from './in-memory-quotas.ts';

const GiB = 1024 ** 3;
const T0 = Date.parse('2026-11-21T10:20:00.000Z');

/** Quota deps with a clock the test moves. */
function clocked(limits: Parameters<typeof inMemoryQuotas>[0] = {}) {
  let clock = T0;
  const deps = { ...inMemoryQuotas(limits), now: () => new Date(clock) };
  return { deps, advance: (ms: number) => (clock += ms) };
}

async function refusal(attempt: Promise<unknown>): Promise<QuotaExceededError> {
  try {
    await attempt;
  } catch (error) {
    assert.ok(error instanceof QuotaExceededError, `expected a quota refusal, got ${error}`);
    return error;
  }
  return assert.fail('expected a refusal');
}

describe('hourly windows', () => {
  it('are the UTC hour a moment falls in, and say how long until the next one', () => {
    const at = new Date(T0);
    const window = hourWindow('clipsPerHour', at);

    assert.equal(window.startsAt, '2026-11-21T10:00:00.000Z');
    assert.equal(window.endsAt, Date.parse('2026-11-21T11:00:00.000Z') / 1000);
    assert.equal(retryAfterSeconds(window, at), 40 * 60);
    assert.equal(retryAfterSeconds(window, new Date(window.endsAt * 1000 - 1)), 1);
  });
});

describe('withinHourlyQuota', () => {
  it('runs the limit’s number of actions in an hour, then refuses with 429, the limit, the use and Retry-After', async () => {
    const { deps } = clocked({ clipsPerHour: 3 });
    const done: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      await withinHourlyQuota(deps, 'clipsPerHour', 'alice', async () => done.push(i));
    }

    const error = await refusal(withinHourlyQuota(deps, 'clipsPerHour', 'alice', async () => done.push(99)));

    assert.deepEqual(done, [0, 1, 2]);
    assert.equal(error.status, 429);
    assert.equal(error.code, 'QUOTA_EXCEEDED');
    assert.deepEqual(error.details, {
      quota: 'clipsPerHour',
      limit: 3,
      used: 3,
      retryAfterSeconds: 40 * 60,
    });
    assert.deepEqual(error.headers, { 'retry-after': String(40 * 60) });
    assert.match(error.message, /created 3 clips this hour.*limit is 3 per hour/);
  });

  it('counts each user apart, and each quota apart', async () => {
    const { deps } = clocked({ clipsPerHour: 1, streamsPerHour: 1 });
    await withinHourlyQuota(deps, 'clipsPerHour', 'alice', async () => 'clip');

    assert.equal(await withinHourlyQuota(deps, 'clipsPerHour', 'bob', async () => 'clip'), 'clip');
    assert.equal(await withinHourlyQuota(deps, 'streamsPerHour', 'alice', async () => 'live'), 'live');
  });

  it('admits again once the next hour starts', async () => {
    const { deps, advance } = clocked({ streamsPerHour: 1 });
    await withinHourlyQuota(deps, 'streamsPerHour', 'alice', async () => 'first');
    await refusal(withinHourlyQuota(deps, 'streamsPerHour', 'alice', async () => 'second'));

    advance(40 * 60 * 1000);

    assert.equal(await withinHourlyQuota(deps, 'streamsPerHour', 'alice', async () => 'next'), 'next');
  });

  it('gives the count back when the action fails, so refused requests do not use the quota up', async () => {
    const { deps } = clocked({ clipsPerHour: 1 });
    await assert.rejects(
      withinHourlyQuota(deps, 'clipsPerHour', 'alice', async () => {
        throw new Error('source not found');
      }),
      /source not found/,
    );

    assert.equal(await withinHourlyQuota(deps, 'clipsPerHour', 'alice', async () => 'clip'), 'clip');
  });

  it('admits exactly the limit of parallel calls', async () => {
    const { deps } = clocked({ clipsPerHour: 5 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => withinHourlyQuota(deps, 'clipsPerHour', 'alice', async () => 'clip')),
    );

    assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 5);
  });
});

describe('a quota refusal at the API edge', () => {
  it('answers 429 with the code, the limit and the use in the body, and Retry-After', async () => {
    const { deps } = clocked({ streamsPerHour: 1 });
    const operation = defineOperation({
      operationId: 'goLive',
      method: 'POST',
      path: '/live',
      tag: 'test',
      summary: 'Go live',
      auth: 'user',
      response: z.object({ ok: z.boolean() }),
      errors: [400, 401, 429],
    });
    const handler = httpHandler(operation, userIdTokens, (request) =>
      withinHourlyQuota(deps, 'streamsPerHour', request.user.sub, async () => ({ ok: true })),
    );
    const goLive = () => invoke(handler, { method: 'POST', path: '/live', token: 'user-alice' });
    await goLive();

    const refused = await goLive();

    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], String(40 * 60));
    assert.equal(refused.body.code, 'QUOTA_EXCEEDED');
    assert.deepEqual(refused.body.details, {
      quota: 'streamsPerHour',
      limit: 1,
      used: 1,
      retryAfterSeconds: 40 * 60,
    });
    assert.match(refused.body.message, /started 1 stream this hour/);
  });
});

describe('reserveOpenUpload', () => {
  const upload = (videoId: string, bytes = GiB) => ({ videoId, bytes, expiresAt: T0 / 1000 + 8 * 86_400 });
  const open = async () => true;

  it('refuses the upload past the open-upload limit, naming the limit and the use', async () => {
    const { deps } = clocked({ openUploads: 2 });
    await reserveOpenUpload(deps, 'alice', upload('v1'), open);
    await reserveOpenUpload(deps, 'alice', upload('v2'), open);

    const error = await refusal(reserveOpenUpload(deps, 'alice', upload('v3'), open));

    assert.equal(error.status, 429);
    assert.deepEqual(error.details, { quota: 'openUploads', limit: 2, used: 2 });
    assert.equal(error.headers, undefined, 'no window applies, so no Retry-After');
    assert.match(error.message, /2 uploads open.*limit is 2/);
  });

  it('refuses an upload whose bytes would pass the limit in flight', async () => {
    const { deps } = clocked({ uploadBytesInFlight: 10 * GiB });
    await reserveOpenUpload(deps, 'alice', upload('v1', 6 * GiB), open);

    const error = await refusal(reserveOpenUpload(deps, 'alice', upload('v2', 5 * GiB), open));
    const alone = await refusal(reserveOpenUpload(deps, 'bob', upload('v3', 11 * GiB), open));

    assert.deepEqual(error.details, { quota: 'uploadBytesInFlight', limit: 10 * GiB, used: 6 * GiB });
    assert.match(error.message, /6 GiB.*5 GiB.*10 GiB/);
    assert.deepEqual(alone.details, { quota: 'uploadBytesInFlight', limit: 10 * GiB, used: 0 });
    await reserveOpenUpload(deps, 'alice', upload('v4', 4 * GiB), open);
  });

  it('gives back the place of an upload that expired before refusing', async () => {
    const { deps, advance } = clocked({ openUploads: 1 });
    await reserveOpenUpload(deps, 'alice', { videoId: 'v1', bytes: GiB, expiresAt: T0 / 1000 + 60 }, open);

    advance(61_000);
    await reserveOpenUpload(deps, 'alice', upload('v2'), open);

    assert.deepEqual(deps.quotaStore.usage('alice'), { openUploads: 1, bytesInFlight: GiB });
  });

  it('gives back the place of an upload whose video is gone, once past the grace period', async () => {
    const { deps, advance } = clocked({ openUploads: 1 });
    const gone = async () => false;
    await reserveOpenUpload(deps, 'alice', upload('v1'), open);

    // Within the grace period the video may simply not be written yet: the place stays taken.
    await refusal(reserveOpenUpload(deps, 'alice', upload('v2'), gone));
    advance(RESERVATION_GRACE_SECONDS * 1000);
    await reserveOpenUpload(deps, 'alice', upload('v3'), gone);

    assert.deepEqual(
      (await deps.quotaStore.uploadReservations('alice')).map((held) => held.videoId),
      ['v3'],
    );
  });
});

describe('quota settings', () => {
  it('default to DEFAULT_USER_QUOTAS and take whole numbers from the environment', () => {
    assert.deepEqual(quotaLimitsFrom({}), DEFAULT_USER_QUOTAS);
    assert.deepEqual(quotaLimitsFrom({ [ENV.quotas.openUploads]: '3', [ENV.quotas.clipsPerHour]: ' 7 ' }), {
      ...DEFAULT_USER_QUOTAS,
      openUploads: 3,
      clipsPerHour: 7,
    });
  });

  for (const bad of ['0', '-1', '1.5', 'ten', '1e3']) {
    it(`stop the function at init on ${JSON.stringify(bad)}, naming the variable`, () => {
      assert.throws(
        () => quotaLimitsFrom({ [ENV.quotas.streamsPerHour]: bad }),
        new RegExp(ENV.quotas.streamsPerHour),
      );
    });
  }

  it('reach exactly the functions whose access names the quota', () => {
    const values = {
      application: 'skycast-test',
      catalogTable: 'catalog',
      buckets: { uploads: 'u', media: 'm', recordings: 'r' },
      userPool: { id: 'pool', clientId: 'client' },
      mediaCookies: { secretArn: 's', keyPairId: 'k', mediaUrl: 'https://media.example' },
      live: { recordingConfigurationArn: 'rc', keySecretArn: 'ks' },
      quotas: { openUploads: 4, uploadBytesInFlight: 5 * GiB, clipsPerHour: 6, streamsPerHour: 7 },
    };
    const quotaEnvironment = (operationId: string) => {
      const route = routes.find((candidate) => candidate.operation.operationId === operationId);
      const environment = functionEnvironment(routeFunction(route as (typeof routes)[number]), values);
      return Object.fromEntries(Object.entries(environment).filter(([name]) => name.startsWith('QUOTA_')));
    };

    assert.deepEqual(quotaEnvironment('createUpload'), {
      QUOTA_OPEN_UPLOADS: '4',
      QUOTA_UPLOAD_BYTES_IN_FLIGHT: String(5 * GiB),
    });
    assert.deepEqual(quotaEnvironment('createClip'), { QUOTA_CLIPS_PER_HOUR: '6' });
    assert.deepEqual(quotaEnvironment('startStream'), { QUOTA_STREAMS_PER_HOUR: '7' });
    assert.deepEqual(quotaEnvironment('getVideo'), {});
  });
});

describe('quotas in the OpenAPI document', () => {
  const document = buildOpenApiDocument();
  const operations = Object.values(document.paths).flatMap((item) => Object.values(item)) as {
    operationId: string;
    responses: Record<string, { headers?: Record<string, unknown> }>;
  }[];

  it('list 429, with its Retry-After header, for every operation that enforces a quota', () => {
    const enforcing = routes.filter((route) => (route.access.quotas?.length ?? 0) > 0);
    assert.deepEqual(enforcing.map((route) => route.operation.operationId).sort(), [
      'createClip',
      'createUpload',
      'startStream',
    ]);
    for (const route of enforcing) {
      const described = operations.find((op) => op.operationId === route.operation.operationId);
      assert.ok(described?.responses[429], `${route.operation.operationId} lists 429`);
      assert.ok(described.responses[429].headers?.['Retry-After']);
    }
  });
});
