/**
 * How media is delivered, as data: which paths the web app's distribution serves from which media bucket (or
 * the manifest Lambda), how long each kind of object may be cached and what Cache-Control viewers get. The
 * CDK's media behaviours (lib/delivery/media-cdn.ts) are built from this table; the local media server
 * (local/media-server/) answers each path with the same origin and the same headers, so the two cannot
 * drift apart. Media shares the web app's domain so that playback cookies are same-origin: the SPA never
 * routes a page under `/videos/` or `/ivs/`.
 *
 * A path is the object's key: `https://<media>/videos/<id>/hls/index.m3u8` is `videos/<id>/hls/index.m3u8`
 * in the media bucket (lambdas/contract/media-layout.ts builds and recognises every such key and pattern).
 * Recordings keep IVS's own keys, which always start with `ivs/v1/` (IVS offers no prefix of our choosing):
 * `https://<media>/ivs/v1/…` is that key in the recordings bucket. Serving them at `/recordings/…` instead
 * would need a CloudFront Function to strip the prefix, and the rewritten path, which is the cache key, could
 * then be filled through the default behaviour from the wrong bucket.
 */

import { MEDIA_PATH_PATTERNS } from '#contract/media-layout.ts';
import type { BucketRole } from './resources.ts';

/** How long CloudFront keeps an object, in seconds. An object's own Cache-Control is clamped to min…max. */
export interface CacheTtl {
  minSeconds: number;
  /** Used when the object's metadata sets no Cache-Control (ours never do). */
  defaultSeconds: number;
  maxSeconds: number;
}

/**
 * What besides the path tells cached objects apart, and is forwarded to the origin. Empty lists: nothing,
 * so one cached copy serves every viewer; anything added multiplies copies and origin requests.
 */
export interface CacheKey {
  queryStrings: readonly string[];
  headers: readonly string[];
  cookies: readonly string[];
}

/** The buckets the media behaviours read from. */
export type DeliveryBucket = Extract<BucketRole, 'media' | 'recordings'>;

/** What answers a behaviour: a bucket, or the manifest Lambda (generated playlists). */
export type DeliveryOrigin = DeliveryBucket | 'manifest';

/** One cache behaviour: a path pattern, the bucket behind it, and how its objects are cached. */
export interface DeliveryBehaviour {
  id: string;
  description: string;
  /**
   * A CloudFront path pattern, without the leading slash: `*` stands for any run of characters, slashes
   * included, `?` for exactly one; case matters. The table is in CloudFront's order: first match wins, and
   * the last row, `*`, is the default behaviour.
   */
  pathPattern: string;
  origin: DeliveryOrigin;
  ttl: CacheTtl;
  /** What viewers are told, unless the object's own metadata sets Cache-Control. */
  cacheControl: string;
  cacheKey: CacheKey;
}

const YEAR = 365 * 24 * 60 * 60;
const DAY = 24 * 60 * 60;

/** Nothing but the path: no query string, header or cookie makes a difference to these objects. */
const PATH_ONLY: CacheKey = { queryStrings: [], headers: [], cookies: [] };

/** Query parameters a generated multivariant playlist is filtered by (lambdas/delivery/manifest.ts). */
export const VIEWER_LIMIT_QUERY = ['maxHeight', 'maxBitrate', 'device'] as const;

/** A generated multivariant playlist differs by the viewer's limits, and by nothing else. */
const VIEWER_LIMITS: CacheKey = { queryStrings: VIEWER_LIMIT_QUERY, headers: [], cookies: [] };

/**
 * The kinds of caching. `max-age` without `public`: these responses never answer an Authorization header,
 * and private playback (signed URLs or cookies) must not make them storable by shared caches on its own.
 */
const caching = {
  /** Written once under a key that is never written again: segments, IVS's recording files. */
  immutable: {
    ttl: { minSeconds: 0, defaultSeconds: YEAR, maxSeconds: YEAR },
    cacheControl: `max-age=${YEAR}, immutable`,
    cacheKey: PATH_ONLY,
  },
  /**
   * Written once when a transcode ends, but under a fixed name (`index.m3u8`, `poster.0000001.jpg`): a day,
   * so a stale copy cannot outlive a mistake for long. Deleting a video does not reach copies already cached.
   */
  long: {
    ttl: { minSeconds: 0, defaultSeconds: DAY, maxSeconds: YEAR },
    cacheControl: `max-age=${DAY}`,
    cacheKey: PATH_ONLY,
  },
  /**
   * Rewritten while a stream is live (a recording's playlists grow with each segment): one second, about half
   * a segment, so a player sees each new segment in time and the origin sees one request per second per
   * edge (per Origin Shield with it on), whatever the audience.
   */
  live: {
    ttl: { minSeconds: 0, defaultSeconds: 1, maxSeconds: 1 },
    cacheControl: 'max-age=1',
    cacheKey: PATH_ONLY,
  },
  /** Anything the table does not know: it may change, so a few seconds. */
  short: {
    ttl: { minSeconds: 0, defaultSeconds: 5, maxSeconds: 60 },
    cacheControl: 'max-age=5',
    cacheKey: PATH_ONLY,
  },
} as const;

/**
 * The media cache behaviours, in CloudFront's order. Every one requires a signed cookie (or URL) of the
 * trusted key group (lambdas/delivery/playback.ts); the cookie is checked, never part of the cache key.
 * Generated playlists come first: their paths sit under a video's or recording's prefix, where the rows after
 * them would otherwise send them to a bucket.
 */
export const deliveryBehaviours: readonly DeliveryBehaviour[] = [
  {
    id: 'video-manifests',
    description: "A video's multivariant playlist filtered for the viewer (manifest Lambda)",
    pathPattern: MEDIA_PATH_PATTERNS.videoFilteredPlaylists,
    origin: 'manifest',
    ...caching.long,
    cacheKey: VIEWER_LIMITS,
  },
  {
    id: 'recording-manifests',
    description: "A recording's multivariant playlist filtered for the viewer (manifest Lambda)",
    pathPattern: MEDIA_PATH_PATTERNS.recordingFilteredPlaylists,
    origin: 'manifest',
    ...caching.long,
    cacheKey: VIEWER_LIMITS,
  },
  {
    id: 'video-clips',
    description: "A clip of a video: playlists cut from its source's by the manifest Lambda",
    pathPattern: MEDIA_PATH_PATTERNS.videoClipPlaylists,
    origin: 'manifest',
    ...caching.long,
    cacheKey: VIEWER_LIMITS,
  },
  {
    id: 'recording-clips',
    description: "A clip of a recording: playlists cut from its source's by the manifest Lambda",
    pathPattern: MEDIA_PATH_PATTERNS.recordingClipPlaylists,
    origin: 'manifest',
    ...caching.long,
    cacheKey: VIEWER_LIMITS,
  },
  {
    id: 'vod-playlists',
    description: "A transcoded video's multivariant and rendition playlists",
    pathPattern: MEDIA_PATH_PATTERNS.videoPlaylists,
    origin: 'media',
    ...caching.long,
  },
  {
    id: 'vod-segments',
    description: "A transcoded video's segments (.ts, packed audio .aac, fMP4 .m4s/.mp4)",
    pathPattern: MEDIA_PATH_PATTERNS.videoSegments,
    origin: 'media',
    ...caching.immutable,
  },
  {
    id: 'thumbnails',
    description: 'Scrubbing thumbnails of a transcoded video',
    pathPattern: MEDIA_PATH_PATTERNS.videoThumbnails,
    origin: 'media',
    ...caching.long,
  },
  {
    id: 'posters',
    description: 'The poster frame of a transcoded video',
    pathPattern: MEDIA_PATH_PATTERNS.videoPosters,
    origin: 'media',
    ...caching.long,
  },
  {
    id: 'recording-playlists',
    description: "A live stream's recorded playlists, which grow while the stream is live",
    pathPattern: MEDIA_PATH_PATTERNS.recordingPlaylists,
    origin: 'recordings',
    ...caching.live,
  },
  {
    id: 'recording-files',
    description: "A live stream's recorded segments, thumbnails and event files",
    pathPattern: MEDIA_PATH_PATTERNS.recordingFiles,
    origin: 'recordings',
    ...caching.immutable,
  },
  {
    id: 'video-files',
    description: 'Anything else under a video in the media bucket',
    pathPattern: MEDIA_PATH_PATTERNS.videoFiles,
    origin: 'media',
    ...caching.short,
  },
];

/**
 * How long CloudFront keeps a 403 or 404 from a bucket before asking again (its own default is 10 s): a
 * playlist asked for a moment before it is written should not stay missing for long.
 */
export const ERROR_CACHING_SECONDS = 1;

/**
 * CORS for media: players on the web app's origin read media with fetch/XHR, which needs
 * Access-Control-Allow-Origin, and hls.js and others read Content-Range and friends, which must be exposed.
 * The allowed origins are the deployment's (the web app's URL), so they are not in this table.
 */
export const mediaCors = {
  allowMethods: ['GET', 'HEAD', 'OPTIONS'],
  /** Request headers a player may send cross-origin: byte ranges and revalidation. */
  allowHeaders: ['Range', 'If-Range', 'If-None-Match', 'If-Modified-Since'],
  exposeHeaders: ['Content-Range', 'Content-Length', 'ETag', 'Accept-Ranges'],
  /** How long browsers may reuse a preflight answer. */
  maxAgeSeconds: 3600,
  allowCredentials: false,
} as const;

/**
 * Security headers on every media response. HSTS only means something over HTTPS, so the local media server
 * (plain HTTP on 127.0.0.1) leaves it out; the rest it sends as CloudFront does.
 */
export const mediaSecurityHeaders = {
  contentTypeOptions: 'nosniff',
  frameOptions: 'DENY',
  referrerPolicy: 'strict-origin-when-cross-origin',
  strictTransportSecurity: { maxAgeSeconds: YEAR, includeSubdomains: true },
} as const;

/**
 * Content types by file extension, for the media Skycast writes. CloudFront passes on the type stored with
 * the object; the local media server answers by extension first (so a player sees the registered HLS types
 * whatever wrote the object), then the stored type.
 */
export const mediaContentTypes: Readonly<Record<string, string>> = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  aac: 'audio/aac',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
  m4a: 'audio/mp4',
  vtt: 'text/vtt; charset=utf-8',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  json: 'application/json',
};

const compiledPatterns = new Map<string, RegExp>();

/** Whether a key matches a CloudFront path pattern (`*` any run of characters, `?` one character). */
export function matchesPathPattern(pattern: string, key: string): boolean {
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) {
    const source = pattern
      .replace(/^\//, '')
      .split('')
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
      .join('');
    compiled = new RegExp(`^${source}$`, 's');
    compiledPatterns.set(pattern, compiled);
  }
  return compiled.test(key);
}

/** The behaviour CloudFront applies to a key: the first row whose pattern matches it, if any. */
export function findBehaviour(
  key: string,
  behaviours: readonly DeliveryBehaviour[] = deliveryBehaviours,
): DeliveryBehaviour | undefined {
  return behaviours.find((behaviour) => matchesPathPattern(behaviour.pathPattern, key));
}

/** `findBehaviour`, for keys that must have one. */
export function behaviourFor(
  key: string,
  behaviours: readonly DeliveryBehaviour[] = deliveryBehaviours,
): DeliveryBehaviour {
  const found = findBehaviour(key, behaviours);
  if (!found) throw new Error(`No delivery behaviour matches ${JSON.stringify(key)}`);
  return found;
}

/** The origins the table serves from, each once. */
export function deliveryOrigins(
  behaviours: readonly DeliveryBehaviour[] = deliveryBehaviours,
): DeliveryOrigin[] {
  return [...new Set(behaviours.map((behaviour) => behaviour.origin))];
}
