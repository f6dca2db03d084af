import * as z from 'zod';
import { Playback } from '../delivery/playback.ts';

/**
 * A video in the catalog, from upload (or live recording) to playable. Statuses only move forward:
 * UPLOADING → UPLOADED → PROCESSING → READY or FAILED. Late or repeated events never move a video back.
 */
export const VIDEO_STATUSES = ['UPLOADING', 'UPLOADED', 'PROCESSING', 'READY', 'FAILED'] as const;
export type VideoStatus = (typeof VIDEO_STATUSES)[number];

/** How far along a status is; READY and FAILED are both final. */
export const STATUS_RANK: Record<VideoStatus, number> = {
  UPLOADING: 0,
  UPLOADED: 1,
  PROCESSING: 2,
  READY: 3,
  FAILED: 3,
};

export const isFinal = (status: VideoStatus) => STATUS_RANK[status] === 3;

export const VISIBILITIES = ['public', 'unlisted', 'private'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** How many people may see a video of each visibility, in order: a clip is never more open than its source. */
export const OPENNESS: Readonly<Record<Visibility, number>> = { public: 2, unlisted: 1, private: 0 };

/** The visibilities a video derived from one of `source`'s visibility may have, most open first. */
export const visibilitiesWithin = (source: Visibility): Visibility[] =>
  VISIBILITIES.filter((visibility) => OPENNESS[visibility] <= OPENNESS[source]);

export const Rendition = z.object({
  name: z.string().describe('e.g. 1080p'),
  width: z.number().int(),
  height: z.number().int(),
  bitrate: z.number().int().describe('Peak bits per second.'),
  /** The rendition's media playlist, relative to the media URL. */
  playlistPath: z.string(),
});
export type Rendition = z.output<typeof Rendition>;

export const Failure = z.object({
  code: z.string().describe('Machine-readable, e.g. NOT_A_VIDEO or TRANSCODE_FAILED.'),
  message: z.string().describe('What went wrong, for the person who uploaded the video.'),
});
export type Failure = z.output<typeof Failure>;

/** What a video is made from. */
export const VideoSource = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('upload'),
    fileName: z.string(),
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
]);
export type VideoSource = z.output<typeof VideoSource>;

/** A video as the API returns it. */
export const Video = z.object({
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
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Video = z.output<typeof Video>;

/** What a finished transcode (or recording) adds to a video. */
export type PlayableMedia = Pick<
  Video,
  'durationSeconds' | 'playbackPath' | 'posterPath' | 'thumbnails' | 'renditions' | 'audioOnly'
>;

/** A video as getVideo and getClip return it: with playback (signed cookies) when the caller may watch it. */
export const WatchableVideo = Video.extend({ playback: Playback.optional() });
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
});
export type ListedVideo = z.output<typeof ListedVideo>;
