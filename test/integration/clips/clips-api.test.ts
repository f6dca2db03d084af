/**
 * createClip and getClip against the emulator: the catalog in DynamoDB (a public clip is listed publicly at once),
 * the source's playlists read from S3, playback signed with the key in Secrets Manager.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { GlobalSignOutCommand } from '@aws-sdk/client-cognito-identity-provider';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { StoredVideo } from '../../../lambdas/catalog/video-catalog.ts';
import { DynamoVideoCatalog } from '../../../lambdas/catalog/video-store.ts';
import { documentClient } from '../../../lambdas/shared/dynamodb.ts';
import { emulatorClientConfig } from '../../../local/provision.ts';
import { createSignedInUser, type SignedInUser } from '../../support/accounts.ts';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.ts';
import { type Handler, invoke } from '../../support/lambda.ts';
import { IVS_MULTIVARIANT, IVS_RECORDING_720P, MEDIACONVERT_720P } from '../../unit/delivery/playlists.ts';

const MULTIVARIANT =
  '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=3605448,RESOLUTION=1280x720\nindex_720p.m3u8\n';

describe('createClip and getClip against the emulator', () => {
  let emulator: TestEmulator;
  let catalog: DynamoVideoCatalog;
  let s3: S3Client;
  let alice: SignedInUser;
  let bob: SignedInUser;
  let createClip: Handler;
  let getClip: Handler;
  let listVideos: Handler;
  let getVideo: Handler;

  before(async () => {
    emulator = await startTestEmulator();
    createClip = (await import('../../../lambdas/clips/create-clip.ts')).handler;
    getClip = (await import('../../../lambdas/clips/get-clip.ts')).handler;
    listVideos = (await import('../../../lambdas/catalog/list-videos.ts')).handler;
    getVideo = (await import('../../../lambdas/catalog/get-video.ts')).handler;
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

  const put = (bucket: 'media' | 'recordings', key: string, body: string) =>
    s3.send(new PutObjectCommand({ Bucket: emulator.resources.bucketNames[bucket], Key: key, Body: body }));

  async function source(overrides: Partial<StoredVideo> = {}): Promise<StoredVideo> {
    const videoId = randomUUID();
    const at = new Date().toISOString();
    const video: StoredVideo = {
      videoId,
      ownerId: alice.sub,
      title: 'Source',
      visibility: 'public',
      status: 'READY',
      source: { kind: 'upload', fileName: 'a.mp4', size: 1, contentType: 'video/mp4' },
      durationSeconds: 27.2,
      playbackPath: `videos/${videoId}/hls/index.m3u8`,
      renditions: [
        {
          name: '720p',
          width: 1280,
          height: 720,
          bitrate: 3_000_000,
          playlistPath: `videos/${videoId}/hls/index_720p.m3u8`,
        },
      ],
      createdAt: at,
      updatedAt: at,
      ...overrides,
    };
    await catalog.create(video);
    if (video.playbackPath?.startsWith('videos/')) {
      await put('media', video.playbackPath, MULTIVARIANT);
      await put('media', `videos/${videoId}/hls/index_720p.m3u8`, MEDIACONVERT_720P);
    }
    return video;
  }

  const cut = (user: SignedInUser, videoId: string, body: unknown) =>
    invoke(createClip, {
      method: 'POST',
      path: `/videos/${videoId}/clips`,
      routeKey: 'POST /videos/{videoId}/clips',
      token: user.accessToken,
      pathParameters: { videoId },
      body,
    });
  const read = (user: SignedInUser, clipId: string) =>
    invoke(getClip, {
      path: `/clips/${clipId}`,
      routeKey: 'GET /clips/{clipId}',
      token: user.accessToken,
      pathParameters: { clipId },
    });

  it("cuts another user's public video into a public clip that is listed publicly at once and plays", async () => {
    const video = await source();

    const created = await cut(bob, video.videoId, { title: 'Best bit', startSeconds: 7, endSeconds: 13 });

    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.ownerId, bob.sub);
    assert.equal(created.body.durationSeconds, 12);
    assert.equal(created.body.playbackPath, `videos/${video.videoId}/clips/7000-13000/index.m3u8`);
    assert.equal(created.body.playback.cookies[0].path, `/media/videos/${video.videoId}/`);
    const fetched = await read(alice, created.body.videoId);
    assert.equal(fetched.status, 200);
    assert.ok(fetched.body.playback);
    const listed = await invoke(listVideos, {
      path: '/videos',
      routeKey: 'GET /videos',
      token: alice.accessToken,
      query: { scope: 'public', limit: '50' },
    });
    assert.ok(listed.body.items.some((item: { videoId: string }) => item.videoId === created.body.videoId));
  });

  it('cuts a recording by its IVS keys in the recordings bucket', async () => {
    const prefix = `ivs/v1/123456789012/AbCdEf/2026/3/1/10/0/${randomUUID().slice(0, 12)}`;
    const video = await source({
      source: { kind: 'recording', channelArn: 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf' },
      durationSeconds: 10.5,
      playbackPath: `${prefix}/media/hls/master.m3u8`,
      renditions: undefined,
    });
    await put('recordings', `${prefix}/media/hls/master.m3u8`, IVS_MULTIVARIANT);
    for (const name of ['720p30', '480p30', '360p30']) {
      await put('recordings', `${prefix}/media/hls/${name}/playlist.m3u8`, IVS_RECORDING_720P);
    }

    const created = await cut(alice, video.videoId, { title: 'Reconnect', startSeconds: 4, endSeconds: 7 });

    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.playbackPath, `${prefix}/clips/4000-7000/index.m3u8`);
    assert.equal(created.body.playback.cookies[0].path, `/media/${prefix}/`);
  });

  it('answers bad input with 4xx and a code, and hides private sources', async () => {
    const video = await source({ visibility: 'private' });
    const outside = await cut(alice, video.videoId, { title: 'x', startSeconds: 20, endSeconds: 40 });
    assert.deepEqual([outside.status, outside.body.code], [400, 'INVALID_CLIP_RANGE']);
    const untitled = await cut(alice, video.videoId, { title: ' ', startSeconds: 1, endSeconds: 2 });
    assert.deepEqual([untitled.status, untitled.body.code], [400, 'VALIDATION_FAILED']);
    const open = await cut(alice, video.videoId, {
      title: 'x',
      startSeconds: 1,
      endSeconds: 2,
      visibility: 'public',
    });
    assert.deepEqual([open.status, open.body.code], [400, 'VISIBILITY_TOO_OPEN']);
    assert.equal((await cut(bob, video.videoId, { title: 'x', startSeconds: 1, endSeconds: 2 })).status, 404);
    const mine = await cut(alice, video.videoId, { title: 'x', startSeconds: 1, endSeconds: 2 });
    assert.equal(mine.status, 201);
    assert.equal((await read(bob, mine.body.videoId)).status, 404);
    assert.equal((await read(alice, video.videoId)).status, 404, 'a video is not a clip');
  });

  it('stores a denormal or over-precise range to the millisecond instead of failing on it', async () => {
    const video = await source();

    const created = await cut(alice, video.videoId, {
      title: 'From the top',
      startSeconds: 1e-320,
      endSeconds: 6.0004999,
    });

    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual([created.body.source.startSeconds, created.body.source.endSeconds], [0, 6]);
    assert.equal((await read(alice, created.body.videoId)).status, 200);
    const huge = await cut(alice, video.videoId, { title: 'x', startSeconds: 0, endSeconds: 1e300 });
    assert.deepEqual(
      [huge.status, huge.body.code, huge.body.details.issues[0].path, huge.body.details.issues[0].code],
      [400, 'VALIDATION_FAILED', 'body.endSeconds', 'TOO_BIG'],
    );
  });

  it('hands no playback to a token signed out with GlobalSignOut: getVideo, getClip and listVideos answer 401', async () => {
    const pool = { userPoolId: emulator.resources.userPoolId, clientId: emulator.resources.userPoolClientId };
    const carol = await createSignedInUser(emulator.cognito, pool);
    const video = await source();
    const clip = await cut(alice, video.videoId, { title: 'Watch this', startSeconds: 1, endSeconds: 5 });
    assert.equal(clip.status, 201, JSON.stringify(clip.body));
    const watch = () =>
      invoke(getVideo, {
        path: `/videos/${video.videoId}`,
        routeKey: 'GET /videos/{videoId}',
        token: carol.accessToken,
        pathParameters: { videoId: video.videoId },
      });
    const list = () =>
      invoke(listVideos, {
        path: '/videos',
        routeKey: 'GET /videos',
        token: carol.accessToken,
        query: { scope: 'public' },
      });
    const before = [await watch(), await read(carol, clip.body.videoId), await list()];
    assert.deepEqual(
      before.map((response) => response.status),
      [200, 200, 200],
    );
    assert.ok(before[0]?.body.playback, 'the genuine token gets playback (so the 401s below are earned)');

    await emulator.cognito.send(new GlobalSignOutCommand({ AccessToken: carol.accessToken }));

    const after = [await watch(), await read(carol, clip.body.videoId), await list()];
    assert.deepEqual(
      after.map((response) => [response.status, response.body.code]),
      [
        [401, 'UNAUTHORIZED'],
        [401, 'UNAUTHORIZED'],
        [401, 'UNAUTHORIZED'],
      ],
    );
    assert.equal(after[0]?.body.playback, undefined);
  });
});
