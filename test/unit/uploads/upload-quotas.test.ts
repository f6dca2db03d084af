import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GiB, MiB } from '#contract/part-plan.ts';
import type { UserQuotaLimits } from '#contract/quotas.ts';
import type { CreateUploadRequest } from '#contract/uploads.ts';
import { RESERVATION_GRACE_SECONDS } from '../../../lambdas/shared/quotas.ts';
import { abortUpload, completeUpload, createUpload } from '../../../lambdas/uploads/upload.ts';
import { testUser } from '../../support/http-deps.ts';
import { InMemoryVideoCatalog } from '../catalog/in-memory.ts';
import { inMemoryQuotas } from '../shared/in-memory-quotas.ts';
import { InMemoryMultipartStore } from './in-memory.ts';

const alice = testUser('alice-sub');
const bob = testUser('bob-sub');

function setup(limits: Partial<UserQuotaLimits> = {}) {
  const catalog = new InMemoryVideoCatalog();
  const multipart = new InMemoryMultipartStore();
  const quotas = inMemoryQuotas(limits);
  let clock = Date.parse('2026-11-21T10:00:00.000Z');
  let ids = 0;
  const deps = {
    catalog,
    multipart,
    maxUploadBytes: 20 * GiB,
    ...quotas,
    now: () => new Date(clock),
    newVideoId: () => `video-${++ids}`,
  };
  return { catalog, multipart, quotas: quotas.quotaStore, deps, advance: (ms: number) => (clock += ms) };
}

const request = (size = 10 * MiB): CreateUploadRequest => ({
  fileName: 'talk.mp4',
  size,
  contentType: 'video/mp4',
  visibility: 'private',
});

const quotaOf = (error: unknown) => (error as { details?: { quota?: string } }).details?.quota;

describe('createUpload within the per-user quotas', () => {
  it('refuses the upload past the open-upload limit with 429, and admits one again after an abort', async () => {
    const s = setup({ openUploads: 3 });
    const tickets = [];
    for (let i = 0; i < 3; i += 1) tickets.push(await createUpload(s.deps, alice, request()));

    await assert.rejects(createUpload(s.deps, alice, request()), (error) => {
      assert.equal((error as { status: number }).status, 429);
      return quotaOf(error) === 'openUploads';
    });
    assert.equal(s.multipart.uploads.size, 3, 'no S3 upload is started for a refused one');
    await createUpload(s.deps, bob, request());
    await abortUpload(s.deps, alice, tickets[0]?.videoId as string);

    await createUpload(s.deps, alice, request());
    assert.deepEqual(s.quotas.usage('alice-sub'), { openUploads: 3, bytesInFlight: 30 * MiB });
  });

  it('frees the place when the upload completes, and a repeated completion frees nothing more', async () => {
    const s = setup({ openUploads: 1 });
    const ticket = await createUpload(s.deps, alice, request(3 * MiB));
    const uploadId = s.catalog.items.get(ticket.videoId)?.uploadId as string;
    const etag = s.multipart.receive(uploadId, 1, 3 * MiB);

    await completeUpload(s.deps, alice, ticket.videoId, { parts: [{ partNumber: 1, etag }] });
    await completeUpload(s.deps, alice, ticket.videoId, { parts: [{ partNumber: 1, etag }] });

    assert.deepEqual(s.quotas.usage('alice-sub'), { openUploads: 0, bytesInFlight: 0 });
    await createUpload(s.deps, alice, request());
  });

  it('refuses an upload that would pass the bytes in flight', async () => {
    const s = setup({ uploadBytesInFlight: 25 * GiB });
    await createUpload(s.deps, alice, request(20 * GiB));

    await assert.rejects(
      createUpload(s.deps, alice, request(6 * GiB)),
      (error) => quotaOf(error) === 'uploadBytesInFlight',
    );
    await createUpload(s.deps, alice, request(5 * GiB));
  });

  it('gives the place back when the upload cannot be started', async () => {
    const s = setup({ openUploads: 1 });
    s.multipart.start = async () => {
      throw new Error('S3 is throttling');
    };

    await assert.rejects(createUpload(s.deps, alice, request()), /throttling/);

    assert.deepEqual(s.quotas.usage('alice-sub'), { openUploads: 0, bytesInFlight: 0 });
  });

  it('heals a place held by an upload whose video left the catalog another way (deleteVideo)', async () => {
    const s = setup({ openUploads: 1 });
    const ticket = await createUpload(s.deps, alice, request());
    await s.catalog.remove(ticket.videoId);
    await assert.rejects(createUpload(s.deps, alice, request()), (error) => quotaOf(error) === 'openUploads');

    s.advance(RESERVATION_GRACE_SECONDS * 1000);

    await createUpload(s.deps, alice, request());
  });

  it('admits exactly the limit of parallel createUpload calls', async () => {
    const s = setup({ openUploads: 10 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 60 }, () => createUpload(s.deps, alice, request(20 * GiB))),
    );

    assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 5, '100 GiB / 20 GiB');
    assert.ok(outcomes.every((o) => o.status === 'fulfilled' || quotaOf(o.reason) === 'uploadBytesInFlight'));
  });
});
