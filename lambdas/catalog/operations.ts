import * as z from 'zod';
import { defineOperation } from '#shared/operation.ts';
import { pageQueryFields } from '#shared/page-query.ts';
import { ListedVideo, VISIBILITIES, Video, WatchableVideo } from './video.ts';

/** The id of a video in a path: what `randomUUID` makes, and what other video sources may use. */
export const VideoIdParams = z.object({
  videoId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'A video id is 1–64 letters, digits, dashes or underscores.'),
});

export const VideoPage = z.object({
  items: z.array(ListedVideo),
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
  description:
    'A READY video with a poster comes with `posterUrl`: a CloudFront signed URL for that one image, valid as ' +
    'long as playback cookies (PLAYBACK_TTL_SECONDS), so a list can show posters without cookies. Other ' +
    'media still needs the cookies getVideo hands out.',
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

export const UpdateVideoRequest = z
  .object({
    title: z.string().trim().min(1, 'A title needs at least one character.').max(200).optional(),
    description: z.string().trim().max(5000).optional(),
    visibility: z
      .enum(VISIBILITIES)
      .optional()
      .describe('public: listed for everyone signed in; unlisted: anyone with the link; private: only you.'),
  })
  .strict()
  .refine((changes) => Object.values(changes).some((value) => value !== undefined), {
    message: 'Say what to change: title, description or visibility.',
  });

export const updateVideo = defineOperation({
  operationId: 'updateVideo',
  method: 'PATCH',
  path: '/videos/{videoId}',
  tag: 'catalog',
  summary: 'Change the title, description or visibility of one of your videos',
  description:
    'Only the owner may. Visibility takes effect at once for new viewers (playback cookies already handed out ' +
    'last until they expire); a clip can never be more visible than its source (400 VISIBILITY_TOO_OPEN).',
  auth: 'user',
  checkRevocation: true,
  params: VideoIdParams,
  body: UpdateVideoRequest,
  response: Video,
  errors: [400, 401, 403, 404],
});
