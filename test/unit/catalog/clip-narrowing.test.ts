import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VISIBILITIES, type Visibility } from '#contract/catalog.ts';
import { narrowClipsOf } from '../../../lambdas/catalog/clip-narrowing.ts';
import { narrowest, visibilitiesAbove, visibilitiesFrom } from '../../../lambdas/catalog/video.ts';
import type { StoredVideo } from '../../../lambdas/catalog/video-catalog.ts';
import { InMemoryVideoCatalog } from './in-memory.ts';

describe('the narrowing rule', () => {
  it('takes the less open of a clip and its source, whatever the order', () => {
    const table: [Visibility, Visibility, Visibility][] = [
      ['public', 'public', 'public'],
      ['public', 'unlisted', 'unlisted'],
      ['public', 'private', 'private'],
      ['unlisted', 'public', 'unlisted'],
      ['unlisted', 'private', 'private'],
      ['private', 'public', 'private'],
    ];
    for (const [clip, source, expected] of table) {
      assert.equal(narrowest(clip, source), expected, `${clip} within ${source}`);
      assert.equal(narrowest(source, clip), expected, `${source} within ${clip}`);
    }
  });

  it('says which stored clips a ceiling narrows, and which sources a clip may be cut from', () => {
    assert.deepEqual(visibilitiesAbove('private'), ['public', 'unlisted']);
    assert.deepEqual(visibilitiesAbove('unlisted'), ['public']);
    assert.deepEqual(visibilitiesAbove('public'), []);
    assert.deepEqual(visibilitiesFrom('public'), ['public']);
    assert.deepEqual(visibilitiesFrom('private'), [...VISIBILITIES]);
  });
});

const at = '2026-11-21T12:00:00.000Z';

async function sourceWithClips(count: number) {
  const catalog = new InMemoryVideoCatalog();
  const base = {
    ownerId: 'alice',
    title: 't',
    status: 'READY',
    createdAt: at,
    updatedAt: at,
  } as const;
  await catalog.create({
    ...base,
    videoId: 'src',
    visibility: 'public',
    source: { kind: 'upload', fileName: 'a.mp4', size: 1, contentType: 'video/mp4' },
  });
  const clips: StoredVideo[] = Array.from({ length: count }, (_, i) => ({
    ...base,
    videoId: `clip-${String(i).padStart(4, '0')}`,
    ownerId: `user-${i % 7}`,
    visibility: i % 5 === 0 ? 'private' : i % 2 ? 'unlisted' : 'public',
    source: { kind: 'clip', videoId: 'src', startSeconds: 0, endSeconds: 1 },
  }));
  for (const clip of clips) await catalog.create(clip);
  return { catalog, clips };
}

describe('narrowClipsOf', () => {
  it('narrows every clip of a source over many pages, and only those more open than the ceiling', async () => {
    const { catalog, clips } = await sourceWithClips(250);
    const moreOpen = clips.filter((clip) => clip.visibility === 'public').length;

    const narrowed = await narrowClipsOf(catalog, 'src', 'unlisted', at);

    assert.equal(narrowed, moreOpen);
    for (const clip of clips) {
      const expected = clip.visibility === 'private' ? 'private' : 'unlisted';
      assert.equal((await catalog.get(clip.videoId))?.visibility, expected, clip.videoId);
    }
    assert.equal(await narrowClipsOf(catalog, 'src', 'unlisted', at), 0, 'a second run changes nothing');
  });

  it('finishes on a second run what a crash part-way left undone', async () => {
    const { catalog, clips } = await sourceWithClips(230);
    let writes = 0;
    const crashing = {
      clipsOf: catalog.clipsOf.bind(catalog),
      unlinkClip: catalog.unlinkClip.bind(catalog),
      narrowClip: async (clipId: string, ceiling: Visibility, when: string) => {
        if (++writes > 120) throw new Error('the function timed out');
        return catalog.narrowClip(clipId, ceiling, when);
      },
    };

    await assert.rejects(narrowClipsOf(crashing, 'src', 'private', at, { unlink: true }));
    const left = clips.filter((clip) => catalog.items.get(clip.videoId)?.visibility !== 'private');
    assert.ok(left.length > 0, 'the crash left clips to narrow');
    await narrowClipsOf(catalog, 'src', 'private', at, { unlink: true });

    assert.ok(clips.every((clip) => catalog.items.get(clip.videoId)?.visibility === 'private'));
    assert.deepEqual((await catalog.clipsOf('src', { limit: 10 })).items, [], 'every link forgotten');
  });
});
