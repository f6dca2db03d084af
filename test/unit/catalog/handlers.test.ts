import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as operations from '#contract/catalog.ts';
import { Video, WatchableVideo } from '#contract/catalog.ts';

import { userIdTokens } from '../../support/http-deps.ts';
import { type Handler, invoke } from '../../support/lambda.ts';
import { testPlaybackIssuer } from '../../support/playback.ts';
import { InMemoryVideoCatalog } from './in-memory.ts';

const http = userIdTokens;

describe('catalog handlers at the API edge', () => {
  const catalog = new InMemoryVideoCatalog();
  let listVideos: Handler;
  let getVideo: Handler;
  let updateVideo: Handler;

  before(async () => {
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      USER_POOL_ID: 'eu-west-1_example',
      USER_POOL_CLIENT_ID: 'client',
      CATALOG_TABLE_NAME: 'catalog',
      PLAYBACK_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:playback-key',
      PLAYBACK_KEY_PAIR_ID: 'KTESTPLAYBACK1',
      MEDIA_URL: 'https://media.test',
    });
    listVideos = (await import('../../../lambdas/catalog/list-videos.ts')).createHandler({
      ...http,
      catalog,
      playback: testPlaybackIssuer(),
    });
    getVideo = (await import('../../../lambdas/catalog/get-video.ts')).createHandler({
      ...http,
      catalog,
      playback: testPlaybackIssuer(),
    });
    updateVideo = (await import('../../../lambdas/catalog/update-video.ts')).createHandler({
      ...http,
      catalog,
      now: () => new Date('2026-11-21T12:00:00.000Z'),
    });
    for (let i = 0; i < 25; i++) {
      await catalog.create({
        videoId: `v-${i}`,
        ownerId: 'user-alice',
        title: `Video ${i}`,
        visibility: 'private',
        status: 'UPLOADING',
        source: { kind: 'upload', fileName: 'a.mp4', size: 10, contentType: 'video/mp4' },
        createdAt: new Date(Date.UTC(2026, 10, 21, 10, i)).toISOString(),
        updatedAt: new Date(Date.UTC(2026, 10, 21, 10, i)).toISOString(),
        sourceKey: `uploads/user-alice/v-${i}/source.mp4`,
      });
    }
  });

  const list = (query: Record<string, string>) =>
    invoke(listVideos, { path: '/videos', routeKey: 'GET /videos', token: 'user-alice', query });

  it('lists your own videos, 20 by default', async () => {
    const response = await list({});

    assert.equal(response.status, 200);
    assert.equal(response.body.items.length, 20);
    assert.equal(response.body.items[0].videoId, 'v-24');
    assert.ok(response.body.cursor);
  });

  it('answers items that match the listing schema, with posterUrl only on READY videos that have a poster', async () => {
    await catalog.create({
      videoId: 'v-poster',
      ownerId: 'user-alice',
      title: 'With a poster',
      visibility: 'public',
      status: 'READY',
      source: { kind: 'upload', fileName: 'a.mp4', size: 10, contentType: 'video/mp4' },
      playbackPath: 'videos/v-poster/hls/index.m3u8',
      posterPath: 'videos/v-poster/poster.jpg',
      // Older than the other videos, so the first page of the other tests stays theirs.
      createdAt: '2026-11-21T09:00:00.000Z',
      updatedAt: '2026-11-21T09:05:00.000Z',
      sourceKey: 'uploads/user-alice/v-poster/source.mp4',
    });

    const response = await list({ limit: '50' });
    const watched = await invoke(getVideo, {
      path: '/videos/v-poster',
      routeKey: 'GET /videos/{videoId}',
      token: 'user-alice',
      pathParameters: { videoId: 'v-poster' },
    });

    assert.equal(response.status, 200);
    const page = operations.listVideos.response.parse(response.body);
    const withPoster = page.items.filter((item) => item.posterUrl !== undefined);
    assert.deepEqual(
      withPoster.map((item) => item.videoId),
      ['v-poster'],
    );
    assert.match(
      withPoster[0]?.posterUrl ?? '',
      /^https:\/\/media\.test\/videos\/v-poster\/poster\.jpg\?Expires=\d+&Key-Pair-Id=KTESTPLAYBACK1&Signature=/,
    );
    assert.equal(watched.status, 200);
    assert.equal(watched.body.posterUrl, undefined, 'getVideo plays with cookies and has no posterUrl');
    WatchableVideo.parse(watched.body);
    assert.equal('posterUrl' in Video.shape, false, 'the Video schema of other operations is unchanged');
  });

  for (const [why, query, path] of [
    ['a limit of 0', { limit: '0' }, 'query.limit'],
    ['a limit over 50', { limit: '51' }, 'query.limit'],
    ['a limit that is not a number', { limit: 'ten' }, 'query.limit'],
    ['an unknown scope', { scope: 'everyone' }, 'query.scope'],
  ] as const) {
    it(`answers 400 VALIDATION_FAILED to ${why}`, async () => {
      const response = await list(query);

      assert.equal(response.status, 400);
      assert.equal(response.body.details.issues[0].path, path);
    });
  }

  it('answers 400 INVALID_CURSOR to a made-up cursor', async () => {
    const response = await list({ cursor: 'made-up' });

    assert.deepEqual([response.status, response.body.code], [400, 'INVALID_CURSOR']);
  });

  it('answers 400 to a path id that cannot be a video id, and never shows the S3 key', async () => {
    const bad = await invoke(getVideo, {
      path: '/videos/x',
      routeKey: 'GET /videos/{videoId}',
      token: 'user-alice',
      pathParameters: { videoId: 'a b' },
    });
    const good = await invoke(getVideo, {
      path: '/videos/v-3',
      routeKey: 'GET /videos/{videoId}',
      token: 'user-alice',
      pathParameters: { videoId: 'v-3' },
    });

    assert.equal(bad.status, 400);
    assert.equal(good.status, 200);
    assert.equal(good.body.sourceKey, undefined);
  });

  const patch = (videoId: string, body: unknown, token = 'user-alice') =>
    invoke(updateVideo, {
      method: 'PATCH',
      path: `/videos/${videoId}`,
      routeKey: 'PATCH /videos/{videoId}',
      token,
      pathParameters: { videoId },
      body,
    });

  it('changes the visibility of your video, and refuses a change that says nothing or something unknown', async () => {
    const changed = await patch('v-7', { visibility: 'unlisted' });
    assert.deepEqual([changed.status, changed.body.visibility], [200, 'unlisted']);

    const empty = await patch('v-7', {});
    assert.deepEqual([empty.status, empty.body.code], [400, 'VALIDATION_FAILED']);
    assert.match(JSON.stringify(empty.body), /Say what to change/);
    const unknown = await patch('v-7', { visibility: 'friends' });
    assert.equal(unknown.body.details.issues[0].path, 'body.visibility');
    const extra = await patch('v-7', { ownerId: 'user-bob' });
    assert.equal(extra.status, 400, 'the owner is not a field anyone can change');
    const blank = await patch('v-7', { title: '   ' });
    assert.equal(blank.status, 400);

    const unfinished = await patch('v-7', { title: 'Mine now' }, 'user-bob');
    assert.equal(unfinished.status, 404, 'a video not READY yet does not exist for anyone but its owner');
    await catalog.markReady(
      'v-7',
      undefined,
      { playbackPath: 'videos/v-7/hls/index.m3u8' },
      '2026-11-21T11:00:00.000Z',
    );
    const other = await patch('v-7', { title: 'Mine now' }, 'user-bob');
    assert.equal(other.status, 403, 'an unlisted video is visible to others, but only its owner changes it');
  });

  it('answers 400 with the refused character class and its code to a title or description that hides text', async () => {
    for (const [body, path, code, says] of [
      [{ title: 'txt.\u202Eexe' }, 'body.title', 'TEXT_BIDI_CONTROL', /bidirectional/],
      [{ title: 'Ring \u0007' }, 'body.title', 'TEXT_CONTROL_CHARACTER', /control characters/],
      [{ title: 'Two\r\nlines' }, 'body.title', 'TEXT_LINE_BREAK', /line breaks/],
      [{ title: '\u200b\u200b' }, 'body.title', 'TEXT_INVISIBLE', /visible character/],
      [{ description: 'half \ud800 a pair' }, 'body.description', 'TEXT_LONE_SURROGATE', /surrogate/],
    ] as const) {
      const response = await patch('v-7', body);

      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.body.code, 'VALIDATION_FAILED');
      assert.deepEqual(
        [response.body.details.issues[0].path, response.body.details.issues[0].code],
        [path, code],
      );
      assert.match(response.body.message, says);
    }

    const kept = await patch('v-7', { title: ' Cafe\u0301 ', description: 'Line one\r\n\tLine two' });
    assert.deepEqual([kept.body.title, kept.body.description], ['Café', 'Line one\n\tLine two']);
  });
});
