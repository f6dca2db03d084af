/**
 * The in-band envelopes a live stream carries (reactions, announcements), read from the text of an ID3 cue. The
 * text comes from the stream, not from our API's answers: anything that is not one of our envelopes, or says
 * more than one can, is ignored rather than trusted.
 */
import {
  ANNOUNCEMENT_KINDS,
  type Announcement,
  type LiveMetadata,
  REACTIONS,
  type ReactionCounts,
} from '#contract/interactivity-limits.ts';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isTime = (value: unknown): value is string =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value));

function announcementOf(value: unknown): Announcement | undefined {
  if (!isObject(value)) return undefined;
  const { announcementId, kind, text, postedAt, endsAt } = value;
  if (typeof announcementId !== 'string' || typeof text !== 'string') return undefined;
  if (!(ANNOUNCEMENT_KINDS as readonly unknown[]).includes(kind)) return undefined;
  if (!isTime(postedAt) || !isTime(endsAt) || Date.parse(endsAt) <= Date.parse(postedAt)) return undefined;
  return { announcementId, kind: kind as Announcement['kind'], text, postedAt, endsAt };
}

/** One envelope from a cue's text, or undefined for anything else. */
export function parseLiveMetadata(text: string): LiveMetadata | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value) || value.v !== 1) return undefined;
  if (value.type === 'reactions') {
    if (!isObject(value.counts) || !isTime(value.first) || !isTime(value.last)) return undefined;
    const counts: ReactionCounts = {};
    for (const reaction of REACTIONS) {
      const count = value.counts[reaction];
      if (typeof count === 'number' && Number.isSafeInteger(count) && count > 0) counts[reaction] = count;
    }
    return { v: 1, type: 'reactions', counts, first: value.first, last: value.last };
  }
  if (value.type === 'adBreak') {
    const adBreak = value.adBreak;
    if (!isObject(adBreak)) return undefined;
    const { adBreakId, startsAt, durationSeconds, creativeVideoId } = adBreak;
    if (typeof adBreakId !== 'string' || typeof creativeVideoId !== 'string' || !isTime(startsAt))
      return undefined;
    if (
      typeof durationSeconds !== 'number' ||
      !Number.isInteger(durationSeconds) ||
      durationSeconds < 1 ||
      durationSeconds > 600
    )
      return undefined;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(creativeVideoId)) return undefined;
    return { v: 1, type: 'adBreak', adBreak: { adBreakId, startsAt, durationSeconds, creativeVideoId } };
  }
  if (value.type === 'announcement') {
    const announcement = announcementOf(value.announcement);
    return announcement ? { v: 1, type: 'announcement', announcement } : undefined;
  }
  return undefined;
}

/** How long an announcement shows from the moment its cue plays: what its poster asked for. */
export const announcementSeconds = (announcement: Announcement) =>
  (Date.parse(announcement.endsAt) - Date.parse(announcement.postedAt)) / 1000;
