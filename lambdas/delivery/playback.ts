/**
 * Private playback: every media object is served only with a CloudFront signed cookie set (custom policy), and
 * the API hands one out to whoever may watch a video. The cookies cover the video's media prefix
 * (`videos/<id>/`, or a recording's `ivs/v1/…/<recording id>/`), so one set plays the multivariant playlist,
 * every rendition and segment, the poster, thumbnails and the manifest Lambda's generated playlists (filtered
 * multivariants and clips, which live under the same prefix). Cache keys never hold cookies, so one cached
 * copy still serves every viewer, and who may watch is decided at each getVideo, not baked into the media.
 */
import { getSignedCookies, getSignedUrl } from '@aws-sdk/cloudfront-signer';
import type { Playback } from '#contract/catalog.ts';
import { mediaSourceOf } from '#contract/media-layout.ts';

/** The CloudFront key pair that signs: the id of its public key in the trusted key group, and the private key. */
export interface PlaybackKey {
  keyPairId: string;
  /** PEM (PKCS#1 or PKCS#8) RSA private key. */
  privateKey: string;
}

/** Where the signing key comes from (Secrets Manager in AWS and locally). */
export interface PlaybackKeySource {
  get(): Promise<PlaybackKey>;
}

/** How long playback cookies last unless the deployment says otherwise: long enough for a film, short. */
export const DEFAULT_PLAYBACK_TTL_SECONDS = 4 * 60 * 60;

/**
 * The media prefix a playback path lives under, ending in `/`: `videos/<id>/` for what a transcode wrote,
 * `ivs/v1/…/<recording id>/` for a recording (IVS writes its playlists under `<prefix>/media/hls/`), and the
 * same for the clips generated under either (the media layout's `mediaSourceOf`).
 */
export function mediaPrefixOf(playbackPath: string): string {
  const source = mediaSourceOf(playbackPath);
  if (source) return source.prefix;
  throw new MediaPrefixError(`No media prefix in playback path ${JSON.stringify(playbackPath)}`);
}

/** A playback path outside the layouts we sign for (`videos/<id>/…`, `ivs/v1/…/media/…`). */
export class MediaPrefixError extends Error {
  override name = 'MediaPrefixError';
}

/** Where media is served: `https://<web domain>` in the cloud, `http://127.0.0.1:3000/media` locally. */
export function normaliseMediaUrl(mediaUrl: string): string {
  return mediaUrl.replace(/\/+$/, '');
}

/**
 * The custom policy of a cookie set: the whole prefix (`*` covers any characters, slashes included, and any
 * query string), until `expires`. Compact JSON, as CloudFront's documentation writes it; the signer signs
 * exactly these bytes and CloudFront verifies the bytes it decodes.
 */
export function playbackPolicy(resource: string, expires: Date): string {
  return JSON.stringify({
    Statement: [
      {
        Resource: resource,
        Condition: { DateLessThan: { 'AWS:EpochTime': Math.floor(expires.getTime() / 1000) } },
      },
    ],
  });
}

/** `ttlSeconds` after `now`, counted from the start of `now`'s step of `stepSeconds` (whole seconds: epoch time). */
function expiresAfter(now: Date, ttlSeconds: number, stepSeconds = 1): Date {
  const start = Math.floor(now.getTime() / 1000 / stepSeconds) * stepSeconds;
  return new Date((start + ttlSeconds) * 1000);
}

/** Signs playback of the media under `prefix` for `ttlSeconds` from `now`. */
export function signPlayback(
  key: PlaybackKey,
  request: { mediaUrl: string; playbackPath: string; now: Date; ttlSeconds: number },
): Playback {
  const base = normaliseMediaUrl(request.mediaUrl);
  const prefix = mediaPrefixOf(request.playbackPath);
  const expires = expiresAfter(request.now, request.ttlSeconds);
  const policy = playbackPolicy(`${base}/${prefix}*`, expires);
  const signed = getSignedCookies({ keyPairId: key.keyPairId, privateKey: key.privateKey, policy });
  const path = `${new URL(base).pathname.replace(/\/$/, '')}/${prefix}`;
  const values: [string, string | undefined][] = [
    ['CloudFront-Policy', signed['CloudFront-Policy']],
    ['CloudFront-Signature', signed['CloudFront-Signature']],
    ['CloudFront-Key-Pair-Id', signed['CloudFront-Key-Pair-Id']],
  ];
  const expiresAt = expires.toISOString();
  return {
    url: `${base}/${request.playbackPath}`,
    expiresAt,
    cookies: values.map(([name, value]) => {
      if (!value) throw new Error(`The signer returned no ${name}`);
      return { name, value, path, expires: expiresAt };
    }),
  };
}

/**
 * A signed URL (canned policy: `Expires`, `Signature`, `Key-Pair-Id`) for exactly one media object, e.g. a
 * poster in a list, which carries no cookies. It expires with the same rule as playback cookies, and only paths
 * under a media prefix we sign for are signed (MediaPrefixError otherwise).
 */
export function signObjectUrl(
  key: PlaybackKey,
  request: { mediaUrl: string; path: string; now: Date; ttlSeconds: number },
): string {
  mediaPrefixOf(request.path);
  // A canned policy's resource is the URL itself, so a wildcard or query in the path would sign something else.
  if (/[*?#]/.test(request.path)) {
    throw new MediaPrefixError(`Cannot sign a URL for the object path ${JSON.stringify(request.path)}`);
  }
  // The same URL for a while, so a browser's cache (keyed by the whole URL) keeps the picture across list
  // refreshes: the expiry steps every quarter of the lifetime (at most 15 minutes), so a URL lasts at least
  // three quarters of it.
  const step = Math.max(1, Math.min(15 * 60, Math.floor(request.ttlSeconds / 4)));
  const expires = expiresAfter(request.now, request.ttlSeconds, step);
  return getSignedUrl({
    url: `${normaliseMediaUrl(request.mediaUrl)}/${request.path}`,
    keyPairId: key.keyPairId,
    privateKey: key.privateKey,
    dateLessThan: expires,
  });
}

/** `Cookie:` header value of a playback cookie set, for tools (ffprobe `-headers`, fetch in tests). */
export const cookieHeader = (playback: Pick<Playback, 'cookies'>) =>
  playback.cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');

/** Issues playback for videos: the key, where media is served, and how long cookies last. */
export interface PlaybackIssuer {
  issue(playbackPath: string): Promise<Playback>;
  /** A signed URL for one media object (its path relative to the media URL), lasting as long as playback. */
  signObject(path: string): Promise<string>;
}

export function createPlaybackIssuer(options: {
  keys: PlaybackKeySource;
  mediaUrl: string;
  ttlSeconds?: number;
  now?: () => Date;
}): PlaybackIssuer {
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_PLAYBACK_TTL_SECONDS;
  const now = options.now ?? (() => new Date());
  return {
    async issue(playbackPath) {
      const key = await options.keys.get();
      return signPlayback(key, { mediaUrl: options.mediaUrl, playbackPath, now: now(), ttlSeconds });
    },
    async signObject(path) {
      const key = await options.keys.get();
      return signObjectUrl(key, { mediaUrl: options.mediaUrl, path, now: now(), ttlSeconds });
    },
  };
}
