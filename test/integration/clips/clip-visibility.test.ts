/**
 * A clip is never more open than its source, also after the source narrows or is deleted: the repro of issue 11
 * (finding 1) through the handlers, against the emulator's DynamoDB, S3 and Secrets Manager.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { StoredVideo } from '../../../lambdas/catalog/video-catalog.ts';
import { DynamoVideoCatalog } from '../../../lambdas/catalog/video-store.ts';
import { documentClient } from '../../../lambdas/shared/dynamodb.ts';
import { emulatorClientConfig } from '../../../local/provision.ts';
import { createSignedInUser, type SignedInUser } from '../../support/accounts.ts';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.ts';
import { type Handler, invoke } from '../../support/lambda.ts';
import { MEDIACONVERT_720P } from '../../unit/delivery/playlists.ts';

const MULTIVARIANT =
  '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=3605448,RESOLUTION=1280x720\nindex_720p.m3u8\n';

describe('clips of a source that narrows or goes away, against the emulator', () => {
  let emulator: TestEmulator;
  let catalog: DynamoVideoCatalog;
  let s3: S3Client;
  let alice: SignedInUser;
  let bob: SignedInUser;
  let carol: SignedInUser;
  const handlers: Record<string, Handler> = {};

  before(async () => {
    emulator = await startTestEmulator();
    handlers.createClip = (await import('../../../lambdas/clips/create-clip.ts')).handler;
    handlers.getClip = (await import('../../../lambdas/clips/get-clip.ts')).handler;
    handlers.getVideo = (await import('../../../lambdas/catalog/get-video.ts')).handler;
    handlers.listVideos = (await import('../../../lambdas/catalog/list-videos.ts')).handler;
    handlers.updateVideo = (await import('../../../lambdas/catalog/update-video.ts')).handler;
    handlers.deleteVideo = (await import('../../../lambdas/catalog/delete-video.ts')).handler;
    catalog = new DynamoVideoCatalog(documentClient(), emulator.resources.tableName);
    s3 = new S3Client({
      ...emulatorClientConfig({ endpoint: emulator.endpoint, region: emulator.resources.region }),
      forcePathStyle: true,
    });
    const pool = { userPoolId: emulator.resources.userPoolId, clientId: emulator.resources.userPoolClientId };
    alice = await createSignedInUser(emulator.cognito, pool);
    bob = await createSignedInUser(emulator.cognito, pool);
    carol = await createSignedInUser(emulator.cognito, pool);
  });
  after(async () => {
    s3?.destroy();
    await emulator?.stop();
  });

  const put = (key: string, body: string) =>
    s3.send(new PutObjectCommand({ Bucket: emulator.resources.bucketNames.media, Key: key, Body: body }));

  /** Alice's public READY video with a poster, its playlists in the media bucket. */
  async function publicSource(): Promise<StoredVideo> {
    const videoId = randomUUID();
    const at = new Date().toISOString();
    const video: StoredVideo = {
      videoId,
      ownerId: alice.sub,
      title: 'Source',
      visibility: 'public',
      status: 'READY',
      source: { kind: 'upload', fileName: 'holiday.mp4', size: 1, contentType: 'video/mp4' },
      durationSeconds: 27.2,
      playbackPath: `videos/${videoId}/hls/index.m3u8`,
      posterPath: `videos/${videoId}/poster/poster.0000001.jpg`,
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
    };
    await catalog.create(video);
    await put(video.playbackPath as string, MULTIVARIANT);
    await put(`videos/${videoId}/hls/index_720p.m3u8`, MEDIACONVERT_720P);
    return video;
  }

  const cut = (user: SignedInUser, videoId: string, body: unknown) =>
    invoke(handlers.createClip as Handler, {
      method: 'POST',
      path: `/videos/${videoId}/clips`,
      routeKey: 'POST /videos/{videoId}/clips',
      token: user.accessToken,
      pathParameters: { videoId },
      body,
    });
  const readClip = (user: SignedInUser, clipId: string) =>
    invoke(handlers.getClip as Handler, {
      path: `/clips/${clipId}`,
      routeKey: 'GET /clips/{clipId}',
      token: user.accessToken,
      pathParameters: { clipId },
    });
  const readVideo = (user: SignedInUser, videoId: string) =>
    invoke(handlers.getVideo as Handler, {
      path: `/videos/${videoId}`,
      routeKey: 'GET /videos/{videoId}',
      token: user.accessToken,
      pathParameters: { videoId },
    });
  const change = (user: SignedInUser, videoId: string, body: unknown) =>
    invoke(handlers.updateVideo as Handler, {
      method: 'PATCH',
      path: `/videos/${videoId}`,
      routeKey: 'PATCH /videos/{videoId}',
      token: user.accessToken,
      pathParameters: { videoId },
      body,
    });
  const remove = (user: SignedInUser, videoId: string) =>
    invoke(handlers.deleteVideo as Handler, {
      method: 'DELETE',
      path: `/videos/${videoId}`,
      routeKey: 'DELETE /videos/{videoId}',
      token: user.accessToken,
      pathParameters: { videoId },
    });
  /** Every listed video of a scope, all pages. */
  async function listAll(user: SignedInUser, scope: 'public' | 'mine') {
    const items: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    do {
      const page = await invoke(handlers.listVideos as Handler, {
        path: '/videos',
        routeKey: 'GET /videos',
        token: user.accessToken,
        query: { scope, limit: '50', ...(cursor ? { cursor } : {}) },
      });
      assert.equal(page.status, 200, JSON.stringify(page.body));
      items.push(...page.body.items);
      cursor = page.body.cursor;
    } while (cursor);
    return items;
  }
  const ids = (items: Record<string, unknown>[]) => new Set(items.map((item) => item.videoId));

  it('narrows the clips of a source made private: not listed, not readable, no poster, no widening rename', async () => {
    const video = await publicSource();
    const own = await cut(alice, video.videoId, { title: 'Mine', startSeconds: 1, endSeconds: 5 });
    const bobs = await cut(bob, video.videoId, { title: 'Best bit', startSeconds: 7, endSeconds: 13 });
    assert.deepEqual([own.status, bobs.status], [201, 201], JSON.stringify([own.body, bobs.body]));
    assert.equal(bobs.body.visibility, 'public');
    const clipIds = [own.body.videoId, bobs.body.videoId];
    const listedBefore = await listAll(carol, 'public');
    assert.ok(
      clipIds.every((id) => ids(listedBefore).has(id)),
      'both clips are listed while the source is public',
    );

    const narrowed = await change(alice, video.videoId, { visibility: 'private' });

    assert.equal(narrowed.status, 200, JSON.stringify(narrowed.body));
    const listedAfter = await listAll(carol, 'public');
    assert.ok(!ids(listedAfter).has(video.videoId));
    for (const id of clipIds) {
      assert.ok(!ids(listedAfter).has(id), `clip ${id} is no longer listed publicly`);
      const read = await readClip(carol, id);
      assert.equal(read.status, 404, JSON.stringify(read.body));
      assert.equal((await readVideo(carol, id)).status, 404);
      assert.equal((await catalog.get(id))?.visibility, 'private', 'the stored clip is narrowed');
    }
    // Bob still has his clip, but nothing of the source he can no longer read: no playback, no poster.
    const bobsView = await readClip(bob, bobs.body.videoId);
    assert.equal(bobsView.status, 200);
    assert.equal(bobsView.body.playback, undefined);
    assert.equal(bobsView.body.posterPath, undefined);
    assert.equal(bobsView.body.renditions, undefined);
    const bobsListing = (await listAll(bob, 'mine')).find((item) => item.videoId === bobs.body.videoId);
    assert.ok(bobsListing, "Bob's clip is in his own listing");
    assert.equal(bobsListing.posterUrl, undefined, "no signed URL for a private source's poster");
    // Renaming does not re-open it, and asking for public is refused.
    const renamed = await change(bob, bobs.body.videoId, { title: 'Renamed' });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body.visibility, 'private');
    assert.ok(!ids(await listAll(carol, 'public')).has(bobs.body.videoId));
    const widened = await change(bob, bobs.body.videoId, { visibility: 'public' });
    assert.deepEqual([widened.status, widened.body.code], [400, 'VISIBILITY_TOO_OPEN']);
  });

  it('narrows public clips to unlisted when the source becomes unlisted, and keeps them readable', async () => {
    const video = await publicSource();
    const bobs = await cut(bob, video.videoId, { title: 'Best bit', startSeconds: 7, endSeconds: 13 });
    assert.equal(bobs.status, 201);

    assert.equal((await change(alice, video.videoId, { visibility: 'unlisted' })).status, 200);

    assert.ok(!ids(await listAll(carol, 'public')).has(bobs.body.videoId));
    const read = await readClip(carol, bobs.body.videoId);
    assert.equal(read.status, 200);
    assert.equal(read.body.visibility, 'unlisted');
    assert.ok(read.body.playback, 'an unlisted source still plays for anyone signed in');
    const reopened = await change(bob, bobs.body.videoId, { visibility: 'public' });
    assert.deepEqual([reopened.status, reopened.body.code], [400, 'VISIBILITY_TOO_OPEN']);
  });

  it('hides the clips of a deleted source from everyone but their owner', async () => {
    const video = await publicSource();
    const bobs = await cut(bob, video.videoId, { title: 'Best bit', startSeconds: 7, endSeconds: 13 });
    assert.equal(bobs.status, 201);

    assert.equal((await remove(alice, video.videoId)).status, 204);

    assert.ok(!ids(await listAll(carol, 'public')).has(bobs.body.videoId));
    assert.equal((await readClip(carol, bobs.body.videoId)).status, 404);
    assert.equal((await readClip(alice, bobs.body.videoId)).status, 404);
    const bobsView = await readClip(bob, bobs.body.videoId);
    assert.equal(bobsView.status, 200);
    assert.equal(bobsView.body.visibility, 'private');
    assert.equal(bobsView.body.playback, undefined);
    assert.equal(
      (await change(bob, bobs.body.videoId, { visibility: 'unlisted' })).body.code,
      'VISIBILITY_TOO_OPEN',
    );
    assert.equal((await remove(bob, bobs.body.videoId)).status, 204, 'the owner can still delete it');
  });

  it('narrows every clip of a source with more clips than one page or transaction holds', async () => {
    const video = await publicSource();
    const clips: string[] = [];
    for (let i = 0; i < 105; i++) {
      const created = await cut(i % 2 ? bob : carol, video.videoId, {
        title: `Clip ${i}`,
        startSeconds: 1,
        endSeconds: 5,
      });
      assert.equal(created.status, 201);
      clips.push(created.body.videoId);
    }

    assert.equal((await change(alice, video.videoId, { visibility: 'private' })).status, 200);

    const stored = await Promise.all(clips.map((id) => catalog.get(id)));
    assert.deepEqual(new Set(stored.map((clip) => clip?.visibility)), new Set(['private']));
    const listed = ids(await listAll(carol, 'public'));
    assert.ok(clips.every((id) => !listed.has(id)));
  });
});
