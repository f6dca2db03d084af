/** Which variants of a video's multivariant playlist a viewer gets. */
import { posix } from 'node:path';
import type { MultivariantPlaylist, Rendition, VariantStream } from '#contract/hls/index.ts';
import { InvalidViewerLimitError } from './errors.ts';

/** The most a viewer's player should be offered; an absent field means no limit. */
export interface ViewerLimits {
  maxHeight?: number;
  /** Bits per second, compared with a variant's peak BANDWIDTH (what players size their buffers by). */
  maxBitrate?: number;
}

/** Named device profiles, in one table. */
export const DEVICE_PROFILES = {
  phone: { maxHeight: 720, maxBitrate: 4_000_000 },
  tablet: { maxHeight: 1080, maxBitrate: 8_000_000 },
  tv: { maxHeight: 2160, maxBitrate: 25_000_000 },
} as const satisfies Record<string, Required<ViewerLimits>>;

export type DeviceProfile = keyof typeof DEVICE_PROFILES;

export function isDeviceProfile(name: string): name is DeviceProfile {
  return Object.hasOwn(DEVICE_PROFILES, name);
}

/** Combines a device profile with explicit limits: the stricter of each wins. */
export function viewerLimits(request: {
  profile?: string;
  maxHeight?: number;
  maxBitrate?: number;
}): ViewerLimits {
  const limits: ViewerLimits = {};
  if (request.profile !== undefined) {
    if (!isDeviceProfile(request.profile)) {
      const known = Object.keys(DEVICE_PROFILES).join(', ');
      throw new InvalidViewerLimitError(
        `Unknown device profile "${request.profile}"; expected one of ${known}`,
      );
    }
    Object.assign(limits, DEVICE_PROFILES[request.profile]);
  }
  for (const name of ['maxHeight', 'maxBitrate'] as const) {
    const value = request[name];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value <= 0) {
      throw new InvalidViewerLimitError(`${name} must be a positive integer, got ${value}`);
    }
    limits[name] = Math.min(value, limits[name] ?? Number.POSITIVE_INFINITY);
  }
  return limits;
}

function withinLimits(
  variant: Pick<VariantStream, 'bandwidth' | 'resolution'>,
  limits: ViewerLimits,
): boolean {
  const height = variant.resolution?.height;
  if (limits.maxHeight !== undefined && height !== undefined && height > limits.maxHeight) return false;
  return limits.maxBitrate === undefined || variant.bandwidth <= limits.maxBitrate;
}

/** The variant that costs the viewer least: lowest bandwidth, then lowest height. */
function lowest(variants: VariantStream[]): VariantStream {
  return variants.reduce((best, v) =>
    v.bandwidth < best.bandwidth ||
    (v.bandwidth === best.bandwidth && (v.resolution?.height ?? 0) < (best.resolution?.height ?? 0))
      ? v
      : best,
  );
}

/**
 * Maps a URI written in the source playlist to the one to write in the playlist we serve. Absolute URIs
 * (with a scheme or a leading slash) are left alone.
 */
export type UriRewriter = (uri: string) => string;

/**
 * A rewriter for a playlist stored at `sourcePath` (e.g. `videos/v1/hls/index.m3u8` in the media bucket) and
 * served at `servedPath` (e.g. `manifests/v1/index.m3u8` on the same host): each relative URI is made
 * relative to the served playlist's folder, so it still names the same object.
 */
export function relativeUriRewriter(sourcePath: string, servedPath: string): UriRewriter {
  const sourceDir = posix.dirname(posix.join('/', sourcePath));
  const servedDir = posix.dirname(posix.join('/', servedPath));
  return (uri) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/')) return uri;
    return posix.relative(servedDir, posix.join(sourceDir, uri));
  };
}

function rewriteRendition(rendition: Rendition, rewrite: UriRewriter): Rendition {
  return {
    attributes: rendition.attributes.map((a) => (a.name === 'URI' ? { ...a, value: rewrite(a.value) } : a)),
  };
}

/**
 * The playlist a viewer with these limits gets: variants above a limit are left out, order and tags kept.
 * Never empty: if no variant fits, the lowest one is kept so the video still plays.
 */
export function filterVariants(
  playlist: MultivariantPlaylist,
  limits: ViewerLimits,
  rewriteUri: UriRewriter = (uri) => uri,
): MultivariantPlaylist {
  const fitting = playlist.variants.filter((variant) => withinLimits(variant, limits));
  const kept = fitting.length > 0 ? fitting : [lowest(playlist.variants)];
  const filtered: MultivariantPlaylist = {
    ...playlist,
    media: playlist.media.map((rendition) => rewriteRendition(rendition, rewriteUri)),
    variants: kept.map((variant) => ({ ...variant, uri: rewriteUri(variant.uri) })),
  };
  if (playlist.iFrameStreams) {
    // An I-frame playlist above the limits is left out too; none left is fine (trick play is optional).
    const iFrames = playlist.iFrameStreams.filter((stream) => withinLimits(stream, limits));
    if (iFrames.length > 0) {
      filtered.iFrameStreams = iFrames.map((stream) => ({ ...stream, uri: rewriteUri(stream.uri) }));
    } else {
      delete filtered.iFrameStreams;
    }
  }
  return filtered;
}
