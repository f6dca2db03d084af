/**
 * Keeping clips within their source: when a source narrows (public → unlisted or private, unlisted → private) or
 * is deleted, every clip cut from it is narrowed to the source's new visibility (private for a deleted one), and
 * leaves the public listing in the same write.
 *
 * A source may have any number of clips, more than a transaction's 100 items, so each clip gets its own
 * conditional write (narrow only if more open than the ceiling), a page of links at a time: a crash midway
 * leaves some clips narrowed and some not, and running it again (the owner repeating the change or the
 * deletion) finishes the rest. Until then the read side (`sight` in visibility.ts) already treats every clip as
 * no more open than its source, so nothing is shown in between.
 */
import type { Visibility } from '#contract/catalog.ts';
import type { VideoCatalog } from './video-catalog.ts';

/** Links read per page, and clips written at once. */
const PAGE_SIZE = 100;
const CONCURRENT_WRITES = 8;

/** Runs `work` over `items`, `concurrency` at a time. */
async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

/**
 * Narrows every clip of `sourceId` to at most `ceiling`; with `unlink`, also forgets each link (the source is
 * being deleted). Returns how many clips it changed.
 */
export async function narrowClipsOf(
  catalog: Pick<VideoCatalog, 'clipsOf' | 'narrowClip' | 'unlinkClip'>,
  sourceId: string,
  ceiling: Visibility,
  at: string,
  options: { unlink?: boolean } = {},
): Promise<number> {
  let narrowed = 0;
  let cursor: string | undefined;
  do {
    const page = await catalog.clipsOf(sourceId, { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    await inParallel(page.items, CONCURRENT_WRITES, async (clipId) => {
      if (await catalog.narrowClip(clipId, ceiling, at)) narrowed += 1;
      // Unlinked only once narrowed: a crash in between leaves the link, and a second run narrows again.
      if (options.unlink) await catalog.unlinkClip(sourceId, clipId);
    });
    cursor = page.cursor;
  } while (cursor);
  return narrowed;
}
