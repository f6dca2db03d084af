/**
 * A clip is never more open than its source, also after the source narrows or is deleted (issue 11, finding 1),
 * through the use cases on the in-memory catalog.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredVideo } from '../../../lambdas/catalog/video-catalog.ts';
import { deleteVideo, getVideo, listVideos, updateVideo } from '../../../lambdas/catalog/videos.ts';
import { type ClipDeps, createClip, getClip } from '../../../lambdas/clips/clips.ts';
import { type Playlist, parsePlaylist } from '../../../lambdas/contract/hls/index.ts';
import type { PlaylistSource } from '../../../lambdas/delivery/manifest.ts';
import { testUser } from '../../support/http-deps.ts';
import { testPlaybackIssuer } from '../../support/playback.ts';
import { InMemoryVideoCatalog } from '../catalog/in-memory.ts';
import { MEDIACONVERT_720P } from '../delivery/playlists.ts';

const alice = testUser('alice');
const bob = testUser('bob');
const carol = testUser('carol');

const playlists: PlaylistSource = {
  async get(_bucket, key): Promise<Playlist | undefined> {
    if (key.endsWith('hls/index.m3u8')) {
      return parsePlaylist(
        '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=3605448,RESOLUTION=1280x720\nindex_720p.m3u8\n',
      );
    }
    return key.endsWith('hls/index_720p.m3u8') ? parsePlaylist(MEDIACONVERT_720P) : undefined;
  },
};

const source: StoredVideo = {
  videoId: 'src',
  ownerId: alice.sub,
  title: 'Lisbon',
  visibility: 'public',
  status: 'READY',
  source: { kind: 'upload', fileName: 'lisbon.mp4', size: 1, contentType: 'video/mp4' },
  durationSeconds: 27.2,
  playbackPath: 'videos/src/hls/index.m3u8',
  posterPath: 'videos/src/poster/poster.0000001.jpg',
  renditions: [
    {
      name: '720p',
      width: 1280,
      height: 720,
      bitrate: 3_000_000,
      playlistPath: 'videos/src/hls/index_720p.m3u8',
    },
  ],
  createdAt: '2026-11-21T10:00:00.000Z',
  updatedAt: '2026-11-21T10:00:00.000Z',
};

/** Files that are deleted without a trace, or with `during` run while they are. */
const files = (during?: () => Promise<void>) => ({
  deleteMedia: async () => {
    await during?.();
    return 0;
  },
  deleteOriginal: async () => undefined,
  deleteRecording: async () => 0,
});

async function setup() {
  const catalog = new InMemoryVideoCatalog();
  await catalog.create(structuredClone(source));
  let ids = 0;
  const deps: ClipDeps & { files: ReturnType<typeof files> } = {
    catalog,
    playback: testPlaybackIssuer(),
    playlists,
    newId: () => `clip-${++ids}`,
    now: () => new Date('2026-11-21T12:00:00Z'),
    files: files(),
  };
  const cut = (user = bob) =>
    createClip(deps, user, 'src', { title: 'Bridge', startSeconds: 7, endSeconds: 13 });
  const publicIds = async (user = carol) =>
    new Set((await listVideos(deps, user, { scope: 'public', limit: 50 })).items.map((v) => v.videoId));
  return { catalog, deps, cut, publicIds };
}

describe('clips of a source that narrows', () => {
  it('makes the clips private when the source turns private: unlisted, unreadable to others, nothing signed', async () => {
    const { catalog, deps, cut, publicIds } = await setup();
    const clip = await cut();
    assert.ok((await publicIds()).has(clip.videoId));

    await updateVideo(deps, alice, 'src', { visibility: 'private' });

    assert.equal((await catalog.get(clip.videoId))?.visibility, 'private');
    assert.ok(!(await publicIds()).has(clip.videoId));
    await assert.rejects(getClip(deps, carol, clip.videoId), { status: 404 });
    await assert.rejects(getVideo(deps, carol, clip.videoId), { status: 404 });
    const own = await getClip(deps, bob, clip.videoId);
    assert.deepEqual(
      [own.playback, own.posterPath, own.renditions, own.playbackPath],
      [undefined, undefined, undefined, undefined],
      "the clip's owner gets nothing of a source he can no longer read",
    );
    const [listed] = (await listVideos(deps, bob, { scope: 'mine', limit: 10 })).items;
    assert.equal(listed?.videoId, clip.videoId);
    assert.equal(listed?.posterUrl, undefined);
  });

  it('makes public clips unlisted when the source turns unlisted, and leaves private ones alone', async () => {
    const { catalog, deps, cut } = await setup();
    const open = await cut();
    const closed = await createClip(deps, carol, 'src', {
      title: 'Mine',
      startSeconds: 1,
      endSeconds: 5,
      visibility: 'private',
    });

    await updateVideo(deps, alice, 'src', { visibility: 'unlisted' });

    assert.equal((await catalog.get(open.videoId))?.visibility, 'unlisted');
    assert.equal((await catalog.get(closed.videoId))?.visibility, 'private');
    assert.ok((await getClip(deps, carol, open.videoId)).playback, 'an unlisted source still plays');
  });

  it('never lists or shows a clip more openly than its source, even before the clip itself was narrowed', async () => {
    const { catalog, deps, cut, publicIds } = await setup();
    const clip = await cut();
    // The source's own write happened, its clips' did not (a crash in between).
    await catalog.updateDetails('src', { visibility: 'private' }, '2026-11-21T12:00:00Z');

    assert.ok(!(await publicIds()).has(clip.videoId));
    await assert.rejects(getClip(deps, carol, clip.videoId), { status: 404 });
    const own = await getClip(deps, bob, clip.videoId);
    assert.equal(own.visibility, 'private', 'shown as narrow as its source');
    assert.equal(own.playback, undefined);
  });

  it("does not let a clip's rename or visibility change take it past its source", async () => {
    const { catalog, deps, cut, publicIds } = await setup();
    const clip = await cut();
    await catalog.updateDetails('src', { visibility: 'unlisted' }, '2026-11-21T12:00:00Z');

    const renamed = await updateVideo(deps, bob, clip.videoId, { title: 'Renamed' });

    assert.deepEqual([renamed.title, renamed.visibility], ['Renamed', 'unlisted']);
    assert.equal((await catalog.get(clip.videoId))?.visibility, 'unlisted');
    assert.ok(!(await publicIds()).has(clip.videoId));
    await assert.rejects(updateVideo(deps, bob, clip.videoId, { visibility: 'public' }), {
      status: 400,
      code: 'VISIBILITY_TOO_OPEN',
    });
  });

  it('hides the clips of a deleted source, also one cut while its files were being deleted', async () => {
    const { catalog, deps, cut, publicIds } = await setup();
    const before = await cut();
    let during: { videoId: string } | undefined;
    deps.files = files(async () => {
      during = await cut(carol);
    });

    await deleteVideo(deps, alice, 'src');

    assert.equal(await catalog.get('src'), undefined);
    for (const clip of [before, during]) {
      assert.ok(clip);
      assert.equal((await catalog.get(clip.videoId))?.visibility, 'private');
      assert.ok(!(await publicIds(alice)).has(clip.videoId));
      await assert.rejects(getClip(deps, alice, clip.videoId), { status: 404 });
    }
    const own = await getClip(deps, bob, before.videoId);
    assert.equal(own.playback, undefined);
    await assert.rejects(updateVideo(deps, bob, before.videoId, { visibility: 'unlisted' }), {
      code: 'VISIBILITY_TOO_OPEN',
    });
  });
});

describe('what others see of a video', () => {
  it("shows the uploader's file name to the owner only, and a video before READY to nobody else", async () => {
    const { catalog, deps } = await setup();
    await catalog.create({
      ...structuredClone(source),
      videoId: 'up',
      status: 'UPLOADING',
      playbackPath: undefined,
    });

    assert.deepEqual((await getVideo(deps, alice, 'src')).source, source.source);
    const seen = await getVideo(deps, carol, 'src');
    assert.ok(seen.source.kind === 'upload' && !('fileName' in seen.source), JSON.stringify(seen.source));
    await assert.rejects(getVideo(deps, carol, 'up'), { status: 404 });
    await assert.rejects(updateVideo(deps, carol, 'up', { title: 'x' }), { status: 404 });
    assert.equal((await getVideo(deps, alice, 'up')).status, 'UPLOADING');
  });
});
