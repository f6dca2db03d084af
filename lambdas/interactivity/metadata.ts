import {
  type Announcement,
  type LiveMetadata,
  METADATA_MAX_BYTES,
  REACTIONS,
  type ReactionCounts,
} from '#contract/interactivity.ts';

/**
 * The JSON of one in-band envelope, checked against PutMetadata's 1 KB. Every envelope Skycast makes is bounded
 * by the contract's limits (announcement text, the fixed set of reactions), so one over it is a bug here, not
 * bad input: it throws rather than let IVS refuse it.
 */
export function encodeMetadata(envelope: LiveMetadata): string {
  const payload = JSON.stringify(envelope);
  const bytes = Buffer.byteLength(payload, 'utf8');
  if (bytes > METADATA_MAX_BYTES)
    throw new Error(`An in-band ${envelope.type} envelope of ${bytes} bytes exceeds ${METADATA_MAX_BYTES}`);
  return payload;
}

export const announcementEnvelope = (announcement: Announcement): LiveMetadata => ({
  v: 1,
  type: 'announcement',
  announcement,
});

/** The reactions accepted in one window: their counts (only those sent), and the times the window covers. */
export function reactionsEnvelope(counts: ReactionCounts, first: string, last: string): LiveMetadata {
  const sent: ReactionCounts = {};
  for (const reaction of REACTIONS) {
    const count = counts[reaction] ?? 0;
    if (count > 0) sent[reaction] = count;
  }
  return { v: 1, type: 'reactions', counts: sent, first, last };
}
