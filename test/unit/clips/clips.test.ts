import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredVideo } from '../../../lambdas/catalog/video-catalog.ts';
import { listVideos } from '../../../lambdas/catalog/videos.ts';
import { type ClipDeps, createClip, getClip } from '../../../lambdas/clips/clips.ts';
import { type Playlist, parsePlaylist } from '../../../lambdas/contract/hls/index.ts';
import type { PlaylistSource, SourceBucket } from '../../../lambdas/delivery/manifest.ts';
import { testUser } from '../../support/http-deps.ts';
import { testPlaybackIssuer } from '../../support/playback.ts';
import { InMemoryVideoCatalog } from '../catalog/in-memory.ts';
import { MEDIACONVERT_720P } from '../delivery/playlists.ts';

const user = testUser;
const alice = user('alice');
const bob = user('bob');

const MULTIVARIANT = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-STREAM-INF:BANDWIDTH=3605448,RESOLUTION=1280x720
index_720p.m3u8
`;

class Playlists implements PlaylistSource {
  async get(_bucket: SourceBucket, key: string): Promise<Playlist | undefined> {
    if (key.endsWith('hls/index.m3u8')) return parsePlaylist(MULTIVARIANT);
    if (key.endsWith('hls/index_720p.m3u8')) return parsePlaylist(MEDIACONVERT_720P);
    return undefined;
  }
}

function source(overrides: Partial<StoredVideo> = {}): StoredVideo {
  const videoId = overrides.videoId ?? 'src';
  return {
    videoId,
    ownerId: alice.sub,
    title: 'Lisbon',
    visibility: 'public',
    status: 'READY',
    source: { kind: 'upload', fileName: 'a.mp4', size: 1, contentType: 'video/mp4' },
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
    createdAt: '2026-11-21T10:00:00.000Z',
    updatedAt: '2026-11-21T10:00:00.000Z',
    ...overrides,
  };
}

async function setup(...videos: StoredVideo[]) {
  const catalog = new InMemoryVideoCatalog();
  for (const video of videos) await catalog.create(video);
  let ids = 0;
  const deps: ClipDeps = {
    catalog,
    playback: testPlaybackIssuer(),
    playlists: new Playlists(),
    newId: () => `clip-${++ids}`,
    now: () => new Date('2026-11-21T12:00:00Z'),
  };
  return { catalog, deps };
}

const ask = { title: 'The bridge', startSeconds: 7, endSeconds: 13 };

describe('createClip', () => {
  it("cuts a READY video anyone may watch into a READY clip of the caller's, listed with their videos", async () => {
    const { deps } = await setup(source());

    const clip = await createClip(deps, bob, 'src', ask);

    assert.equal(clip.ownerId, bob.sub);
    assert.equal(clip.status, 'READY');
    assert.deepEqual(clip.source, { kind: 'clip', videoId: 'src', startSeconds: 7, endSeconds: 13 });
    assert.equal(clip.playbackPath, 'videos/src/clips/7000-13000/index.m3u8');
    assert.equal(clip.renditions?.[0]?.playlistPath, 'videos/src/clips/7000-13000/index_720p.m3u8');
    // Whole segments: 6–12 and 12–18 s.
    assert.equal(clip.durationSeconds, 12);
    assert.equal(clip.visibility, 'public');
    assert.equal(clip.playback?.url, 'https://media.test/videos/src/clips/7000-13000/index.m3u8');
    assert.ok(clip.playback?.cookies.every((cookie) => cookie.path === '/videos/src/'));
    const mine = await listVideos(deps, bob, { scope: 'mine', limit: 10 });
    assert.deepEqual(
      mine.items.map((v) => v.videoId),
      [clip.videoId],
    );
    const everyone = await listVideos(deps, alice, { scope: 'public', limit: 10 });
    assert.ok(everyone.items.some((v) => v.videoId === clip.videoId));
  });

  it('refuses ranges outside the source, reversed, too long, or that its playlists cannot serve, with 400', async () => {
    const { deps } = await setup(source(), source({ videoId: 'long', durationSeconds: 4000 }));
    const refusal = (body: typeof ask, id = 'src') =>
      createClip(deps, alice, id, body).then(
        () => assert.fail('expected a refusal'),
        (error: { status: number; code: string }) => [error.status, error.code],
      );
    assert.deepEqual(await refusal({ ...ask, startSeconds: 10, endSeconds: 5 }), [400, 'INVALID_CLIP_RANGE']);
    assert.deepEqual(await refusal({ ...ask, endSeconds: 28 }), [400, 'INVALID_CLIP_RANGE']);
    assert.deepEqual(await refusal({ ...ask, startSeconds: 0, endSeconds: 3000 }, 'long'), [
      400,
      'CLIP_TOO_LONG',
    ]);
    // The catalog says 4000 s, the playlist has 27.2 s: the playlist wins.
    assert.deepEqual(await refusal({ ...ask, startSeconds: 100, endSeconds: 110 }, 'long'), [
      400,
      'INVALID_CLIP_RANGE',
    ]);
  });

  it("keeps a clip at least as private as its source, and hides others' private videos (404)", async () => {
    const { deps } = await setup(
      source({ videoId: 'unl', visibility: 'unlisted' }),
      source({ videoId: 'priv', visibility: 'private' }),
    );
    await assert.rejects(createClip(deps, bob, 'unl', { ...ask, visibility: 'public' }), {
      status: 400,
      code: 'VISIBILITY_TOO_OPEN',
    });
    assert.equal((await createClip(deps, bob, 'unl', ask)).visibility, 'unlisted');
    await assert.rejects(createClip(deps, bob, 'priv', ask), { status: 404 });
    assert.equal((await createClip(deps, alice, 'priv', ask)).visibility, 'private');
  });

  it('waits for the source to be READY (409) and does not clip clips (400)', async () => {
    const { deps } = await setup(source({ status: 'PROCESSING', playbackPath: undefined }));
    await assert.rejects(createClip(deps, alice, 'src', ask), { status: 409, code: 'SOURCE_NOT_READY' });
    const ready = await setup(source());
    const clip = await createClip(ready.deps, alice, 'src', ask);
    await assert.rejects(createClip(ready.deps, alice, clip.videoId, ask), {
      status: 400,
      code: 'SOURCE_IS_A_CLIP',
    });
  });
});

describe('getClip', () => {
  it('returns the clip with playback while the caller may watch the source, and 404 for videos or hidden clips', async () => {
    const { deps, catalog } = await setup(source());
    const clip = await createClip(deps, alice, 'src', { ...ask, visibility: 'private' });

    assert.ok((await getClip(deps, alice, clip.videoId)).playback);
    await assert.rejects(getClip(deps, bob, clip.videoId), { status: 404 });
    await assert.rejects(getClip(deps, alice, 'src'), { status: 404 });

    // The source turns private under another owner's hands: the clip stays, its playback goes.
    const shared = await createClip(deps, bob, 'src', ask);
    await catalog.remove('src');
    await catalog.create(source({ visibility: 'private' }));
    const after = await getClip(deps, bob, shared.videoId);
    assert.equal(after.playback, undefined);
  });
});
