import * as z from 'zod';
import { StreamIdParams, VideoId } from './ids.ts';
import {
  AD_BREAK_MAX_LEAD_SECONDS,
  AD_BREAK_SECONDS,
  ANNOUNCEMENT_KINDS,
  METADATA_MAX_BYTES,
  REACTION_RATE_LIMIT,
  REACTIONS,
  type Reaction,
} from './interactivity-limits.ts';
import { defineOperation } from './operation.ts';
import { singleLineText } from './text.ts';

export * from './interactivity-limits.ts';

/**
 * Live interactivity: reactions and announcements (news flashes and disclaimers). Each reaches the
 * viewers in-band: the API hands it to IVS `PutMetadata`, IVS puts it into the stream as ID3 timed metadata, and
 * every player surfaces it at the moment of the video it belongs to, whatever its latency (the IVS player as a
 * `TextMetadataCue`, hls.js as an ID3 metadata cue). What goes in-band is one JSON `LiveMetadata` envelope per
 * call, at most `METADATA_MAX_BYTES` of UTF-8.
 */

/** UTF-8 bytes of a string as JSON writes it inside an envelope (escapes included, quotes not). */
export function jsonTextBytes(text: string): number {
  return new TextEncoder().encode(JSON.stringify(text)).length - 2;
}

/**
 * The longest announcement text, in UTF-8 bytes once JSON-escaped: the 1 KB payload less the largest envelope
 * around it (`ANNOUNCEMENT_ENVELOPE_MAX_BYTES`, checked against a real envelope by a unit test), with room to
 * spare. In characters it is at most `ANNOUNCEMENT_TEXT_MAX_CHARACTERS` as well: a news flash is read at a glance.
 */
export const ANNOUNCEMENT_ENVELOPE_MAX_BYTES = 256;
export const ANNOUNCEMENT_TEXT_MAX_BYTES = METADATA_MAX_BYTES - ANNOUNCEMENT_ENVELOPE_MAX_BYTES;
export const ANNOUNCEMENT_TEXT_MAX_CHARACTERS = 280;
export const ANNOUNCEMENT_SECONDS = { min: 3, max: 600, default: 15 } as const;

/** A disclaimer shown before playback of a video or stream ("contains flashing lights"), which the viewer dismisses. */
export const DISCLAIMER_MAX_CHARACTERS = 300;
export const disclaimerText = () =>
  singleLineText({ label: 'A disclaimer', max: DISCLAIMER_MAX_CHARACTERS }).describe(
    'Shown before playback until the viewer dismisses it, e.g. "Contains flashing lights".',
  );

/** A stream's reaction totals, every reaction of the set present (0 when none). */
export const ReactionTotals = z
  .object(
    Object.fromEntries(REACTIONS.map((reaction) => [reaction, z.number().int().min(0)])) as Record<
      Reaction,
      z.ZodNumber
    >,
  )
  .meta({ id: 'ReactionTotals' });
export type ReactionTotals = z.output<typeof ReactionTotals>;

export const SendReactionRequest = z
  .object({ reaction: z.enum(REACTIONS) })
  .strict()
  .meta({ id: 'SendReactionRequest' });

export const ReactionAccepted = z
  .object({
    reaction: z.enum(REACTIONS),
    acceptedAt: z.iso.datetime(),
    remaining: z.number().int().min(0).describe('Reactions you may still send in the current window.'),
  })
  .meta({ id: 'ReactionAccepted' });
export type ReactionAccepted = z.output<typeof ReactionAccepted>;

export const PostAnnouncementRequest = z
  .object({
    kind: z
      .enum(ANNOUNCEMENT_KINDS)
      .describe('`news`: a news flash in the lower third; `disclaimer`: a notice over the video.'),
    text: singleLineText({ label: 'An announcement', max: ANNOUNCEMENT_TEXT_MAX_CHARACTERS }).refine(
      (text) => jsonTextBytes(text) <= ANNOUNCEMENT_TEXT_MAX_BYTES,
      {
        message: `An announcement is at most ${ANNOUNCEMENT_TEXT_MAX_BYTES} bytes of UTF-8 (JSON-escaped), so it fits the ${METADATA_MAX_BYTES}-byte in-band payload.`,
        params: { code: 'ANNOUNCEMENT_TOO_LONG' },
      },
    ),
    durationSeconds: z
      .number()
      .int('durationSeconds is a whole number of seconds.')
      .min(ANNOUNCEMENT_SECONDS.min)
      .max(ANNOUNCEMENT_SECONDS.max)
      .default(ANNOUNCEMENT_SECONDS.default)
      .describe('How long viewers see it.'),
  })
  .strict()
  .meta({ id: 'PostAnnouncementRequest' });

export const Announcement = z
  .object({
    announcementId: z.string(),
    kind: z.enum(ANNOUNCEMENT_KINDS),
    text: z.string(),
    postedAt: z.iso.datetime(),
    endsAt: z.iso.datetime(),
  })
  .meta({ id: 'Announcement' });
export type Announcement = z.output<typeof Announcement>;

export const ScheduleAdBreakRequest = z
  .object({
    durationSeconds: z
      .number()
      .int('durationSeconds is a whole number of seconds.')
      .min(AD_BREAK_SECONDS.min)
      .max(AD_BREAK_SECONDS.max),
    creativeVideoId: VideoId.optional().describe(
      'One of your READY, not private videos marked as a sponsor creative; absent: the house creative, if any.',
    ),
    startsAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe(
        `When the break starts, within the next ${AD_BREAK_MAX_LEAD_SECONDS / 3600} hours; absent (or within a few seconds): now.`,
      ),
  })
  .strict()
  .meta({ id: 'ScheduleAdBreakRequest' });

/** SCHEDULED: waits for its time; STARTED: went in-band; CANCELLED: the stream ended (or another break played) first. */
export const AD_BREAK_STATUSES = ['SCHEDULED', 'STARTED', 'CANCELLED'] as const;

export const AdBreak = z
  .object({
    adBreakId: z.string(),
    streamId: z.string(),
    status: z.enum(AD_BREAK_STATUSES),
    startsAt: z.iso.datetime(),
    durationSeconds: z.number().int(),
    creativeVideoId: z.string().describe('Play it with getVideo (its playback cookies).'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'AdBreak' });
export type AdBreak = z.output<typeof AdBreak>;

export const sendReaction = defineOperation({
  operationId: 'sendReaction',
  method: 'POST',
  path: '/streams/{streamId}/reactions',
  tag: 'interactivity',
  summary: 'React to a live stream',
  description:
    'Counted exactly; every viewer sees it float over the video at the moment it was sent (in-band, ' +
    `aggregated with everyone else's). At most ${REACTION_RATE_LIMIT.max} per viewer per ` +
    `${REACTION_RATE_LIMIT.windowSeconds} s: over it, 429 with \`Retry-After\`. A stream that is not live ` +
    'answers 409 STREAM_NOT_LIVE; one you may not watch, 404.',
  auth: 'user',
  params: StreamIdParams,
  body: SendReactionRequest,
  response: ReactionAccepted,
  successStatus: 202,
  errors: [400, 401, 404, 409, 415, 429],
});

export const postAnnouncement = defineOperation({
  operationId: 'postAnnouncement',
  method: 'POST',
  path: '/streams/{streamId}/announcements',
  tag: 'interactivity',
  summary: 'Show a news flash or a disclaimer to everyone watching your live stream',
  description:
    'Owner only (403 for anyone else who may watch the stream, 404 for the rest). Goes in-band, so each ' +
    'viewer sees it at the same moment of the video; a viewer who joins while it lasts gets it from ' +
    'watchStream. A newer announcement replaces the active one. 409 STREAM_NOT_LIVE when the stream is offline.',
  auth: 'user',
  checkRevocation: true,
  params: StreamIdParams,
  body: PostAnnouncementRequest,
  response: Announcement,
  successStatus: 201,
  errors: [400, 401, 403, 404, 409, 415, 429],
});

export const scheduleAdBreak = defineOperation({
  operationId: 'scheduleAdBreak',
  method: 'POST',
  path: '/streams/{streamId}/ad-breaks',
  tag: 'interactivity',
  summary: 'Start an ad break in your live stream now, or schedule one within the next 24 hours',
  description:
    'Owner only (403 for anyone else who may watch the stream, 404 for the rest); the stream must be live ' +
    '(409 STREAM_NOT_LIVE). Viewers see the creative with a countdown over the paused stream, then return to ' +
    'the live edge. The creative is one of your READY, not private videos marked as a sponsor creative ' +
    '(updateVideo `sponsorCreative`), or the house creative the operator configured (400 NO_CREATIVE when there ' +
    'is none, 400 CREATIVE_NOT_ELIGIBLE for a video that may not be played as an ad). One break at a time: 409 ' +
    'AD_BREAK_IN_PROGRESS while one plays, 409 AD_BREAK_OVERLAPS for a scheduled one that would overlap another. ' +
    'A scheduled break (201, SCHEDULED) starts at its time if the stream is still live then, and is cancelled ' +
    'when the stream ends; a time in the past or beyond 24 hours is 400 AD_BREAK_TIME_INVALID.',
  auth: 'user',
  checkRevocation: true,
  params: StreamIdParams,
  body: ScheduleAdBreakRequest,
  response: AdBreak,
  successStatus: 201,
  errors: [400, 401, 403, 404, 409, 415, 429],
});
