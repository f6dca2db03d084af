import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ACCEPTED_MEDIA } from '#contract/media-types.ts';
import { GiB, MiB } from '#contract/part-plan.ts';
import type { UserQuotaLimits } from '#contract/quotas.ts';
import type { CreateUploadRequest } from '#contract/uploads.ts';
import type { StoredVideo } from '../../../lambdas/catalog/video-catalog.ts';
import type { SkycastError } from '../../../lambdas/shared/errors.ts';
import type { PartCheck } from '../../../lambdas/uploads/parts.ts';
import {
  abortUpload,
  completeUpload,
  createUpload,
  listUploadParts,
  PART_URL_TTL_SECONDS,
} from '../../../lambdas/uploads/upload.ts';
import { testUser } from '../../support/http-deps.ts';
import { InMemoryVideoCatalog } from '../catalog/in-memory.ts';
import { inMemoryQuotas } from '../shared/in-memory-quotas.ts';
import { InMemoryMultipartStore } from './in-memory.ts';

const user = testUser;
const alice = user('alice-sub');
const mallory = user('mallory-sub');

/** The error a use case rejected with, with the details it carries. */
async function rejection<Details>(attempt: Promise<unknown>): Promise<SkycastError & { details: Details }> {
  try {
    await attempt;
  } catch (error) {
    return error as SkycastError & { details: Details };
  }
  return assert.fail('expected a rejection');
}

const START = Date.parse('2026-11-21T10:00:00.000Z');

function setup(options: { maxUploadBytes?: number; quotas?: Partial<UserQuotaLimits> } = {}) {
  const catalog = new InMemoryVideoCatalog();
  const multipart = new InMemoryMultipartStore();
  let clock = START;
  let ids = 0;
  const deps = {
    catalog,
    multipart,
    maxUploadBytes: options.maxUploadBytes ?? 20 * GiB,
    ...inMemoryQuotas(options.quotas),
    now: () => new Date(clock),
    newVideoId: () => `video-${++ids}`,
  };
  return {
    catalog,
    multipart,
    deps,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

const request = (overrides: Partial<CreateUploadRequest> = {}): CreateUploadRequest => ({
  fileName: 'Holiday in Lisbon.mp4',
  size: 12 * MiB + 7,
  contentType: 'video/mp4',
  visibility: 'private',
  ...overrides,
});

/** Starts an upload of 12 MiB + 7 B (three parts) and returns what S3 and the catalog hold for it. */
async function started(s: ReturnType<typeof setup>, overrides: Partial<CreateUploadRequest> = {}) {
  const ticket = await createUpload(s.deps, alice, request(overrides));
  const stored = (await s.catalog.get(ticket.videoId)) as StoredVideo;
  return { ticket, stored, uploadId: stored.uploadId as string };
}

describe('createUpload', () => {
  it("records the video as UPLOADING under the caller's own prefix and hands out URLs for every part", async () => {
    const s = setup();

    const { ticket, stored } = await started(s);

    assert.deepEqual(
      { ...ticket, parts: ticket.parts.map((part) => part.partNumber) },
      {
        videoId: 'video-1',
        size: 12 * MiB + 7,
        partSize: 5 * MiB,
        partCount: 3,
        expiresAt: new Date(START + PART_URL_TTL_SECONDS * 1000).toISOString(),
        parts: [1, 2, 3],
      },
    );
    assert.equal(stored.status, 'UPLOADING');
    assert.equal(stored.ownerId, alice.sub);
    assert.equal(stored.title, 'Holiday in Lisbon');
    assert.equal(stored.visibility, 'private');
    assert.equal(stored.sourceKey, 'uploads/alice-sub/video-1/source.mp4');
    assert.equal(stored.partSize, 5 * MiB);
    assert.equal(
      stored.expiresAt,
      START / 1000 + 8 * 86_400,
      'forgotten a day after lifecycle drops its parts',
    );
    assert.deepEqual(stored.source, {
      kind: 'upload',
      fileName: 'Holiday in Lisbon.mp4',
      size: 12 * MiB + 7,
      contentType: 'video/mp4',
    });
    assert.equal(s.multipart.uploads.get(stored.uploadId as string)?.key, stored.sourceKey);
    assert.ok(s.multipart.presigned.every((part) => part.key.startsWith('uploads/alice-sub/')));
  });

  it('hands out one page of 100 URLs for a large file and says where the next page starts', async () => {
    const s = setup();

    const { ticket } = await started(s, { size: 20 * GiB });

    assert.equal(ticket.partCount, 4096);
    assert.equal(ticket.parts.length, 100);
    assert.equal(ticket.parts.at(-1)?.partNumber, 100);
    assert.equal(ticket.nextPartNumber, 101);
  });

  it('says the URLs expire when the signing credentials do, if that comes first', async () => {
    const s = setup();
    s.multipart.credentialsExpireAt = new Date(START + 20 * 60 * 1000);

    const { ticket } = await started(s);

    assert.equal(ticket.expiresAt, '2026-11-21T10:20:00.000Z');
  });

  it('rejects a file over the size limit with 413 and the limit', async () => {
    const s = setup({ maxUploadBytes: 2 * GiB });

    const attempt = createUpload(s.deps, alice, request({ size: 2 * GiB + 1 }));

    await assert.rejects(attempt, (error: Error & { status: number; code: string; details: unknown }) => {
      assert.equal(error.status, 413);
      assert.equal(error.code, 'UPLOAD_TOO_LARGE');
      assert.match(error.message, /the largest upload is 2 GiB/);
      assert.deepEqual(error.details, { size: 2 * GiB + 1, maxBytes: 2 * GiB });
      return true;
    });
    assert.equal(s.catalog.items.size, 0);
    assert.equal(s.multipart.uploads.size, 0);
  });

  it('accepts a file of exactly the limit', async () => {
    const s = setup({ maxUploadBytes: 20 * GiB });

    const { ticket } = await started(s, { size: 20 * GiB });

    assert.equal(ticket.size, 20 * GiB);
  });

  it('rejects what is not a video with 415, saying what is accepted', async () => {
    const s = setup();

    const attempt = createUpload(s.deps, alice, request({ fileName: 'cat.png', contentType: 'image/png' }));

    const error = await rejection<{ accepted: typeof ACCEPTED_MEDIA }>(attempt);
    assert.equal(error.status, 415);
    assert.equal(error.code, 'UNSUPPORTED_MEDIA_TYPE');
    assert.match(
      error.message,
      /"cat\.png" \(image\/png\) is not a video or audio file we accept.*video\/\*.*audio\/\*.*\.mp4.*\.mp3/,
    );
    assert.deepEqual(error.details.accepted.contentTypes, ['video/*', 'audio/*']);
    assert.ok(error.details.accepted.extensions.includes('.mov'));
    assert.equal(s.catalog.items.size, 0);
  });

  it('stores a video with a known extension but a generic type with its video type', async () => {
    const s = setup();

    const { stored } = await started(s, { fileName: 'talk.webm', contentType: 'application/octet-stream' });

    assert.equal(stored.source.kind === 'upload' && stored.source.contentType, 'video/webm');
    assert.equal(s.multipart.uploads.get(stored.uploadId as string)?.contentType, 'video/webm');
  });

  it('frees the multipart upload when the catalog refuses the video', async () => {
    const s = setup();
    s.catalog.create = async () => {
      throw new Error('throttled');
    };

    await assert.rejects(createUpload(s.deps, alice, request()), /throttled/);

    assert.equal(s.multipart.uploads.size, 0);
    assert.equal(s.multipart.aborted.length, 1);
  });
});

describe('listUploadParts', () => {
  it('says which parts arrived and hands out fresh URLs only for the rest, an hour later', async () => {
    const s = setup();
    const { ticket, uploadId } = await started(s);
    const etag1 = s.multipart.receive(uploadId, 1, 5 * MiB);
    s.advance(65 * 60 * 1000);

    const progress = await listUploadParts(s.deps, alice, ticket.videoId, { fromPart: 1, urlCount: 100 });

    assert.deepEqual(progress.uploadedParts, [{ partNumber: 1, size: 5 * MiB, etag: etag1 }]);
    assert.equal(progress.uploadedBytes, 5 * MiB);
    assert.equal(progress.remainingParts, 2);
    assert.deepEqual(
      progress.parts.map((part) => part.partNumber),
      [2, 3],
    );
    assert.equal(progress.expiresAt, new Date(START + 125 * 60 * 1000).toISOString());
    assert.equal(progress.nextPartNumber, undefined);
  });

  it('treats a part that arrived with the wrong size as still to upload', async () => {
    const s = setup();
    const { ticket, uploadId } = await started(s);
    s.multipart.receive(uploadId, 1, 5 * MiB);
    s.multipart.receive(uploadId, 2, 4 * MiB);

    const progress = await listUploadParts(s.deps, alice, ticket.videoId, { fromPart: 1, urlCount: 100 });

    assert.deepEqual(
      progress.uploadedParts.map((part) => part.partNumber),
      [1],
    );
    assert.deepEqual(
      progress.parts.map((part) => part.partNumber),
      [2, 3],
    );
  });

  it('pages the URLs of missing parts from a part number', async () => {
    const s = setup();
    const { ticket, uploadId } = await started(s, { size: 20 * 5 * MiB });
    for (const partNumber of [1, 2, 5, 6]) s.multipart.receive(uploadId, partNumber, 5 * MiB);

    const first = await listUploadParts(s.deps, alice, ticket.videoId, { fromPart: 1, urlCount: 3 });
    const second = await listUploadParts(s.deps, alice, ticket.videoId, {
      fromPart: first.nextPartNumber as number,
      urlCount: 3,
    });
    const none = await listUploadParts(s.deps, alice, ticket.videoId, { fromPart: 1, urlCount: 0 });

    assert.deepEqual(
      first.parts.map((part) => part.partNumber),
      [3, 4, 7],
    );
    assert.equal(first.nextPartNumber, 8);
    assert.deepEqual(
      second.parts.map((part) => part.partNumber),
      [8, 9, 10],
    );
    assert.equal(second.nextPartNumber, 11);
    assert.deepEqual(none.parts, []);
    assert.equal(none.nextPartNumber, 3);
    assert.equal(none.remainingParts, 16);
  });

  it('answers 404 to anyone but the owner, as if the upload did not exist, and hands them no URL', async () => {
    const s = setup();
    const { ticket } = await started(s);
    const handedOut = s.multipart.presigned.length;

    await assert.rejects(listUploadParts(s.deps, mallory, ticket.videoId, { fromPart: 1, urlCount: 100 }), {
      status: 404,
      code: 'NOT_FOUND',
    });
    await assert.rejects(listUploadParts(s.deps, alice, 'no-such-video', { fromPart: 1, urlCount: 100 }), {
      status: 404,
      code: 'NOT_FOUND',
    });
    assert.equal(s.multipart.presigned.length, handedOut);
  });

  it('answers 409 once the upload is complete', async () => {
    const s = setup();
    const { ticket, uploadId } = await started(s, { size: 1000 });
    const etag = s.multipart.receive(uploadId, 1, 1000);
    await completeUpload(s.deps, alice, ticket.videoId, { parts: [{ partNumber: 1, etag }] });

    await assert.rejects(listUploadParts(s.deps, alice, ticket.videoId, { fromPart: 1, urlCount: 100 }), {
      status: 409,
      code: 'UPLOAD_NOT_IN_PROGRESS',
    });
  });

  it('answers 410 and marks the video FAILED when lifecycle aborted the upload', async () => {
    const s = setup();
    const { ticket, uploadId } = await started(s);
    s.multipart.uploads.delete(uploadId);

    await assert.rejects(listUploadParts(s.deps, alice, ticket.videoId, { fromPart: 1, urlCount: 100 }), {
      status: 410,
      code: 'UPLOAD_EXPIRED',
    });
    const video = await s.catalog.get(ticket.videoId);
    assert.equal(video?.status, 'FAILED');
    assert.equal(video?.failure?.code, 'UPLOAD_EXPIRED');
  });
});

describe('completeUpload', () => {
  async function fullyUploaded(s: ReturnType<typeof setup>) {
    const { ticket, uploadId, stored } = await started(s);
    const parts = [1, 2, 3].map((partNumber) => ({
      partNumber,
      etag: s.multipart.receive(uploadId, partNumber, partNumber < 3 ? 5 * MiB : 2 * MiB + 7),
    }));
    return { ticket, uploadId, stored, parts };
  }

  it('assembles the parts and marks the video UPLOADED, showing none of the bookkeeping', async () => {
    const s = setup();
    const { ticket, parts, stored } = await fullyUploaded(s);
    s.advance(1000);

    const video = await completeUpload(s.deps, alice, ticket.videoId, { parts });

    assert.equal(video.status, 'UPLOADED');
    assert.equal(video.updatedAt, new Date(START + 1000).toISOString());
    for (const hidden of ['sourceKey', 'uploadId', 'partSize', 'jobId'])
      assert.ok(!(hidden in video), hidden);
    assert.equal(s.multipart.objects.get(stored.sourceKey as string), 12 * MiB + 7);
  });

  it('accepts ETags without their quotes', async () => {
    const s = setup();
    const { ticket, parts } = await fullyUploaded(s);

    const video = await completeUpload(s.deps, alice, ticket.videoId, {
      parts: parts.map((part) => ({ ...part, etag: part.etag.replaceAll('"', '') })),
    });

    assert.equal(video.status, 'UPLOADED');
  });

  it('answers 400 UPLOAD_INCOMPLETE naming missing parts and wrong ETags, and changes nothing', async () => {
    const s = setup();
    const { ticket, uploadId } = await started(s);
    const etag1 = s.multipart.receive(uploadId, 1, 5 * MiB);
    s.multipart.receive(uploadId, 2, 5 * MiB);

    const attempt = completeUpload(s.deps, alice, ticket.videoId, {
      parts: [
        { partNumber: 1, etag: etag1 },
        { partNumber: 2, etag: '"0123456789abcdef0123456789abcdef"' },
      ],
    });

    const error = await rejection<PartCheck>(attempt);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'UPLOAD_INCOMPLETE');
    assert.deepEqual(error.details.missingParts, [3]);
    assert.deepEqual(
      error.details.etagMismatchParts.map((part: { partNumber: number }) => part.partNumber),
      [2],
    );
    assert.equal(error.details.receivedBytes, 10 * MiB);
    assert.equal(error.details.expectedBytes, 12 * MiB + 7);
    assert.match(error.message, /parts not uploaded yet: 3; parts whose ETag is not the uploaded one: 2/);
    assert.equal((await s.catalog.get(ticket.videoId))?.status, 'UPLOADING');
    assert.equal(s.multipart.uploads.has(uploadId), true);
  });

  it('refuses parts whose sizes do not add up to the declared size', async () => {
    const s = setup();
    const { ticket, uploadId } = await started(s);
    const parts = [1, 2, 3].map((partNumber) => ({
      partNumber,
      etag: s.multipart.receive(uploadId, partNumber, 5 * MiB),
    }));

    const error = await rejection<PartCheck>(completeUpload(s.deps, alice, ticket.videoId, { parts }));
    assert.equal(error.code, 'UPLOAD_INCOMPLETE');
    assert.deepEqual(error.details.wrongSizeParts, [
      { partNumber: 3, expectedSize: 2 * MiB + 7, size: 5 * MiB },
    ]);
  });

  it('returns the video again when the upload is already complete', async () => {
    const s = setup();
    const { ticket, parts } = await fullyUploaded(s);
    const first = await completeUpload(s.deps, alice, ticket.videoId, { parts });

    const again = await completeUpload(s.deps, alice, ticket.videoId, { parts });

    assert.deepEqual(again, first);
  });

  it('finishes the catalog side when S3 completed but the catalog never heard (a crash in between)', async () => {
    const s = setup();
    const { ticket, parts, uploadId, stored } = await fullyUploaded(s);
    await s.multipart.complete(stored.sourceKey as string, uploadId, parts);

    const video = await completeUpload(s.deps, alice, ticket.videoId, { parts });

    assert.equal(video.status, 'UPLOADED');
  });

  it('checks again and names the part when one changed between the check and S3 assembling it', async () => {
    const s = setup();
    const { ticket, parts, uploadId } = await fullyUploaded(s);
    const complete = s.multipart.complete.bind(s.multipart);
    s.multipart.complete = async (key, id, claimed) => {
      s.multipart.receive(uploadId, 2, 5 * MiB, 'uploaded again');
      return complete(key, id, claimed);
    };

    const error = await rejection<PartCheck>(completeUpload(s.deps, alice, ticket.videoId, { parts }));
    assert.equal(error.code, 'UPLOAD_INCOMPLETE');
    assert.deepEqual(
      error.details.etagMismatchParts.map((part: { partNumber: number }) => part.partNumber),
      [2],
    );
    assert.equal((await s.catalog.get(ticket.videoId))?.status, 'UPLOADING');
  });

  it('answers 404 to anyone but the owner and leaves the upload alone', async () => {
    const s = setup();
    const { ticket, parts, uploadId } = await fullyUploaded(s);

    await assert.rejects(completeUpload(s.deps, mallory, ticket.videoId, { parts }), {
      status: 404,
      code: 'NOT_FOUND',
    });
    assert.equal(s.multipart.uploads.has(uploadId), true);
    assert.equal((await s.catalog.get(ticket.videoId))?.status, 'UPLOADING');
  });
});

describe('abortUpload', () => {
  it('frees the parts and removes the video', async () => {
    const s = setup();
    const { ticket, uploadId } = await started(s);
    s.multipart.receive(uploadId, 1, 5 * MiB);

    await abortUpload(s.deps, alice, ticket.videoId);

    assert.equal(s.multipart.uploads.has(uploadId), false);
    assert.equal(await s.catalog.get(ticket.videoId), undefined);
  });

  it('removes the video when lifecycle already aborted the upload', async () => {
    const s = setup();
    const { ticket, uploadId } = await started(s);
    s.multipart.uploads.delete(uploadId);

    await abortUpload(s.deps, alice, ticket.videoId);

    assert.equal(await s.catalog.get(ticket.videoId), undefined);
  });

  it('answers 404 to anyone but the owner and leaves the upload alone', async () => {
    const s = setup();
    const { ticket, uploadId } = await started(s);

    await assert.rejects(abortUpload(s.deps, mallory, ticket.videoId), { status: 404, code: 'NOT_FOUND' });

    assert.equal(s.multipart.uploads.has(uploadId), true);
    assert.equal((await s.catalog.get(ticket.videoId))?.status, 'UPLOADING');
  });

  it('answers 409 after completion: a finished upload is deleted as a video', async () => {
    const s = setup();
    const { ticket, uploadId } = await started(s, { size: 10 });
    const etag = s.multipart.receive(uploadId, 1, 10);
    await completeUpload(s.deps, alice, ticket.videoId, { parts: [{ partNumber: 1, etag }] });

    await assert.rejects(abortUpload(s.deps, alice, ticket.videoId), {
      status: 409,
      code: 'UPLOAD_NOT_IN_PROGRESS',
    });
    assert.equal((await s.catalog.get(ticket.videoId))?.status, 'UPLOADED');
  });
});
