import * as z from 'zod';
import { VISIBILITIES } from './catalog.ts';
import { StreamId, StreamIdParams } from './ids.ts';
import { AdBreak, Announcement, disclaimerText, ReactionTotals } from './interactivity.ts';
import { defineOperation } from './operation.ts';
import { pageQueryFields } from './page-query.ts';
import { singleLineText } from './text.ts';

/** The shapes of the live API. A stream id is the creator's IVS channel id (the last part of its ARN). */

export { StreamId, StreamIdParams };

const Tag = z
  .string()
  .trim()
  // A decomposed "é" (e + combining accent) is one letter once composed.
  .normalize('NFC')
  .toLowerCase()
  .regex(
    /^[\p{L}\p{N}][\p{L}\p{N} _-]{0,29}$/u,
    'A tag is 1–30 letters, digits, spaces, dashes or underscores.',
  );

export const StartStreamRequest = z
  .object({
    title: singleLineText({ label: 'A stream title', max: 200 }),
    category: singleLineText({ label: 'A category', max: 50 }).optional(),
    tags: z
      .array(Tag)
      .max(10, 'At most 10 tags.')
      .default([])
      .transform((tags) => [...new Set(tags)]),
    visibility: z
      .enum(VISIBILITIES)
      .default('public')
      .describe('`private`: only you can watch, with a playback token; `unlisted`: anyone with the link.'),
    disclaimer: disclaimerText()
      .optional()
      .describe('Shown to each viewer before the stream plays, until dismissed; absent: none.'),
  })
  .strict()
  .meta({ id: 'StartStreamRequest' });
export type StartStreamRequest = z.output<typeof StartStreamRequest>;

export const StreamView = z
  .object({
    streamId: z.string(),
    ownerId: z.string(),
    title: z.string(),
    category: z.string().optional(),
    tags: z.array(z.string()),
    visibility: z.enum(VISIBILITIES),
    status: z.enum(['OFFLINE', 'LIVE']),
    startedAt: z.iso.datetime().optional(),
    endedAt: z.iso.datetime().optional(),
    viewerCount: z.number().int().min(0).optional().describe('While LIVE: viewers IVS counts right now.'),
    playbackUrl: z.string().optional().describe('HLS; for a private stream append `?token=<playbackToken>`.'),
    playbackToken: z
      .string()
      .optional()
      .describe('Private streams only: an ES384 JWT for this channel, short-lived.'),
    latestRecordingVideoId: z.string().optional().describe('The video the last recording became.'),
    disclaimer: z.string().optional().describe('Show before playback until the viewer dismisses it.'),
    announcement: Announcement.optional().describe('While LIVE: the announcement showing right now, if any.'),
    adBreak: AdBreak.optional().describe('While LIVE: the ad break playing right now, if any.'),
    reactions: ReactionTotals.optional().describe("While LIVE: the current stream's reaction totals."),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'StreamView' });
export type StreamView = z.output<typeof StreamView>;

export const Ingest = z
  .object({
    url: z.string().describe('What OBS calls "Server"; publish to `url + streamKey`.'),
    streamKey: z.string().describe('Secret: whoever has it can broadcast on your channel.'),
  })
  .meta({ id: 'Ingest' });

export const StartStreamResponse = z
  .object({ stream: StreamView, ingest: Ingest })
  .meta({ id: 'StartStreamResponse' });
export const IngestResponse = z.object({ ingest: Ingest }).meta({ id: 'IngestResponse' });

export const ListStreamsQuery = z.object(pageQueryFields).strict();

export const StreamPage = z
  .object({
    items: z.array(StreamView),
    cursor: z
      .string()
      .optional()
      .describe('Pass back as `cursor` for the next page; absent on the last one.'),
  })
  .meta({ id: 'StreamPage' });

export const startStream = defineOperation({
  operationId: 'startStream',
  method: 'POST',
  path: '/streams',
  tag: 'live',
  summary: 'Get ready to go live: your channel (created on first use), its ingest URL and stream key',
  description:
    'Creates your IVS channel the first time (one per creator, low latency, RTMPS ingest, recorded) and ' +
    'updates its title, category, tags and visibility. Publish to `ingest.url + ingest.streamKey`. Calls per ' +
    'user per hour are limited: over it, 429 `QUOTA_EXCEEDED` with `Retry-After`.',
  auth: 'user',
  checkRevocation: true,
  body: StartStreamRequest,
  response: StartStreamResponse,
  errors: [400, 401, 409, 415, 429],
});

export const getStreamKey = defineOperation({
  operationId: 'getStreamKey',
  method: 'GET',
  path: '/streams/{streamId}/key',
  tag: 'live',
  summary: 'Your stream key',
  description: 'Only the owner of the stream can read its key; anyone else gets 404.',
  auth: 'user',
  checkRevocation: true,
  params: StreamIdParams,
  response: IngestResponse,
  errors: [400, 401, 404, 409],
});

export const rotateStreamKey = defineOperation({
  operationId: 'rotateStreamKey',
  method: 'POST',
  path: '/streams/{streamId}/key',
  tag: 'live',
  summary: 'Replace your stream key',
  description:
    'Revokes the old key first, then stops the stream (an encoder reconnecting with the old key is ' +
    'refused), then creates a new key.',
  auth: 'user',
  checkRevocation: true,
  params: StreamIdParams,
  response: IngestResponse,
  errors: [400, 401, 404, 409],
});

export const endStream = defineOperation({
  operationId: 'endStream',
  method: 'POST',
  path: '/streams/{streamId}/end',
  tag: 'live',
  summary: 'Stop your live stream',
  description: 'Disconnects the encoder. Ending a stream that is not live does nothing.',
  auth: 'user',
  checkRevocation: true,
  params: StreamIdParams,
  response: z.undefined(),
  successStatus: 204,
  errors: [400, 401, 404],
});

export const watchStream = defineOperation({
  operationId: 'watchStream',
  method: 'GET',
  path: '/streams/{streamId}',
  tag: 'live',
  summary: 'One stream: status, title, playback URL (and token for a private stream)',
  description:
    'Public and unlisted streams are readable by anyone signed in; a private one only by its owner.',
  auth: 'user',
  checkRevocation: true,
  params: StreamIdParams,
  response: StreamView,
  errors: [400, 401, 404],
});

export const listStreams = defineOperation({
  operationId: 'listStreams',
  method: 'GET',
  path: '/streams',
  tag: 'live',
  summary: 'Public streams that are live now, most recently started first',
  auth: 'user',
  query: ListStreamsQuery,
  response: StreamPage,
  errors: [400, 401],
});
