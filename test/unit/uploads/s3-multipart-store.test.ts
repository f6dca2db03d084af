import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListPartsCommand,
  NoSuchUpload,
  NotFound,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createUploadsS3Client, S3MultipartStore } from '../../../lambdas/uploads/s3-multipart-store.ts';

const KEY = 'uploads/alice/video-1/source.mp4';
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session-token' };

const client = createUploadsS3Client({ region: 'eu-west-1', credentials });
const s3 = mockClient(client);
const store = new S3MultipartStore(client, 'skycast-uploads');

const noSuchUpload = () =>
  new NoSuchUpload({ message: 'The specified upload does not exist.', $metadata: {} });
const s3Error = (name: string) =>
  new S3ServiceException({ name, $fault: 'client', message: name, $metadata: { httpStatusCode: 400 } });

describe('S3MultipartStore', () => {
  beforeEach(() => s3.reset());

  it('starts the upload with the content type', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });

    assert.equal(await store.start(KEY, 'video/mp4'), 'up-1');

    assert.deepEqual(s3.commandCalls(CreateMultipartUploadCommand)[0]?.args[0].input, {
      Bucket: 'skycast-uploads',
      Key: KEY,
      ContentType: 'video/mp4',
    });
  });

  it('lists every page of parts, following the part number marker', async () => {
    s3.on(ListPartsCommand, { PartNumberMarker: undefined }).resolves({
      Parts: [
        { PartNumber: 1, Size: 5, ETag: '"a"' },
        { PartNumber: 3, Size: 5, ETag: '"c"' },
      ],
      IsTruncated: true,
      NextPartNumberMarker: '3',
    });
    s3.on(ListPartsCommand, { PartNumberMarker: '3' }).resolves({
      Parts: [{ PartNumber: 4, Size: 2, ETag: '"d"' }],
      IsTruncated: false,
    });

    const parts = await store.listParts(KEY, 'up-1');

    assert.deepEqual(parts, [
      { partNumber: 1, size: 5, etag: '"a"' },
      { partNumber: 3, size: 5, etag: '"c"' },
      { partNumber: 4, size: 2, etag: '"d"' },
    ]);
    assert.equal(s3.commandCalls(ListPartsCommand).length, 2);
    assert.equal(s3.commandCalls(ListPartsCommand)[0]?.args[0].input.UploadId, 'up-1');
  });

  it('says undefined when S3 no longer knows the upload, and rethrows anything else', async () => {
    s3.on(ListPartsCommand).rejectsOnce(noSuchUpload()).rejectsOnce(s3Error('SlowDown'));

    assert.equal(await store.listParts(KEY, 'gone'), undefined);
    await assert.rejects(store.listParts(KEY, 'up-1'), { name: 'SlowDown' });
  });

  it('stops instead of looping when S3 keeps answering the same marker', async () => {
    s3.on(ListPartsCommand).resolves({ Parts: [], IsTruncated: true, NextPartNumberMarker: '7' });

    await assert.rejects(store.listParts(KEY, 'up-1'), /did not move past its marker/);
  });

  it('completes with the parts in part order', async () => {
    s3.on(CompleteMultipartUploadCommand).resolves({});

    const outcome = await store.complete(KEY, 'up-1', [
      { partNumber: 2, etag: '"b"' },
      { partNumber: 1, etag: '"a"' },
    ]);

    assert.equal(outcome, 'completed');
    assert.deepEqual(s3.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input.MultipartUpload, {
      Parts: [
        { PartNumber: 1, ETag: '"a"' },
        { PartNumber: 2, ETag: '"b"' },
      ],
    });
  });

  it('tells a vanished upload and a changed part apart from other failures when completing', async () => {
    s3.on(CompleteMultipartUploadCommand)
      .rejectsOnce(noSuchUpload())
      .rejectsOnce(s3Error('InvalidPart'))
      .rejectsOnce(s3Error('InternalError'));
    const parts = [{ partNumber: 1, etag: '"a"' }];

    assert.equal(await store.complete(KEY, 'up-1', parts), 'no-such-upload');
    assert.equal(await store.complete(KEY, 'up-1', parts), 'invalid-part');
    await assert.rejects(store.complete(KEY, 'up-1', parts), { name: 'InternalError' });
  });

  it('aborts, and says false when there was nothing left to abort', async () => {
    s3.on(AbortMultipartUploadCommand).resolvesOnce({}).rejectsOnce(noSuchUpload());

    assert.equal(await store.abort(KEY, 'up-1'), true);
    assert.equal(await store.abort(KEY, 'up-1'), false);
    assert.deepEqual(s3.commandCalls(AbortMultipartUploadCommand)[0]?.args[0].input, {
      Bucket: 'skycast-uploads',
      Key: KEY,
      UploadId: 'up-1',
    });
  });

  it("reads an object's size, and undefined when there is none", async () => {
    s3.on(HeadObjectCommand)
      .resolvesOnce({ ContentLength: 1234 })
      .rejectsOnce(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }))
      .rejectsOnce(
        new S3ServiceException({
          name: 'Forbidden',
          $fault: 'client',
          message: 'Forbidden',
          $metadata: { httpStatusCode: 403 },
        }),
      );

    assert.equal(await store.objectSize(KEY), 1234);
    assert.equal(await store.objectSize(KEY), undefined);
    await assert.rejects(store.objectSize(KEY), { name: 'Forbidden' });
  });
});

describe('S3MultipartStore presigned part URLs', () => {
  const signedAt = new Date('2026-11-21T10:00:00.000Z');

  it("sign an UploadPart of the owner's key for an hour, with no checksum pinned to an empty body", async () => {
    // The same client factory the function uses, never sent: presigning happens locally.
    const presigner = new S3MultipartStore(
      createUploadsS3Client({ region: 'eu-west-1', credentials }),
      'skycast-uploads',
    );

    const { parts, expiresAt } = await presigner.presignParts(KEY, 'up-1', [1, 2], {
      signedAt,
      seconds: 3600,
    });

    assert.deepEqual(
      parts.map((part) => part.partNumber),
      [1, 2],
    );
    assert.equal(expiresAt.toISOString(), '2026-11-21T11:00:00.000Z');
    for (const [index, part] of parts.entries()) {
      const url = new URL(part.url);
      assert.equal(url.origin, 'https://skycast-uploads.s3.eu-west-1.amazonaws.com');
      assert.equal(url.pathname, `/${KEY}`);
      assert.equal(url.searchParams.get('x-id'), 'UploadPart');
      assert.equal(url.searchParams.get('uploadId'), 'up-1');
      assert.equal(url.searchParams.get('partNumber'), String(index + 1));
      assert.equal(url.searchParams.get('X-Amz-Expires'), '3600');
      assert.equal(url.searchParams.get('X-Amz-Date'), '20261121T100000Z');
      assert.equal(url.searchParams.get('X-Amz-SignedHeaders'), 'host');
      assert.equal(url.searchParams.get('X-Amz-Security-Token'), 'session-token');
      const checksumParams = [...url.searchParams.keys()].filter((name) => /checksum/i.test(name));
      assert.deepEqual(checksumParams, [], 'a checksum in the URL would reject every real part');
    }
  });

  it('say they expire with the credentials that signed them when those end first', async () => {
    const expiration = new Date('2026-11-21T10:25:00.000Z');
    const presigner = new S3MultipartStore(
      createUploadsS3Client({ region: 'eu-west-1', credentials: { ...credentials, expiration } }),
      'skycast-uploads',
    );

    const { expiresAt } = await presigner.presignParts(KEY, 'up-1', [1], { signedAt, seconds: 3600 });

    assert.equal(expiresAt.toISOString(), expiration.toISOString());
  });
});
