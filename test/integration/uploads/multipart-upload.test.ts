import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { emulatorClientConfig } from '../../../local/provision.ts';
import { createSignedInUser, type SignedInUser } from '../../support/accounts.ts';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.ts';
import { type Handler, invoke } from '../../support/lambda.ts';

const MiB = 1024 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('uploads, end to end against the emulator', () => {
  let emulator: TestEmulator;
  let s3: S3Client;
  let alice: SignedInUser;
  let mallory: SignedInUser;
  const handlers = {} as Record<
    'createUpload' | 'listUploadParts' | 'completeUpload' | 'abortUpload' | 'getVideo' | 'deleteVideo',
    Handler
  >;

  before(async () => {
    emulator = await startTestEmulator();
    // Like Lambda: the environment is in place before the handler modules load and initialise.
    handlers.createUpload = (await import('../../../lambdas/uploads/create-upload.ts')).handler;
    handlers.listUploadParts = (await import('../../../lambdas/uploads/list-upload-parts.ts')).handler;
    handlers.completeUpload = (await import('../../../lambdas/uploads/complete-upload.ts')).handler;
    handlers.abortUpload = (await import('../../../lambdas/uploads/abort-upload.ts')).handler;
    handlers.getVideo = (await import('../../../lambdas/catalog/get-video.ts')).handler;
    handlers.deleteVideo = (await import('../../../lambdas/catalog/delete-video.ts')).handler;
    s3 = new S3Client({
      ...emulatorClientConfig({ endpoint: emulator.endpoint, region: emulator.resources.region }),
      forcePathStyle: true,
    });
    const pool = { userPoolId: emulator.resources.userPoolId, clientId: emulator.resources.userPoolClientId };
    alice = await createSignedInUser(emulator.cognito, pool);
    mallory = await createSignedInUser(emulator.cognito, pool);
  });
  after(async () => {
    s3?.destroy();
    await emulator?.stop();
  });

  const uploadsBucket = () => emulator.resources.bucketNames.uploads;

  const createUpload = (token: string, body: unknown) =>
    invoke(handlers.createUpload, {
      method: 'POST',
      path: '/uploads',
      routeKey: 'POST /uploads',
      token,
      body,
    });
  const listUploadParts = (token: string, videoId: string, query?: Record<string, string>) =>
    invoke(handlers.listUploadParts, {
      path: `/uploads/${videoId}/parts`,
      routeKey: 'GET /uploads/{videoId}/parts',
      token,
      pathParameters: { videoId },
      ...(query ? { query } : {}),
    });
  const completeUpload = (token: string, videoId: string, parts: { partNumber: number; etag: string }[]) =>
    invoke(handlers.completeUpload, {
      method: 'POST',
      path: `/uploads/${videoId}/complete`,
      routeKey: 'POST /uploads/{videoId}/complete',
      token,
      pathParameters: { videoId },
      body: { parts },
    });
  const abortUpload = (token: string, videoId: string) =>
    invoke(handlers.abortUpload, {
      method: 'DELETE',
      path: `/uploads/${videoId}`,
      routeKey: 'DELETE /uploads/{videoId}',
      token,
      pathParameters: { videoId },
    });
  const getVideo = (token: string, videoId: string) =>
    invoke(handlers.getVideo, {
      path: `/videos/${videoId}`,
      routeKey: 'GET /videos/{videoId}',
      token,
      pathParameters: { videoId },
    });

  /** PUTs one part to its presigned URL as a browser would, and returns the ETag S3 answered with. */
  async function putPart(url: string, bytes: Uint8Array): Promise<string> {
    const response = await fetch(url, { method: 'PUT', body: bytes as Uint8Array<ArrayBuffer> });
    assert.equal(response.status, 200, await response.text());
    const etag = response.headers.get('etag');
    assert.ok(etag, 'S3 answers a part with its ETag');
    return etag;
  }

  const slice = (file: Buffer, partSize: number, partNumber: number) =>
    file.subarray((partNumber - 1) * partSize, partNumber * partSize);

  it('uploads a file in parts through presigned URLs, resumes after an interruption and completes', async () => {
    const file = randomBytes(11 * MiB + 12_345);

    const created = await createUpload(alice.accessToken, {
      fileName: 'Ride to Sintra.mp4',
      size: file.length,
      contentType: 'video/mp4',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const ticket = created.body;
    assert.deepEqual([ticket.partSize, ticket.partCount, ticket.parts.length], [5 * MiB, 3, 3]);
    const firstUrl = new URL(ticket.parts[0].url);
    assert.equal(firstUrl.origin, emulator.endpoint);
    assert.ok(firstUrl.pathname.endsWith(`/uploads/${alice.sub}/${ticket.videoId}/source.mp4`));
    assert.ok(Date.parse(ticket.expiresAt) > Date.now() + 55 * 60 * 1000);

    // The first part goes up; then the connection drops and the page is reloaded.
    const etag1 = await putPart(ticket.parts[0].url, slice(file, ticket.partSize, 1));

    const progress = await listUploadParts(alice.accessToken, ticket.videoId);
    assert.equal(progress.status, 200, JSON.stringify(progress.body));
    assert.deepEqual(progress.body.uploadedParts, [{ partNumber: 1, size: 5 * MiB, etag: etag1 }]);
    assert.equal(progress.body.uploadedBytes, 5 * MiB);
    assert.equal(progress.body.remainingParts, 2);
    assert.deepEqual(
      progress.body.parts.map((part: { partNumber: number }) => part.partNumber),
      [2, 3],
    );

    // Resume with the fresh URLs.
    const etags = new Map([[1, etag1]]);
    for (const part of progress.body.parts as { partNumber: number; url: string }[]) {
      etags.set(part.partNumber, await putPart(part.url, slice(file, ticket.partSize, part.partNumber)));
    }
    const parts = [...etags].map(([partNumber, etag]) => ({ partNumber, etag }));

    const wrong = await completeUpload(alice.accessToken, ticket.videoId, [
      parts[0]!,
      { partNumber: 2, etag: '"00000000000000000000000000000000"' },
      parts[2]!,
    ]);
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.code, 'UPLOAD_INCOMPLETE');
    assert.deepEqual(
      wrong.body.details.etagMismatchParts.map((part: { partNumber: number }) => part.partNumber),
      [2],
    );
    assert.equal((await getVideo(alice.accessToken, ticket.videoId)).body.status, 'UPLOADING');

    const completed = await completeUpload(alice.accessToken, ticket.videoId, parts);
    assert.equal(completed.status, 200, JSON.stringify(completed.body));
    assert.equal(completed.body.status, 'UPLOADED');
    assert.equal(completed.body.visibility, 'private');
    assert.equal(completed.body.title, 'Ride to Sintra');
    for (const hidden of ['sourceKey', 'uploadId', 'partSize', 'jobId'])
      assert.ok(!(hidden in completed.body));

    const key = `uploads/${alice.sub}/${ticket.videoId}/source.mp4`;
    const head = await s3.send(new HeadObjectCommand({ Bucket: uploadsBucket(), Key: key }));
    assert.equal(head.ContentLength, file.length);
    assert.equal(head.ContentType, 'video/mp4');
    const stored = await s3.send(new GetObjectCommand({ Bucket: uploadsBucket(), Key: key }));
    assert.equal(
      sha256(await (stored.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()),
      sha256(file),
    );

    const again = await completeUpload(alice.accessToken, ticket.videoId, parts);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, completed.body);
    const afterwards = await listUploadParts(alice.accessToken, ticket.videoId);
    assert.deepEqual([afterwards.status, afterwards.body.code], [409, 'UPLOAD_NOT_IN_PROGRESS']);
  });

  it('refuses a completion whose parts do not add up to the declared size', async () => {
    const created = await createUpload(alice.accessToken, { fileName: 'short.mov', size: 7 * MiB });
    const ticket = created.body;
    // The client sends less than it declared for the last part.
    const etag1 = await putPart(ticket.parts[0].url, randomBytes(5 * MiB));
    const etag2 = await putPart(ticket.parts[1].url, randomBytes(MiB));

    const response = await completeUpload(alice.accessToken, ticket.videoId, [
      { partNumber: 1, etag: etag1 },
      { partNumber: 2, etag: etag2 },
    ]);

    assert.equal(response.status, 400);
    assert.equal(response.body.code, 'UPLOAD_INCOMPLETE');
    assert.deepEqual(response.body.details.wrongSizeParts, [
      { partNumber: 2, expectedSize: 2 * MiB, size: MiB },
    ]);
    assert.deepEqual(
      [response.body.details.receivedBytes, response.body.details.expectedBytes],
      [6 * MiB, 7 * MiB],
    );
  });

  it("never lets another user list, complete, abort or see someone's private upload", async () => {
    const created = await createUpload(alice.accessToken, { fileName: 'diary.mp4', size: 1000 });
    const { videoId, parts } = created.body;
    const etag = await putPart(parts[0].url, randomBytes(1000));

    const attempts = [
      await listUploadParts(mallory.accessToken, videoId),
      await completeUpload(mallory.accessToken, videoId, [{ partNumber: 1, etag }]),
      await abortUpload(mallory.accessToken, videoId),
      await getVideo(mallory.accessToken, videoId),
    ];

    for (const attempt of attempts) assert.deepEqual([attempt.status, attempt.body.code], [404, 'NOT_FOUND']);
    // Nothing happened to it: the owner still completes it.
    const completed = await completeUpload(alice.accessToken, videoId, [{ partNumber: 1, etag }]);
    assert.equal(completed.body.status, 'UPLOADED');
  });

  it('aborts an upload: its parts are freed and the video is gone', async () => {
    const created = await createUpload(alice.accessToken, { fileName: 'outtake.webm', size: 6 * MiB });
    const { videoId, parts } = created.body;
    await putPart(parts[0].url, randomBytes(5 * MiB));
    const key = `uploads/${alice.sub}/${videoId}/source.webm`;
    const open = async () =>
      ((await s3.send(new ListMultipartUploadsCommand({ Bucket: uploadsBucket() }))).Uploads ?? []).filter(
        (upload) => upload.Key === key,
      );
    assert.equal((await open()).length, 1);

    const aborted = await abortUpload(alice.accessToken, videoId);

    assert.deepEqual([aborted.status, aborted.body], [204, undefined]);
    assert.deepEqual(await open(), []);
    assert.equal((await getVideo(alice.accessToken, videoId)).status, 404);
    assert.equal((await listUploadParts(alice.accessToken, videoId)).status, 404);
    assert.equal((await abortUpload(alice.accessToken, videoId)).status, 404);
  });

  it('deletes a video whose upload is still in progress, aborting the upload', async () => {
    const created = await createUpload(alice.accessToken, { fileName: 'half.mp4', size: 6 * MiB });
    const { videoId, parts } = created.body;
    await putPart(parts[0].url, randomBytes(5 * MiB));

    const deleted = await invoke(handlers.deleteVideo, {
      method: 'DELETE',
      path: `/videos/${videoId}`,
      routeKey: 'DELETE /videos/{videoId}',
      token: alice.accessToken,
      pathParameters: { videoId },
    });

    assert.equal(deleted.status, 204);
    const uploads =
      (await s3.send(new ListMultipartUploadsCommand({ Bucket: uploadsBucket() }))).Uploads ?? [];
    assert.deepEqual(
      uploads.filter((upload) => upload.Key?.includes(videoId)),
      [],
    );
    assert.equal((await getVideo(alice.accessToken, videoId)).status, 404);
  });
});
