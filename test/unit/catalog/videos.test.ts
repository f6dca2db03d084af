import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredVideo } from '../../../lambdas/catalog/video-catalog.ts';
import {
  deleteVideo,
  getVideo,
  listVideos,
  toApiVideo,
  updateVideo,
  type VideoFiles,
} from '../../../lambdas/catalog/videos.ts';
import { createPlaybackIssuer } from '../../../lambdas/delivery/playback.ts';
import type { AuthenticatedUser } from '../../../lambdas/shared/auth.ts';
import { checkSignedRequest } from '../../../local/signed-access.ts';
import { testUser } from '../../support/http-deps.ts';
import { testPlaybackIssuer, testPlaybackKeys } from '../../support/playback.ts';
import { InMemoryVideoCatalog } from './in-memory.ts';

const user = testUser;
const alice = user('alice-sub');
const bob = user('bob-sub');

function video(overrides: Partial<StoredVideo> = {}): StoredVideo {
  return {
    videoId: 'v-1',
    ownerId: alice.sub,
    title: 'Lisbon',
    visibility: 'private',
    status: 'READY',
    source: { kind: 'upload', fileName: 'lisbon.mp4', size: 1000, contentType: 'video/mp4' },
    playbackPath: 'videos/v-1/hls/index.m3u8',
    createdAt: '2026-11-21T10:00:00.000Z',
    updatedAt: '2026-11-21T10:05:00.000Z',
    sourceKey: 'uploads/alice-sub/v-1/source.mp4',
    jobId: 'job-1',
    partSize: 5_242_880,
    ...overrides,
  };
}

/** Records what a deletion removed, instead of S3. */
class RecordingVideoFiles implements VideoFiles {
  readonly deleted: string[] = [];
  async deleteMedia(videoId: string) {
    this.deleted.push(`media:${videoId}`);
    return 3;
  }
  async deleteOriginal(sourceKey: string, uploadId?: string) {
    this.deleted.push(`original:${sourceKey}${uploadId ? ` (abort ${uploadId})` : ''}`);
  }
  async deleteRecording(prefix: string) {
    this.deleted.push(`recording:${prefix}`);
    return 40;
  }
}

async function setup(...videos: StoredVideo[]) {
  const catalog = new InMemoryVideoCatalog();
  for (const v of videos) await catalog.create(v);
  const files = new RecordingVideoFiles();
  return { catalog, files, deps: { catalog, files, playback: testPlaybackIssuer(), now: () => new Date() } };
}

describe('toApiVideo', () => {
  it('shows only the fields of Video: never the S3 key, upload id, part size, job id or anything added later', () => {
    const shown = toApiVideo({
      ...video({ uploadId: 'up-1' }),
      ...({ expiresAt: 123, gsi1pk: 'OWNER#x' } as object),
    });

    assert.deepEqual(Object.keys(shown).sort(), [
      'createdAt',
      'ownerId',
      'playbackPath',
      'source',
      'status',
      'title',
      'updatedAt',
      'videoId',
      'visibility',
    ]);
  });
});

describe('getVideo', () => {
  it('shows the owner their private video', async () => {
    const { deps } = await setup(video());

    const shown = await getVideo(deps, alice, 'v-1');

    assert.equal(shown.videoId, 'v-1');
    assert.equal('sourceKey' in shown, false);
  });

  it('answers 404 to anyone else asking for a private video, exactly as for a missing one', async () => {
    const { deps } = await setup(video());

    const errorFor = (who: AuthenticatedUser, id: string) =>
      getVideo(deps, who, id).then(
        () => assert.fail('expected a rejection'),
        (error: Error & { status: number; code: string }) => ({
          status: error.status,
          code: error.code,
          message: error.message,
        }),
      );

    assert.deepEqual(await errorFor(bob, 'v-1'), await errorFor(bob, 'no-such-video'));
    assert.equal((await errorFor(bob, 'v-1')).status, 404);
  });

  it('shows public and unlisted videos to anyone signed in', async () => {
    const { deps } = await setup(
      video({ videoId: 'pub', visibility: 'public' }),
      video({ videoId: 'unl', visibility: 'unlisted' }),
    );

    assert.equal((await getVideo(deps, bob, 'pub')).videoId, 'pub');
    assert.equal((await getVideo(deps, bob, 'unl')).videoId, 'unl');
  });

  it("gives a READY video playback: cookies that open its own media and no other video's", async () => {
    const { deps } = await setup(
      video(),
      video({ videoId: 'v-2', status: 'PROCESSING', playbackPath: undefined }),
    );

    const { playback } = await getVideo(deps, alice, 'v-1');

    assert.ok(playback);
    assert.equal(playback.url, 'https://media.test/videos/v-1/hls/index.m3u8');
    const cookie = playback.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const asks = (target: string) =>
      checkSignedRequest(
        { scheme: 'https', host: 'media.test', target, cookie, sourceIp: '192.0.2.1' },
        testPlaybackKeys().trusted,
      ).ok;
    assert.equal(asks('/videos/v-1/hls/index_720p_00001.ts'), true);
    assert.equal(asks('/videos/v-2/hls/index.m3u8'), false);
    assert.equal((await getVideo(deps, alice, 'v-2')).playback, undefined);
  });
});

describe('listVideos', () => {
  it("lists the caller's own videos in every status and visibility, newest first, page by page", async () => {
    const { deps } = await setup(
      video({ videoId: 'a', createdAt: '2026-11-21T10:00:00.000Z', status: 'UPLOADING' }),
      video({ videoId: 'b', createdAt: '2026-11-21T11:00:00.000Z', visibility: 'public' }),
      video({ videoId: 'c', createdAt: '2026-11-21T12:00:00.000Z', status: 'FAILED' }),
      video({ videoId: 'bobs', ownerId: bob.sub }),
    );

    const first = await listVideos(deps, alice, { scope: 'mine', limit: 2 });
    const second = await listVideos(deps, alice, { scope: 'mine', limit: 2, cursor: first.cursor });

    assert.deepEqual(
      first.items.map((v) => v.videoId),
      ['c', 'b'],
    );
    assert.deepEqual(
      second.items.map((v) => v.videoId),
      ['a'],
    );
    assert.equal(second.cursor, undefined);
    assert.ok(first.items.every((v) => !('sourceKey' in v) && !('jobId' in v)));
  });

  it('lists public READY videos of everyone for scope=public, and no private or unlisted ones', async () => {
    const { deps } = await setup(
      video({ videoId: 'pub', ownerId: bob.sub, visibility: 'public' }),
      video({ videoId: 'unl', ownerId: bob.sub, visibility: 'unlisted' }),
      video({ videoId: 'priv', ownerId: bob.sub }),
    );

    const page = await listVideos(deps, alice, { scope: 'public', limit: 20 });

    assert.deepEqual(
      page.items.map((v) => v.videoId),
      ['pub'],
    );
  });

  /** Whether the media server would serve `target` for a URL's signing query, judged as CloudFront does. */
  const servesWith = (posterUrl: string, target: string, now?: number) => {
    const signing = new URL(posterUrl).search;
    return checkSignedRequest(
      { scheme: 'https', host: 'media.test', target: `${target}${signing}`, sourceIp: '192.0.2.1' },
      testPlaybackKeys().trusted,
      now,
    );
  };

  it('gives READY videos with a poster a signed URL for exactly that poster, lasting as long as playback', async () => {
    const now = new Date('2026-11-21T12:00:00.000Z');
    const { catalog } = await setup(
      video({ videoId: 'v-1', visibility: 'public', posterPath: 'videos/v-1/poster.jpg' }),
      video({ videoId: 'v-2', visibility: 'public', posterPath: 'videos/v-2/poster.jpg' }),
    );
    const playback = createPlaybackIssuer({
      keys: { get: async () => testPlaybackKeys().key },
      mediaUrl: 'https://media.test/',
      ttlSeconds: 600,
      now: () => now,
    });

    const page = await listVideos({ catalog, playback }, bob, { scope: 'public', limit: 20 });

    const posterUrl = page.items.find((v) => v.videoId === 'v-1')?.posterUrl;
    assert.ok(posterUrl);
    const url = new URL(posterUrl);
    assert.equal(`${url.origin}${url.pathname}`, 'https://media.test/videos/v-1/poster.jpg');
    assert.equal(url.searchParams.get('Expires'), String(now.getTime() / 1000 + 600));
    assert.equal(url.searchParams.get('Key-Pair-Id'), testPlaybackKeys().key.keyPairId);
    const at = now.getTime() / 1000;
    assert.deepEqual(servesWith(posterUrl, '/videos/v-1/poster.jpg', at), { ok: true, via: 'url' });
    assert.equal(servesWith(posterUrl, '/videos/v-2/poster.jpg', at).ok, false, "another video's poster");
    assert.equal(servesWith(posterUrl, '/videos/v-1/hls/index.m3u8', at).ok, false, 'its own playlist');
    assert.equal(servesWith(posterUrl, '/videos/v-1/poster.jpg', at + 600).ok, false, 'once expired');
  });

  it('gives no poster URL to videos without a poster or not READY', async () => {
    const { deps } = await setup(
      video({ videoId: 'audio', audioOnly: true, createdAt: '2026-11-21T10:01:00.000Z' }),
      video({
        videoId: 'processing',
        status: 'PROCESSING',
        playbackPath: undefined,
        posterPath: 'videos/processing/poster.jpg',
        createdAt: '2026-11-21T10:02:00.000Z',
      }),
      video({
        videoId: 'failed',
        status: 'FAILED',
        posterPath: 'videos/failed/poster.jpg',
        createdAt: '2026-11-21T10:03:00.000Z',
      }),
      video({
        videoId: 'ready',
        posterPath: 'videos/ready/poster.jpg',
        createdAt: '2026-11-21T10:04:00.000Z',
      }),
    );

    const page = await listVideos(deps, alice, { scope: 'mine', limit: 20 });

    assert.deepEqual(
      page.items.map((v) => [v.videoId, v.posterUrl !== undefined]),
      [
        ['ready', true],
        ['failed', false],
        ['processing', false],
        ['audio', false],
      ],
    );
  });

  it('lists a video whose poster is outside any media prefix we sign for without a poster URL', async () => {
    const { deps } = await setup(
      video({ videoId: 'odd', posterPath: 'elsewhere/poster.jpg', createdAt: '2026-11-21T10:01:00.000Z' }),
      video({ videoId: 'ok', posterPath: 'videos/ok/poster.jpg', createdAt: '2026-11-21T10:02:00.000Z' }),
    );

    const page = await listVideos(deps, alice, { scope: 'mine', limit: 20 });

    assert.deepEqual(
      page.items.map((v) => [v.videoId, v.posterUrl !== undefined]),
      [
        ['ok', true],
        ['odd', false],
      ],
    );
  });

  it('still fails when signing fails for another reason than the path', async () => {
    const { catalog } = await setup(video({ posterPath: 'videos/v-1/poster.jpg' }));
    const playback = createPlaybackIssuer({
      keys: {
        get: async () => {
          throw new Error('secret unavailable');
        },
      },
      mediaUrl: 'https://media.test',
    });

    await assert.rejects(listVideos({ catalog, playback }, alice, { scope: 'mine', limit: 5 }), {
      message: 'secret unavailable',
    });
  });

  it('answers 400 INVALID_CURSOR to a cursor the listing did not hand out', async () => {
    const { deps } = await setup(video());

    await assert.rejects(listVideos(deps, alice, { scope: 'mine', limit: 5, cursor: 'nonsense' }), {
      status: 400,
      code: 'INVALID_CURSOR',
    });
  });
});

describe('deleteVideo', () => {
  it("removes the video's media, its original and then the video", async () => {
    const { deps, catalog, files } = await setup(video());

    await deleteVideo(deps, alice, 'v-1');

    assert.deepEqual(files.deleted, ['media:v-1', 'original:uploads/alice-sub/v-1/source.mp4']);
    assert.equal(await catalog.get('v-1'), undefined);
  });

  it('aborts the multipart upload of a video still UPLOADING', async () => {
    const { deps, files } = await setup(video({ status: 'UPLOADING', uploadId: 'up-7' }));

    await deleteVideo(deps, alice, 'v-1');

    assert.deepEqual(files.deleted, ['media:v-1', 'original:uploads/alice-sub/v-1/source.mp4 (abort up-7)']);
  });

  it("takes a recording with the video made from it, and leaves a clip's source alone", async () => {
    const prefix = 'ivs/v1/123456789012/AbCdEf/2026/11/21/10/5/rec-1/';
    const { deps, catalog, files } = await setup(
      video(),
      video({
        videoId: 'rec',
        source: { kind: 'recording', channelArn: 'arn:aws:ivs:eu-west-1:123456789012:channel/AbCdEf' },
        playbackPath: `${prefix}media/hls/master.m3u8`,
        sourceKey: undefined,
      }),
      video({
        videoId: 'clip',
        source: { kind: 'clip', videoId: 'v-1', startSeconds: 2, endSeconds: 8 },
        playbackPath: 'videos/v-1/clips/2000-8000/index.m3u8',
        sourceKey: undefined,
      }),
    );

    await deleteVideo(deps, alice, 'rec');
    await deleteVideo(deps, alice, 'clip');

    assert.deepEqual(files.deleted, [`recording:${prefix}`]);
    assert.deepEqual([...catalog.items.keys()], ['v-1']);
  });

  it('keeps the video in the catalog when its files could not be deleted, so deleting again works', async () => {
    const { deps, catalog, files } = await setup(video());
    files.deleteMedia = async () => {
      throw new Error('S3 is down');
    };

    await assert.rejects(deleteVideo(deps, alice, 'v-1'), /S3 is down/);

    assert.equal((await catalog.get('v-1'))?.videoId, 'v-1');
  });

  it("answers 404 for a missing video or someone else's private one, 403 for someone else's public one", async () => {
    const { deps, catalog, files } = await setup(video(), video({ videoId: 'pub', visibility: 'public' }));

    await assert.rejects(deleteVideo(deps, alice, 'no-such-video'), { status: 404, code: 'NOT_FOUND' });
    await assert.rejects(deleteVideo(deps, bob, 'v-1'), { status: 404, code: 'NOT_FOUND' });
    await assert.rejects(deleteVideo(deps, bob, 'pub'), { status: 403, code: 'FORBIDDEN' });

    assert.deepEqual(files.deleted, []);
    assert.equal(catalog.items.size, 2);
  });
});

describe('updateVideo', () => {
  const now = () => new Date('2026-11-21T12:00:00.000Z');

  it("changes the owner's title, description and visibility, and shows the video as changed", async () => {
    const { catalog } = await setup(video());

    const shown = await updateVideo({ catalog, now }, alice, 'v-1', {
      title: 'Lisbon at night',
      visibility: 'unlisted',
    });

    assert.deepEqual(
      [shown.title, shown.visibility, shown.updatedAt],
      ['Lisbon at night', 'unlisted', '2026-11-21T12:00:00.000Z'],
    );
    assert.equal((await catalog.get('v-1'))?.visibility, 'unlisted');
    assert.equal('sourceKey' in shown, false, 'only the fields of Video');
  });

  it("answers 404 for a missing video or someone else's private one, 403 for someone else's unlisted one", async () => {
    const { catalog } = await setup(video(), video({ videoId: 'open', visibility: 'unlisted' }));

    await assert.rejects(updateVideo({ catalog, now }, alice, 'nope', { title: 'x' }), { status: 404 });
    await assert.rejects(updateVideo({ catalog, now }, bob, 'v-1', { visibility: 'public' }), {
      status: 404,
    });
    await assert.rejects(updateVideo({ catalog, now }, bob, 'open', { visibility: 'public' }), {
      status: 403,
      code: 'FORBIDDEN',
    });
    assert.equal((await catalog.get('open'))?.visibility, 'unlisted');
  });

  it('never makes a clip more visible than its source', async () => {
    const { catalog } = await setup(
      video({ visibility: 'unlisted' }),
      video({
        videoId: 'clip',
        visibility: 'private',
        source: { kind: 'clip', videoId: 'v-1', startSeconds: 0, endSeconds: 5 },
      }),
    );

    await assert.rejects(updateVideo({ catalog, now }, alice, 'clip', { visibility: 'public' }), {
      status: 400,
      code: 'VISIBILITY_TOO_OPEN',
      message: /unlisted or private, not public/,
    });
    assert.equal(
      (await updateVideo({ catalog, now }, alice, 'clip', { visibility: 'unlisted' })).visibility,
      'unlisted',
    );
  });
});
