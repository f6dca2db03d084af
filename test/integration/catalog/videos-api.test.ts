import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { StoredVideo } from '../../../lambdas/catalog/video-catalog.ts';
import { DynamoVideoCatalog } from '../../../lambdas/catalog/video-store.ts';
import { documentClient } from '../../../lambdas/shared/dynamodb.ts';
import { emulatorClientConfig } from '../../../local/provision.ts';
import { createSignedInUser, type SignedInUser } from '../../support/accounts.ts';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.ts';
import { type Handler, invoke } from '../../support/lambda.ts';

const media = {
  durationSeconds: 30,
  playbackPath: 'hls/index.m3u8',
  renditions: [
    { name: '360p', width: 640, height: 360, bitrate: 700_000, playlistPath: 'hls/index_360p.m3u8' },
  ],
};

/** Runs `work` over `items`, `concurrency` at a time. */
async function inParallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<unknown>) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

describe('getVideo, listVideos and deleteVideo against the emulator', () => {
  let emulator: TestEmulator;
  let catalog: DynamoVideoCatalog;
  let s3: S3Client;
  let alice: SignedInUser;
  let bob: SignedInUser;
  let getVideo: Handler;
  let listVideos: Handler;
  let deleteVideo: Handler;

  before(async () => {
    emulator = await startTestEmulator();
    getVideo = (await import('../../../lambdas/catalog/get-video.ts')).handler;
    listVideos = (await import('../../../lambdas/catalog/list-videos.ts')).handler;
    deleteVideo = (await import('../../../lambdas/catalog/delete-video.ts')).handler;
    catalog = new DynamoVideoCatalog(documentClient(), emulator.resources.tableName);
    s3 = new S3Client({
      ...emulatorClientConfig({ endpoint: emulator.endpoint, region: emulator.resources.region }),
      forcePathStyle: true,
    });
    const pool = { userPoolId: emulator.resources.userPoolId, clientId: emulator.resources.userPoolClientId };
    alice = await createSignedInUser(emulator.cognito, pool);
    bob = await createSignedInUser(emulator.cognito, pool);
  });
  after(async () => {
    s3?.destroy();
    await emulator?.stop();
  });

  /** A video in the catalog, taken to READY the way the pipeline does. */
  async function readyVideo(owner: SignedInUser, overrides: Partial<StoredVideo> = {}): Promise<StoredVideo> {
    const videoId = randomUUID();
    const at = new Date().toISOString();
    const video: StoredVideo = {
      videoId,
      ownerId: owner.sub,
      title: `Video ${videoId.slice(0, 4)}`,
      visibility: 'private',
      status: 'UPLOADED',
      source: { kind: 'upload', fileName: 'a.mp4', size: 1000, contentType: 'video/mp4' },
      createdAt: at,
      updatedAt: at,
      sourceKey: `uploads/${owner.sub}/${videoId}/source.mp4`,
      ...overrides,
    };
    await catalog.create(video);
    await catalog.recordJob(videoId, `job-${videoId}`, at);
    const prefix = `videos/${videoId}`;
    await catalog.markReady(
      videoId,
      `job-${videoId}`,
      {
        ...media,
        playbackPath: `${prefix}/${media.playbackPath}`,
        renditions: media.renditions.map((r) => ({ ...r, playlistPath: `${prefix}/${r.playlistPath}` })),
      },
      at,
    );
    return video;
  }

  const get = (user: SignedInUser, videoId: string) =>
    invoke(getVideo, {
      path: `/videos/${videoId}`,
      routeKey: 'GET /videos/{videoId}',
      token: user.accessToken,
      pathParameters: { videoId },
    });
  const list = (user: SignedInUser, query: Record<string, string>) =>
    invoke(listVideos, { path: '/videos', routeKey: 'GET /videos', token: user.accessToken, query });
  const remove = (user: SignedInUser, videoId: string) =>
    invoke(deleteVideo, {
      method: 'DELETE',
      path: `/videos/${videoId}`,
      routeKey: 'DELETE /videos/{videoId}',
      token: user.accessToken,
      pathParameters: { videoId },
    });

  it('shows private videos to their owner only, public and unlisted ones to anyone signed in', async () => {
    const secret = await readyVideo(alice);
    const shared = await readyVideo(alice, { visibility: 'unlisted' });
    const open = await readyVideo(alice, { visibility: 'public' });

    const own = await get(alice, secret.videoId);
    assert.equal(own.status, 200);
    assert.equal(own.body.status, 'READY');
    assert.equal(own.body.playbackPath, `videos/${secret.videoId}/${media.playbackPath}`);
    // Signed with the key in the emulator's Secrets Manager, for this video's prefix only.
    assert.equal(own.body.playback.url, `${emulator.env.MEDIA_URL}/${own.body.playbackPath}`);
    assert.deepEqual(
      own.body.playback.cookies.map((cookie: { name: string; path: string }) => [cookie.name, cookie.path]),
      ['CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id'].map((name) => [
        name,
        `/media/videos/${secret.videoId}/`,
      ]),
    );
    for (const hidden of ['sourceKey', 'uploadId', 'jobId', 'partSize'])
      assert.ok(!(hidden in own.body), hidden);

    const strangerOnSecret = await get(bob, secret.videoId);
    const strangerOnMissing = await get(bob, randomUUID());
    assert.equal(strangerOnSecret.status, 404);
    assert.deepEqual(
      { ...strangerOnSecret.body, requestId: undefined },
      { ...strangerOnMissing.body, requestId: undefined },
      'a private video looks exactly like a missing one',
    );
    assert.equal((await get(bob, shared.videoId)).status, 200);
    assert.equal((await get(bob, open.videoId)).status, 200);
  });

  it("shows an upload's original file name and a video still in progress to its owner only", async () => {
    const ready = await readyVideo(alice, { visibility: 'public' });
    const at = new Date().toISOString();
    const inProgress: StoredVideo = {
      videoId: randomUUID(),
      ownerId: alice.sub,
      title: 'Still uploading',
      visibility: 'public',
      status: 'UPLOADING',
      source: { kind: 'upload', fileName: 'secret-plans.mp4', size: 1000, contentType: 'video/mp4' },
      createdAt: at,
      updatedAt: at,
    };
    await catalog.create(inProgress);

    const ownView = await get(alice, ready.videoId);
    const otherView = await get(bob, ready.videoId);
    assert.equal(ownView.body.source.fileName, 'a.mp4');
    assert.equal(otherView.status, 200);
    assert.deepEqual(otherView.body.source, { kind: 'upload', size: 1000, contentType: 'video/mp4' });
    const listed = [];
    let cursor: string | undefined;
    do {
      const page = await list(bob, { scope: 'public', limit: '50', ...(cursor ? { cursor } : {}) });
      listed.push(...page.body.items);
      cursor = page.body.cursor;
    } while (cursor);
    assert.ok(listed.every((video: { source: object }) => !('fileName' in video.source)));
    assert.ok(!listed.some((video: { videoId: string }) => video.videoId === inProgress.videoId));
    const unfinished = await get(bob, inProgress.videoId);
    assert.equal(unfinished.status, 404, 'a video not READY yet does not exist for anyone else');
    assert.equal((await get(alice, inProgress.videoId)).body.status, 'UPLOADING');
  });

  it('lists my videos page by page, public ones for everyone, and refuses cursors it did not hand out', async () => {
    const carol = await createSignedInUser(emulator.cognito, {
      userPoolId: emulator.resources.userPoolId,
      clientId: emulator.resources.userPoolClientId,
    });
    const mine: StoredVideo[] = [];
    for (let i = 0; i < 5; i++) {
      mine.push(
        await readyVideo(carol, {
          createdAt: `2026-11-21T10:00:0${i}.000Z`,
          visibility: i % 2 === 0 ? 'public' : 'private',
        }),
      );
    }

    const first = await list(carol, { scope: 'mine', limit: '3' });
    const second = await list(carol, { limit: '3', cursor: first.body.cursor });
    assert.equal(first.status, 200);
    assert.deepEqual(
      [...first.body.items, ...second.body.items].map((v: { videoId: string }) => v.videoId),
      mine.map((v) => v.videoId).reverse(),
    );
    assert.equal(second.body.cursor, undefined);
    assert.ok(first.body.items.every((v: object) => !('sourceKey' in v) && !('jobId' in v)));

    const publicIds = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await list(bob, { scope: 'public', limit: '50', ...(cursor ? { cursor } : {}) });
      for (const video of page.body.items) publicIds.add(video.videoId);
      cursor = page.body.cursor;
    } while (cursor);
    assert.deepEqual(
      mine.filter((v) => publicIds.has(v.videoId)).map((v) => v.visibility),
      ['public', 'public', 'public'],
    );

    for (const [who, query] of [
      [carol, { cursor: 'bm90IGEgY3Vyc29y' }],
      [carol, { cursor: Buffer.from('[1,2]').toString('base64url') }],
      [bob, { scope: 'mine', cursor: first.body.cursor }],
      [carol, { scope: 'public', cursor: first.body.cursor }],
    ] as const) {
      const response = await list(who, query);
      assert.deepEqual([response.status, response.body.code], [400, 'INVALID_CURSOR'], JSON.stringify(query));
    }
  });

  it('deletes a video with all its media and its original, and nothing of any other video', async () => {
    const video = await readyVideo(alice);
    const neighbour = await readyVideo(alice);
    const mediaBucket = emulator.resources.bucketNames.media;
    const uploadsBucket = emulator.resources.bucketNames.uploads;
    // More than one ListObjectsV2 page (1,000 keys), so the deletion has to page.
    const keys = Array.from({ length: 1003 }, (_, i) => `videos/${video.videoId}/hls/segment_${i}.ts`);
    keys.push(`videos/${video.videoId}/poster/poster.jpg`);
    await inParallel(keys, 16, (Key) =>
      s3.send(new PutObjectCommand({ Bucket: mediaBucket, Key, Body: 'x' })),
    );
    const neighbourKey = `videos/${neighbour.videoId}/hls/index.m3u8`;
    await s3.send(new PutObjectCommand({ Bucket: mediaBucket, Key: neighbourKey, Body: '#EXTM3U' }));
    await s3.send(new PutObjectCommand({ Bucket: uploadsBucket, Key: video.sourceKey, Body: 'original' }));
    await s3.send(
      new PutObjectCommand({ Bucket: uploadsBucket, Key: neighbour.sourceKey, Body: 'original' }),
    );
    const keysUnder = async (bucket: string, prefix: string) => {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return page.KeyCount ?? 0;
    };

    const strangerAttempt = await remove(bob, video.videoId);
    assert.equal(strangerAttempt.status, 404);
    assert.equal(await keysUnder(mediaBucket, `videos/${video.videoId}/`), 1000);

    const deleted = await remove(alice, video.videoId);

    assert.deepEqual([deleted.status, deleted.body], [204, undefined]);
    assert.equal(await keysUnder(mediaBucket, `videos/${video.videoId}/`), 0);
    assert.equal(await keysUnder(uploadsBucket, video.sourceKey as string), 0);
    assert.equal((await get(alice, video.videoId)).status, 404);
    assert.equal((await remove(alice, video.videoId)).status, 404);
    // The other video keeps everything.
    assert.equal(await keysUnder(mediaBucket, neighbourKey), 1);
    assert.equal(await keysUnder(uploadsBucket, neighbour.sourceKey as string), 1);
    assert.equal((await get(alice, neighbour.videoId)).status, 200);
  });

  it("answers 403 to someone deleting another user's public video, and leaves it", async () => {
    const video = await readyVideo(alice, { visibility: 'public' });

    const attempt = await remove(bob, video.videoId);

    assert.deepEqual([attempt.status, attempt.body.code], [403, 'FORBIDDEN']);
    assert.equal((await get(bob, video.videoId)).status, 200);
  });
});
