import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { StoredVideo } from '../../../lambdas/catalog/video-catalog.ts';
import { DynamoVideoCatalog } from '../../../lambdas/catalog/video-store.ts';
import { InvalidCursorError } from '../../../lambdas/shared/cursor.ts';
import { documentClient } from '../../../lambdas/shared/dynamodb.ts';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.ts';

const media = {
  durationSeconds: 12.5,
  playbackPath: 'videos/v/hls/index.m3u8',
  renditions: [
    { name: '360p', width: 640, height: 360, bitrate: 700_000, playlistPath: 'videos/v/hls/index_360p.m3u8' },
  ],
};

function newVideo(overrides: Partial<StoredVideo> = {}): StoredVideo {
  const now = new Date().toISOString();
  return {
    videoId: randomUUID(),
    ownerId: 'owner-1',
    title: 'A video',
    visibility: 'public',
    status: 'UPLOADING',
    source: { kind: 'upload', fileName: 'a.mp4', size: 1000, contentType: 'video/mp4' },
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

describe('DynamoVideoCatalog against the emulator', () => {
  let emulator: TestEmulator;
  let catalog: DynamoVideoCatalog;

  before(async () => {
    emulator = await startTestEmulator();
    catalog = new DynamoVideoCatalog(documentClient(), emulator.resources.tableName);
  });
  after(() => emulator.stop());

  it('moves a video forward through its statuses', async () => {
    const video = newVideo({ expiresAt: Math.floor(Date.now() / 1000) + 8 * 86_400 });
    await catalog.create(video);

    assert.equal(await catalog.markUploaded(video.videoId, new Date().toISOString()), true);
    assert.equal((await catalog.get(video.videoId))?.expiresAt, undefined, 'a finished upload never expires');
    assert.equal(await catalog.recordJob(video.videoId, 'job-1', new Date().toISOString()), true);
    assert.equal(await catalog.markProgress(video.videoId, 'job-1', 40, new Date().toISOString()), true);
    assert.equal(await catalog.markReady(video.videoId, 'job-1', media, new Date().toISOString()), true);

    const stored = await catalog.get(video.videoId);
    assert.equal(stored?.status, 'READY');
    assert.equal(stored?.progress, undefined);
    assert.equal(stored?.playbackPath, media.playbackPath);
    assert.equal(stored?.jobId, 'job-1');
  });

  it('refuses a second job, progress from another job and progress that goes down', async () => {
    const video = newVideo({ status: 'UPLOADED' });
    await catalog.create(video);
    await catalog.recordJob(video.videoId, 'job-1', new Date().toISOString());
    await catalog.markProgress(video.videoId, 'job-1', 60, new Date().toISOString());

    assert.equal(await catalog.recordJob(video.videoId, 'job-2', new Date().toISOString()), false);
    assert.equal(await catalog.markProgress(video.videoId, 'job-2', 90, new Date().toISOString()), false);
    assert.equal(await catalog.markProgress(video.videoId, 'job-1', 30, new Date().toISOString()), false);
    assert.equal((await catalog.get(video.videoId))?.progress, 60);
  });

  it('never lets a late event undo a final state', async () => {
    const video = newVideo({ status: 'UPLOADED' });
    await catalog.create(video);
    await catalog.recordJob(video.videoId, 'job-1', new Date().toISOString());
    await catalog.markFailed(
      video.videoId,
      { code: 'TRANSCODE_FAILED', message: 'corrupt' },
      new Date().toISOString(),
      'job-1',
    );

    assert.equal(await catalog.markReady(video.videoId, 'job-1', media, new Date().toISOString()), false);
    assert.equal(await catalog.markProgress(video.videoId, 'job-1', 99, new Date().toISOString()), false);
    const stored = await catalog.get(video.videoId);
    assert.equal(stored?.status, 'FAILED');
    assert.deepEqual(stored?.failure, { code: 'TRANSCODE_FAILED', message: 'corrupt' });
  });

  it('fails a video before any job (not a video) but not once a job owns it', async () => {
    const early = newVideo({ status: 'UPLOADED' });
    const late = newVideo({ status: 'UPLOADED' });
    await catalog.create(early);
    await catalog.create(late);
    await catalog.recordJob(late.videoId, 'job-9', new Date().toISOString());
    const failure = { code: 'NOT_A_VIDEO', message: 'This looks like a PNG image, not a video.' };

    assert.equal(await catalog.markFailed(early.videoId, failure, new Date().toISOString()), true);
    assert.equal(await catalog.markFailed(late.videoId, failure, new Date().toISOString()), false);
    assert.equal(await catalog.markFailed('no-such-video', failure, new Date().toISOString()), false);
  });

  it('ends in the same state whatever order and however often job events arrive', async () => {
    type Step = { kind: 'job' } | { kind: 'progress'; value: number } | { kind: 'ready' };
    const steps: Step[] = [
      { kind: 'job' },
      { kind: 'progress', value: 10 },
      { kind: 'progress', value: 55 },
      { kind: 'progress', value: 80 },
      { kind: 'ready' },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(steps, { minLength: steps.length, maxLength: steps.length }),
        fc.array(fc.nat({ max: steps.length - 1 }), { maxLength: 4 }),
        async (order, repeats) => {
          const video = newVideo({ status: 'UPLOADED' });
          await catalog.create(video);
          const deliveries = [...order, ...repeats.map((i) => order[i] as Step)];
          for (const step of deliveries) {
            const at = new Date().toISOString();
            if (step.kind === 'job') await catalog.recordJob(video.videoId, 'job-1', at);
            if (step.kind === 'progress') await catalog.markProgress(video.videoId, 'job-1', step.value, at);
            if (step.kind === 'ready') await catalog.markReady(video.videoId, 'job-1', media, at);
          }
          // The job is recorded by the submitter before any job event can exist; after that, order is free.
          await catalog.recordJob(video.videoId, 'job-1', new Date().toISOString());
          await catalog.markReady(video.videoId, 'job-1', media, new Date().toISOString());
          const stored = await catalog.get(video.videoId);
          assert.equal(stored?.status, 'READY');
          assert.equal(stored?.progress, undefined);
          assert.equal(stored?.jobId, 'job-1');
        },
      ),
      { numRuns: 25 },
    );
  });

  it("lists an owner's videos newest first, page by page, and public READY videos only", async () => {
    const ownerId = `owner-${randomUUID()}`;
    const created: StoredVideo[] = [];
    for (let i = 0; i < 5; i++) {
      const video = newVideo({ ownerId, createdAt: `2026-11-21T10:00:0${i}.000Z`, status: 'UPLOADED' });
      created.push(video);
      await catalog.create(video);
    }
    const privateVideo = newVideo({
      ownerId,
      visibility: 'private',
      status: 'UPLOADED',
      createdAt: '2026-11-21T09:00:00.000Z',
    });
    await catalog.create(privateVideo);
    for (const video of [...created, privateVideo]) {
      await catalog.recordJob(video.videoId, 'j', new Date().toISOString());
      await catalog.markReady(video.videoId, 'j', media, new Date().toISOString());
    }

    const first = await catalog.listByOwner(ownerId, { limit: 3 });
    const second = await catalog.listByOwner(ownerId, { limit: 3, cursor: first.cursor });
    assert.deepEqual(
      [...first.items, ...second.items].map((v) => v.videoId),
      [...created.map((v) => v.videoId).reverse(), privateVideo.videoId],
    );
    const publicIds = (await catalog.listPublic({ limit: 100 })).items.map((v) => v.videoId);
    for (const video of created) assert.ok(publicIds.includes(video.videoId));
    assert.ok(!publicIds.includes(privateVideo.videoId), 'a private video is never listed publicly');
    await assert.rejects(catalog.listPublic({ limit: 5, cursor: 'not-a-cursor!' }), InvalidCursorError);
  });

  it('lists a READY video publicly exactly while it is public, whatever order the changes come in', async () => {
    const isListed = async (videoId: string) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await catalog.listPublic({ limit: 50, ...(cursor ? { cursor } : {}) });
        ids.push(...page.items.map((video) => video.videoId));
        cursor = page.cursor;
      } while (cursor);
      return ids.includes(videoId);
    };
    const at = () => new Date().toISOString();

    // Made public while processing: listed once READY.
    const early = newVideo({ visibility: 'private', status: 'PROCESSING', jobId: 'job-1' });
    await catalog.create(early);
    const changed = await catalog.updateDetails(
      early.videoId,
      { visibility: 'public', title: 'Renamed' },
      at(),
    );
    assert.deepEqual([changed?.visibility, changed?.title], ['public', 'Renamed']);
    assert.equal(await isListed(early.videoId), false, 'not READY yet');
    assert.equal(await catalog.markReady(early.videoId, 'job-1', media, at()), true);
    assert.equal(await isListed(early.videoId), true);

    // READY and public, then unlisted, private, public again.
    await catalog.updateDetails(early.videoId, { visibility: 'unlisted' }, at());
    assert.equal(await isListed(early.videoId), false);
    await catalog.updateDetails(early.videoId, { visibility: 'private' }, at());
    assert.equal(await isListed(early.videoId), false);
    await catalog.updateDetails(early.videoId, { visibility: 'public' }, at());
    assert.equal(await isListed(early.videoId), true);
    await catalog.updateDetails(early.videoId, { description: 'Only the words change' }, at());
    assert.equal(await isListed(early.videoId), true, 'a change of words keeps it listed');

    // Made private while processing: never listed.
    const hidden = newVideo({ status: 'PROCESSING', jobId: 'job-2' });
    await catalog.create(hidden);
    await catalog.updateDetails(hidden.videoId, { visibility: 'private' }, at());
    assert.equal(await catalog.markReady(hidden.videoId, 'job-2', media, at()), true);
    assert.equal(await isListed(hidden.videoId), false);

    assert.equal(await catalog.updateDetails(randomUUID(), { title: 'Nobody' }, at()), undefined);
  });

  it('removes a video and says what it removed', async () => {
    const video = newVideo();
    await catalog.create(video);

    assert.equal((await catalog.remove(video.videoId))?.videoId, video.videoId);
    assert.equal(await catalog.get(video.videoId), undefined);
    assert.equal(await catalog.remove(video.videoId), undefined);
  });

  describe('clips and their source', () => {
    const at = () => new Date().toISOString();
    const clipOf = (source: StoredVideo, overrides: Partial<StoredVideo> = {}) =>
      newVideo({
        status: 'READY',
        ownerId: 'owner-2',
        source: { kind: 'clip', videoId: source.videoId, startSeconds: 1, endSeconds: 2 },
        ...overrides,
      });
    const isPublic = async (videoId: string) => {
      for (let page = await catalog.listPublic({ limit: 100 }); ; ) {
        if (page.items.some((video) => video.videoId === videoId)) return true;
        if (!page.cursor) return false;
        page = await catalog.listPublic({ limit: 100, cursor: page.cursor });
      }
    };

    it('cuts a clip only from a READY source at least as open, and counts it on the source', async () => {
      const source = newVideo({ status: 'READY', visibility: 'unlisted' });
      await catalog.create(source);

      await assert.rejects(catalog.create(clipOf(source, { visibility: 'public' })), {
        code: 'SOURCE_CHANGED',
      });
      const clip = clipOf(source, { visibility: 'unlisted' });
      await catalog.create(clip);
      await assert.rejects(catalog.create(clipOf(newVideo())), { code: 'SOURCE_CHANGED' }, 'no source');

      assert.equal((await catalog.get(source.videoId))?.clipsCut, 1);
      assert.deepEqual((await catalog.clipsOf(source.videoId, { limit: 10 })).items, [clip.videoId]);
    });

    it('narrows clips, unlisting them in the same write, pages their links, and forgets a removed clip', async () => {
      const source = newVideo({ status: 'READY' });
      await catalog.create(source);
      const clips = Array.from({ length: 5 }, () => clipOf(source));
      for (const clip of clips) await catalog.create(clip);
      assert.equal(await isPublic((clips[0] as StoredVideo).videoId), true);

      const ids: string[] = [];
      let page = await catalog.clipsOf(source.videoId, { limit: 2 });
      for (ids.push(...page.items); page.cursor; ids.push(...page.items)) {
        page = await catalog.clipsOf(source.videoId, { limit: 2, cursor: page.cursor });
      }
      assert.deepEqual(ids.sort(), clips.map((clip) => clip.videoId).sort());
      const [first, second] = clips as [StoredVideo, StoredVideo];
      assert.equal(await catalog.narrowClip(first.videoId, 'unlisted', at()), true);
      assert.equal(await catalog.narrowClip(first.videoId, 'unlisted', at()), false, 'already as narrow');
      assert.equal(await catalog.narrowClip(first.videoId, 'public', at()), false, 'never widens');
      assert.equal((await catalog.get(first.videoId))?.visibility, 'unlisted');
      assert.equal(await isPublic(first.videoId), false);
      assert.equal(await catalog.narrowClip(randomUUID(), 'private', at()), false, 'no such clip');

      await catalog.remove(second.videoId);
      assert.ok(!(await catalog.clipsOf(source.videoId, { limit: 10 })).items.includes(second.videoId));
    });

    it('changes a clip only while its source is as read, and removes a source only if no clip was cut since', async () => {
      const source = newVideo({ status: 'READY' });
      await catalog.create(source);
      const clip = clipOf(source);
      await catalog.create(clip);
      await catalog.updateDetails(source.videoId, { visibility: 'private' }, at());

      await assert.rejects(
        catalog.updateDetails(clip.videoId, { title: 'Stale' }, at(), {
          sourceId: source.videoId,
          visibility: 'public',
        }),
        { code: 'SOURCE_CHANGED' },
      );
      const changed = await catalog.updateDetails(
        clip.videoId,
        { title: 'Fresh', visibility: 'private' },
        at(),
        {
          sourceId: source.videoId,
          visibility: 'private',
        },
      );
      assert.deepEqual([changed?.title, changed?.visibility], ['Fresh', 'private']);
      assert.equal(await isPublic(clip.videoId), false);

      assert.equal(await catalog.remove(source.videoId, { clipsCut: undefined }), undefined, 'one was cut');
      assert.ok(await catalog.get(source.videoId));
      assert.equal((await catalog.remove(source.videoId, { clipsCut: 1 }))?.videoId, source.videoId);
      const orphan = await catalog.updateDetails(clip.videoId, { title: 'Orphan' }, at(), {
        sourceId: source.videoId,
        visibility: undefined,
      });
      assert.equal(orphan?.title, 'Orphan');
    });
  });
});
