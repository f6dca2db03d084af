import * as z from 'zod';
import { VideoIdParams } from './ids.ts';
import { disclaimerText } from './interactivity.ts';
import { defineOperation } from './operation.ts';
import { pageQueryFields } from './page-query.ts';
import { multiLineText, singleLineText } from './text.ts';

/**
 * A video in the catalog, from upload (or live recording) to playable. Statuses only move forward:
 * UPLOADING → UPLOADED → PROCESSING → READY or FAILED. Late or repeated events never move a video back.
 */
export const VIDEO_STATUSES = ['UPLOADING', 'UPLOADED', 'PROCESSING', 'READY', 'FAILED'] as const;
export type VideoStatus = (typeof VIDEO_STATUSES)[number];

export const VISIBILITIES = ['public', 'unlisted', 'private'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const Rendition = z
  .object({
    name: z.string().describe('e.g. 1080p'),
    width: z.number().int(),
    height: z.number().int(),
    bitrate: z.number().int().describe('Peak bits per second.'),
    /** The rendition's media playlist, relative to the media URL. */
    playlistPath: z.string(),
  })
  .meta({ id: 'Rendition' });
export type Rendition = z.output<typeof Rendition>;

export const Failure = z
  .object({
    code: z.string().describe('Machine-readable, e.g. NOT_A_VIDEO or TRANSCODE_FAILED.'),
    message: z.string().describe('What went wrong, for the person who uploaded the video.'),
  })
  .meta({ id: 'Failure' });
export type Failure = z.output<typeof Failure>;

export const PlaybackCookie = z
  .object({
    name: z.string(),
    value: z.string(),
    /** The URL path the cookie is sent for: the video's media prefix, ending in `/`. */
    path: z.string(),
    expires: z.iso.datetime(),
  })
  .meta({ id: 'PlaybackCookie' });
export type PlaybackCookie = z.output<typeof PlaybackCookie>;

export const Playback = z
  .object({
    url: z.string().describe('Absolute URL of the multivariant playlist.'),
    expiresAt: z.iso.datetime().describe('When the cookies stop working; ask getVideo again before then.'),
    cookies: z
      .array(PlaybackCookie)
      .describe(
        'Set each (name=value; path; expires; SameSite=Strict; Secure on https) before fetching the url.',
      ),
  })
  .describe('How to play a READY video: CloudFront signed cookies for its media prefix and the playlist URL.')
  .meta({ id: 'Playback' });
export type Playback = z.output<typeof Playback>;

/** What a video is made from. */
export const VideoSource = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('upload'),
      fileName: z.string().optional().describe("The uploader's original file name; shown to the owner only."),
      size: z.number().int(),
      contentType: z.string(),
    }),
    z.object({ kind: z.literal('recording'), channelArn: z.string() }),
    z.object({
      kind: z.literal('clip'),
      /** The video or recording the clip was cut from. */
      videoId: z.string(),
      /** The range asked for; the clip plays whole segments around it. */
      startSeconds: z.number(),
      endSeconds: z.number(),
    }),
  ])
  .meta({ id: 'VideoSource' });
export type VideoSource = z.output<typeof VideoSource>;

/** A video as the API returns it. */
export const Video = z
  .object({
    videoId: z.string(),
    ownerId: z.string(),
    title: z.string(),
    description: z.string().optional(),
    visibility: z.enum(VISIBILITIES),
    status: z.enum(VIDEO_STATUSES),
    /** 0–100 while PROCESSING. */
    progress: z.number().min(0).max(100).optional(),
    failure: Failure.optional(),
    source: VideoSource,
    durationSeconds: z.number().optional(),
    /** Multivariant HLS playlist, relative to the media URL. Present when READY. */
    playbackPath: z.string().optional(),
    posterPath: z.string().optional(),
    thumbnails: z
      .object({ pathTemplate: z.string(), count: z.number().int(), intervalSeconds: z.number() })
      .optional()
      .describe('Scrubbing thumbnails: pathTemplate has {index} for 0…count-1.'),
    renditions: z.array(Rendition).optional(),
    /** The audio-only videos have no picture: no renditions with a size, no poster. */
    audioOnly: z.boolean().optional(),
    disclaimer: z.string().optional().describe('Show before playback until the viewer dismisses it.'),
    sponsorCreative: z.boolean().optional().describe("The owner's live ad breaks may play this video."),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Video' });
export type Video = z.output<typeof Video>;

/** What a finished transcode (or recording) adds to a video. */
export type PlayableMedia = Pick<
  Video,
  'durationSeconds' | 'playbackPath' | 'posterPath' | 'thumbnails' | 'renditions' | 'audioOnly'
>;

/** A video as getVideo and getClip return it: with playback (signed cookies) when the caller may watch it. */
export const WatchableVideo = Video.extend({ playback: Playback.optional() }).meta({ id: 'WatchableVideo' });
export type WatchableVideo = z.output<typeof WatchableVideo>;

/** A video in a listing: with a signed URL for its poster when it is READY and has one. */
export const ListedVideo = Video.extend({
  posterUrl: z
    .string()
    .optional()
    .describe(
      'Absolute CloudFront signed URL of the poster (this one object only), present on READY videos that have ' +
        'a poster; it expires like playback cookies, so list again for a fresh one.',
    ),
}).meta({ id: 'ListedVideo' });
export type ListedVideo = z.output<typeof ListedVideo>;

export { VideoIdParams };

export const VideoPage = z
  .object({
    items: z.array(ListedVideo),
    cursor: z
      .string()
      .optional()
      .describe('Pass back as `cursor` for the next page; absent on the last one.'),
  })
  .meta({ id: 'VideoPage' });

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
    'Public and unlisted videos are readable by anyone signed in once READY; a private video, or one not READY ' +
    'yet, only by its owner (anyone else gets 404), and a clip only by those who may read its source too. A READY video comes with `playback`: CloudFront signed cookies for its media ' +
    'and the URL of its multivariant playlist; media cannot be fetched without them.',
  auth: 'user',
  checkRevocation: true,
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
  checkRevocation: true,
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
    title: singleLineText({ label: 'A title', max: 200 }).optional(),
    description: multiLineText({ label: 'A description', max: 5000 }).optional(),
    visibility: z
      .enum(VISIBILITIES)
      .optional()
      .describe('public: listed for everyone signed in; unlisted: anyone with the link; private: only you.'),
    disclaimer: disclaimerText().nullable().optional().describe('null removes it.'),
    sponsorCreative: z
      .boolean()
      .optional()
      .describe('Mark a READY, not private video of yours that your ad breaks may play.'),
  })
  .strict()
  .refine((changes) => Object.values(changes).some((value) => value !== undefined), {
    message: 'Say what to change: title, description, visibility, disclaimer or sponsorCreative.',
  })
  .meta({ id: 'UpdateVideoRequest' });

export const updateVideo = defineOperation({
  operationId: 'updateVideo',
  method: 'PATCH',
  path: '/videos/{videoId}',
  tag: 'catalog',
  summary: 'Change the title, description or visibility of one of your videos',
  description:
    'Only the owner may. Visibility takes effect at once for new viewers (playback cookies already handed out ' +
    'last until they expire); a clip can never be more visible than its source (400 VISIBILITY_TOO_OPEN), and ' +
    'making a video less visible narrows its clips to match (409 SOURCE_CHANGED if the source of a clip kept ' +
    'changing meanwhile; ask again).',
  auth: 'user',
  checkRevocation: true,
  params: VideoIdParams,
  body: UpdateVideoRequest,
  response: Video,
  errors: [400, 401, 403, 404, 409],
});
