/**
 * Per-user quotas against the emulator: the counters are items in the catalog table, changed by conditional
 * writes, so parallel requests from one user get exactly the limit's number of admissions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_USER_QUOTAS } from '#contract/quotas.ts';
import { documentClient } from '../../../lambdas/shared/dynamodb.ts';
import { DynamoQuotaStore } from '../../../lambdas/shared/quota-store.ts';
import { type QuotaDeps, withinHourlyQuota } from '../../../lambdas/shared/quotas.ts';
import { createSignedInUser, type SignedInUser } from '../../support/accounts.ts';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.ts';
import { type Handler, invoke } from '../../support/lambda.ts';

const GiB = 1024 ** 3;

describe('per-user quotas against the emulator', () => {
  let emulator: TestEmulator;
  let store: DynamoQuotaStore;
  let alice: SignedInUser;
  let bob: SignedInUser;
  const handlers = {} as Record<'createUpload' | 'abortUpload', Handler>;

  before(async () => {
    emulator = await startTestEmulator();
    // Like Lambda: the environment is in place before the handler modules load; no quota is set, so the defaults hold.
    handlers.createUpload = (await import('../../../lambdas/uploads/create-upload.ts')).handler;
    handlers.abortUpload = (await import('../../../lambdas/uploads/abort-upload.ts')).handler;
    store = new DynamoQuotaStore(documentClient(), emulator.resources.tableName);
    const pool = { userPoolId: emulator.resources.userPoolId, clientId: emulator.resources.userPoolClientId };
    alice = await createSignedInUser(emulator.cognito, pool);
    bob = await createSignedInUser(emulator.cognito, pool);
  });
  after(async () => {
    await emulator?.stop();
  });

  const createUpload = (token: string, size: number) =>
    invoke(handlers.createUpload, {
      method: 'POST',
      path: '/uploads',
      routeKey: 'POST /uploads',
      token,
      body: { fileName: 'match.mp4', size, contentType: 'video/mp4' },
    });
  const abortUpload = (token: string, videoId: string) =>
    invoke(handlers.abortUpload, {
      method: 'DELETE',
      path: `/uploads/${videoId}`,
      routeKey: 'DELETE /uploads/{videoId}',
      token,
      pathParameters: { videoId },
    });

  it('answers exactly the open-upload limit of 60 parallel createUpload calls with 201, then one more after an abort', async () => {
    const limit = DEFAULT_USER_QUOTAS.openUploads;

    const answers = await Promise.all(Array.from({ length: 60 }, () => createUpload(alice.accessToken, GiB)));

    const created = answers.filter((answer) => answer.status === 201);
    const refused = answers.filter((answer) => answer.status === 429);
    assert.equal(created.length, limit, JSON.stringify(answers.map((answer) => answer.status)));
    assert.equal(refused.length, 60 - limit);
    assert.equal(refused[0]?.body.code, 'QUOTA_EXCEEDED');
    assert.deepEqual(refused[0]?.body.details, { quota: 'openUploads', limit, used: limit });
    assert.equal((await store.uploadReservations(alice.sub)).length, limit);
    assert.equal(
      (await createUpload(bob.accessToken, GiB)).status,
      201,
      'another user has quotas of their own',
    );

    const aborted = await abortUpload(alice.accessToken, created[0]?.body.videoId);
    assert.equal(aborted.status, 204, JSON.stringify(aborted.body));

    assert.equal((await createUpload(alice.accessToken, GiB)).status, 201);
    assert.equal((await createUpload(alice.accessToken, GiB)).status, 429);
  });

  it('refuses an upload that would pass the bytes in flight', async () => {
    const carol = await createSignedInUser(emulator.cognito, {
      userPoolId: emulator.resources.userPoolId,
      clientId: emulator.resources.userPoolClientId,
    });
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => createUpload(carol.accessToken, 20 * GiB)),
    );

    assert.equal(answers.filter((answer) => answer.status === 201).length, 5, '100 GiB in 20 GiB files');
    const refusal = answers.find((answer) => answer.status === 429);
    assert.equal(refusal?.body.details.quota, 'uploadBytesInFlight');
    assert.equal(refusal?.body.details.used, 100 * GiB);
  });

  describe('hourly quotas', () => {
    let clock = Date.parse('2026-11-21T10:59:00.000Z');
    const deps = (limits: Partial<QuotaDeps['quotaLimits']>): QuotaDeps => ({
      quotaStore: store,
      quotaLimits: { ...DEFAULT_USER_QUOTAS, ...limits },
      now: () => new Date(clock),
    });

    it('admit exactly the limit of parallel clips in an hour, and give back the count of one that failed', async () => {
      const clips = deps({ clipsPerHour: 4 });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 12 }, () =>
          withinHourlyQuota(clips, 'clipsPerHour', alice.sub, async () => 'clip'),
        ),
      );
      assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 4);
      const refused = outcomes.find((outcome) => outcome.status === 'rejected');
      assert.deepEqual((refused as PromiseRejectedResult).reason.details, {
        quota: 'clipsPerHour',
        limit: 4,
        used: 4,
        retryAfterSeconds: 60,
      });

      const bobClips = deps({ clipsPerHour: 1 });
      await assert.rejects(
        withinHourlyQuota(bobClips, 'clipsPerHour', bob.sub, async () => {
          throw new Error('source not found');
        }),
      );
      assert.equal(await withinHourlyQuota(bobClips, 'clipsPerHour', bob.sub, async () => 'clip'), 'clip');
    });

    it('admit streams again when the next hour starts, by the injected clock', async () => {
      const streams = deps({ streamsPerHour: 2 });
      const start = () => withinHourlyQuota(streams, 'streamsPerHour', alice.sub, async () => 'live');
      await start();
      await start();
      await assert.rejects(start(), /started 2 streams this hour/);

      clock += 60_000;

      assert.equal(await start(), 'live');
    });
  });
});
