import * as z from 'zod';
import { defineOperation } from '#shared/operation.ts';
import { pageQueryFields } from '#shared/page-query.ts';
import { Video, WatchableVideo } from './video.ts';

/** The id of a video in a path: what `randomUUID` makes, and what other video sources may use. */
export const VideoIdParams = z.object({
  videoId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'A video id is 1–64 letters, digits, dashes or underscores.'),
});

export const VideoPage = z.object({
  items: z.array(Video),
  cursor: z.string().optional().describe('Pass back as `cursor` for the next page; absent on the last one.'),
});

export const ListVideosQuery = z
  .object({
    scope: z
      .enum(['mine', 'public'])
      .default('mine')
      .describe('`mine`: your videos in every status; `public`: public videos that are ready to play.'),
    ...pageQueryFields,
  })
  .strict();

export const getVideo = defineOperation({
  operationId: 'getVideo',
  method: 'GET',
  path: '/videos/{videoId}',
  tag: 'catalog',
  summary: 'One video',
  description:
    'Public and unlisted videos are readable by anyone signed in; a private video only by its owner ' +
    '(anyone else gets 404). A READY video comes with `playback`: CloudFront signed cookies for its media ' +
    'and the URL of its multivariant playlist; media cannot be fetched without them.',
  auth: 'user',
  params: VideoIdParams,
  response: WatchableVideo,
  errors: [400, 401, 404],
});

export const listVideos = defineOperation({
  operationId: 'listVideos',
  method: 'GET',
  path: '/videos',
  tag: 'catalog',
  summary: 'Your videos, or the public ones, newest first',
  auth: 'user',
  query: ListVideosQuery,
  response: VideoPage,
  errors: [400, 401],
});

export const deleteVideo = defineOperation({
  operationId: 'deleteVideo',
  method: 'DELETE',
  path: '/videos/{videoId}',
  tag: 'catalog',
  summary: 'Delete one of your videos with its media and original',
  description:
    'Removes the renditions, poster and thumbnails, the uploaded original (aborting an upload in ' +
    'progress) and the catalog entry. Only the owner may delete.',
  auth: 'user',
  checkRevocation: true,
  params: VideoIdParams,
  response: z.undefined(),
  successStatus: 204,
  errors: [400, 401, 403, 404],
});
