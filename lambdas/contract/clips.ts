import * as z from 'zod';
import { VISIBILITIES, VideoIdParams, WatchableVideo } from './catalog.ts';
import { mediaSeconds } from './numbers.ts';
import { defineOperation } from './operation.ts';
import { singleLineText } from './text.ts';

/** The longest clip, in seconds. */
export const MAX_CLIP_SECONDS = 10 * 60;

export const CreateClipRequest = z
  .object({
    title: singleLineText({ label: 'A clip title', max: 200 }),
    startSeconds: mediaSeconds('startSeconds', { min: 0 }),
    endSeconds: mediaSeconds('endSeconds', { min: 0, above: 0 }),
    visibility: z
      .enum(VISIBILITIES)
      .optional()
      .describe("Defaults to the source's; never less restrictive than the source's."),
  })
  .strict()
  .meta({ id: 'CreateClipRequest' });

export const ClipIdParams = z.object({
  clipId: VideoIdParams.shape.videoId,
});

export const createClip = defineOperation({
  operationId: 'createClip',
  method: 'POST',
  path: '/videos/{videoId}/clips',
  tag: 'clips',
  summary: 'Cut a clip from a video or recording you may watch',
  description:
    `The range is checked against the source's duration and a limit of ${MAX_CLIP_SECONDS} s; the clip plays ` +
    'the whole segments around it (no re-encoding, so it may start and end up to one segment wider). It is a ' +
    'READY video of yours, listed with your videos, with `source.kind` `clip`. Clips per user per hour are ' +
    'limited: over it, 429 `QUOTA_EXCEEDED` with `Retry-After`.',
  auth: 'user',
  checkRevocation: true,
  params: VideoIdParams,
  body: CreateClipRequest,
  response: WatchableVideo,
  successStatus: 201,
  errors: [400, 401, 404, 409, 429],
});

export const getClip = defineOperation({
  operationId: 'getClip',
  method: 'GET',
  path: '/clips/{clipId}',
  tag: 'clips',
  summary: 'One clip, with playback',
  description:
    'As getVideo, for clips: public and unlisted clips are readable by anyone signed in, private ones by their ' +
    'owner only, and anyone but the owner sees a clip only while they may also read its source. A clip whose ' +
    'source its owner can no longer read (made private, or deleted) comes without playback, poster or renditions.',
  auth: 'user',
  checkRevocation: true,
  params: ClipIdParams,
  response: WatchableVideo,
  errors: [400, 401, 404],
});
