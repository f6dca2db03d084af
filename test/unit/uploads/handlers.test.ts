import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { GiB, MiB } from '#contract/part-plan.ts';
import type { HttpDeps } from '../../../lambdas/shared/http.ts';
import { logger } from '../../../lambdas/shared/logger.ts';
import type { UploadsDeps } from '../../../lambdas/uploads/upload.ts';
import { userIdTokens } from '../../support/http-deps.ts';
import { type Handler, invoke } from '../../support/lambda.ts';
import { InMemoryVideoCatalog } from '../catalog/in-memory.ts';
import { inMemoryQuotas } from '../shared/in-memory-quotas.ts';
import { InMemoryMultipartStore } from './in-memory.ts';

const http = userIdTokens;

describe('upload handlers at the API edge', () => {
  let catalog: InMemoryVideoCatalog;
  let multipart: InMemoryMultipartStore;
  let createUpload: Handler;
  let listUploadParts: Handler;
  let completeUpload: Handler;
  let abortUpload: Handler;

  before(async () => {
    // The modules also build their default handler at load, as Lambda would: give them an environment.
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      USER_POOL_ID: 'eu-west-1_example',
      USER_POOL_CLIENT_ID: 'client',
      CATALOG_TABLE_NAME: 'catalog',
      UPLOADS_BUCKET_NAME: 'uploads',
    });
    catalog = new InMemoryVideoCatalog();
    multipart = new InMemoryMultipartStore();
    const deps: HttpDeps & UploadsDeps = {
      ...http,
      catalog,
      multipart,
      maxUploadBytes: 20 * GiB,
      ...inMemoryQuotas(),
    };
    createUpload = (await import('../../../lambdas/uploads/create-upload.ts')).createHandler(deps);
    listUploadParts = (await import('../../../lambdas/uploads/list-upload-parts.ts')).createHandler(deps);
    completeUpload = (await import('../../../lambdas/uploads/complete-upload.ts')).createHandler(deps);
    abortUpload = (await import('../../../lambdas/uploads/abort-upload.ts')).createHandler(deps);
  });

  const create = (body: unknown, token = 'user-alice') =>
    invoke(createUpload, { method: 'POST', path: '/uploads', routeKey: 'POST /uploads', token, body });

  it('answers 201 with the ticket, private by default', async () => {
    const response = await create({ fileName: 'talk.mkv', size: 11 * MiB });

    assert.equal(response.status, 201);
    assert.equal(response.body.partCount, 3);
    assert.equal(catalog.items.get(response.body.videoId)?.visibility, 'private');
  });

  for (const [why, body, path, message] of [
    ['an empty file', { fileName: 'a.mp4', size: 0, contentType: 'video/mp4' }, 'body.size', /empty/],
    ['a size that is not whole bytes', { fileName: 'a.mp4', size: 1.5 }, 'body.size', /whole number/],
    [
      'a file name with a folder',
      { fileName: '../etc/a.mp4', size: 10 },
      'body.fileName',
      /without its folder/,
    ],
    [
      'a file name with a control character',
      { fileName: 'a\u0000.mp4', size: 10 },
      'body.fileName',
      /control/,
    ],
    ['a blank file name', { fileName: '   ', size: 10 }, 'body.fileName', /name of the file/],
    ['an unknown visibility', { fileName: 'a.mp4', size: 10, visibility: 'friends' }, 'body.visibility', /./],
    ['an unknown field', { fileName: 'a.mp4', size: 10, owner: 'someone-else' }, 'body', /owner/],
  ] as const) {
    it(`answers 400 VALIDATION_FAILED to ${why}, naming the field`, async () => {
      const response = await create(body);

      assert.equal(response.status, 400);
      assert.equal(response.body.code, 'VALIDATION_FAILED');
      assert.equal(response.body.details.issues[0].path, path);
      assert.match(response.body.details.issues[0].message, message);
    });
  }

  it('answers 413 UPLOAD_TOO_LARGE and 415 UNSUPPORTED_MEDIA_TYPE with their codes', async () => {
    const tooLarge = await create({ fileName: 'a.mp4', size: 20 * GiB + 1, contentType: 'video/mp4' });
    const notVideo = await create({ fileName: 'a.gif', size: 10, contentType: 'image/gif' });

    assert.deepEqual([tooLarge.status, tooLarge.body.code], [413, 'UPLOAD_TOO_LARGE']);
    assert.deepEqual([notVideo.status, notVideo.body.code], [415, 'UNSUPPORTED_MEDIA_TYPE']);
    assert.ok(notVideo.body.details.accepted.extensions.includes('.mp4'));
  });

  it('validates the parts query and the completion body', async () => {
    const { body: ticket } = await create({ fileName: 'a.mp4', size: 10, contentType: 'video/mp4' });
    const path = `/uploads/${ticket.videoId}/parts`;

    const tooMany = await invoke(listUploadParts, {
      path,
      routeKey: 'GET /uploads/{videoId}/parts',
      token: 'user-alice',
      pathParameters: { videoId: ticket.videoId },
      query: { urlCount: '501' },
    });
    const twice = await invoke(completeUpload, {
      method: 'POST',
      path: `/uploads/${ticket.videoId}/complete`,
      routeKey: 'POST /uploads/{videoId}/complete',
      token: 'user-alice',
      pathParameters: { videoId: ticket.videoId },
      body: {
        parts: [
          { partNumber: 1, etag: '"a"' },
          { partNumber: 1, etag: '"b"' },
        ],
      },
    });

    assert.deepEqual([tooMany.status, tooMany.body.details.issues[0].path], [400, 'query.urlCount']);
    assert.deepEqual(
      [twice.status, twice.body.details.issues[0].message],
      [400, 'Name each part number once.'],
    );
  });

  it('never writes a part URL, or anything of its signature, to the log', async () => {
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const level = logger.getLevelName();
    logger.setLogLevel('DEBUG');
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      written.push(String(chunk));
      return write(chunk, ...rest);
    }) as typeof process.stdout.write;
    try {
      const { body: ticket } = await create({ fileName: 'a.mp4', size: 10, contentType: 'video/mp4' });
      await invoke(listUploadParts, {
        path: `/uploads/${ticket.videoId}/parts`,
        routeKey: 'GET /uploads/{videoId}/parts',
        token: 'user-alice',
        pathParameters: { videoId: ticket.videoId },
      });
    } finally {
      process.stdout.write = write;
      logger.setLogLevel(level);
    }

    const log = written.join('');
    assert.match(log, /"message":"upload started"/, 'the log was captured');
    assert.doesNotMatch(log, /uploads\.example|partNumber=|X-Amz-Signature/);
  });

  it('answers 204 with no body to an abort, and 404 to someone else', async () => {
    const { body: ticket } = await create({ fileName: 'a.mp4', size: 10, contentType: 'video/mp4' });
    const abort = (token: string) =>
      invoke(abortUpload, {
        method: 'DELETE',
        path: `/uploads/${ticket.videoId}`,
        routeKey: 'DELETE /uploads/{videoId}',
        token,
        pathParameters: { videoId: ticket.videoId },
      });

    const stranger = await abort('user-mallory');
    const owner = await abort('user-alice');

    assert.deepEqual([stranger.status, stranger.body.code], [404, 'NOT_FOUND']);
    assert.deepEqual([owner.status, owner.body], [204, undefined]);
  });
});
