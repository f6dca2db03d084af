/**
 * The manifest Lambda's use case: playlists generated from a video's (or a recording's) own, served under the
 * source's media prefix so the source's playback cookies cover them:
 *
 * - `<prefix>manifest/index.m3u8?maxHeight=…&maxBitrate=…&device=phone|tablet|tv` — the multivariant playlist
 *   filtered for the viewer;
 * - `<prefix>clips/<startMs>-<endMs>/index.m3u8` (same query) — a clip's multivariant playlist, and
 *   `<prefix>clips/<startMs>-<endMs>/<rendition playlist>` — each rendition cut to whole segments, with URIs
 *   pointing back at the source's segments (no re-encoding, nothing written).
 *
 * `<prefix>` is `videos/<id>/` (a transcode's output, `hls/index.m3u8` in the media bucket) or a recording's
 * `ivs/v1/<account>/<channel>/<y>/<m>/<d>/<h>/<min>/<recording id>/` (IVS's `media/hls/master.m3u8` in the
 * recordings bucket). Which playlist is read follows from the path alone: the signed cookies that let the
 * request through already say the viewer may watch the source.
 */
import { posix } from 'node:path';
import { MAX_CLIP_SECONDS } from '#contract/clips.ts';
import {
  type MediaPlaylist,
  type MediaSegment,
  type MultivariantPlaylist,
  type Playlist,
  renderPlaylist,
} from '#contract/hls/index.ts';
import {
  CLIP_PLAYLIST,
  clipFolder,
  type MediaSource,
  type MediaSourceBucket,
  parseClipFolderName,
  parseGeneratedPlaylistPath,
} from '#contract/media-layout.ts';
import { NotFoundError } from '#shared/errors.ts';
import { type ClipRange, clipMultivariant, clipRange, cutMediaPlaylist, playlistDuration } from './clips.ts';
import { InvalidClipRangeError, PlaylistParseError } from './errors.ts';
import { filterVariants, relativeUriRewriter, type UriRewriter, viewerLimits } from './variants.ts';

/** Where the manifest Lambda reads source playlists from. */
export interface PlaylistSource {
  /** The parsed playlist at `key` of the bucket with this role; undefined if there is none. */
  get(bucket: SourceBucket, key: string): Promise<Playlist | undefined>;
}

export type SourceBucket = MediaSourceBucket;

/** A video or recording whose playlists generated ones are made from (the media layout's `mediaSourceOf`). */
export type ManifestSource = MediaSource;

/** A generated playlist, ready to serve. */
export interface GeneratedPlaylist {
  body: string;
}

function parseLimits(query: URLSearchParams) {
  const number = (name: string) => {
    const value = query.get(name);
    return value === null ? undefined : /^\d+$/.test(value) ? Number(value) : Number.NaN;
  };
  const device = query.get('device');
  const maxHeight = number('maxHeight');
  const maxBitrate = number('maxBitrate');
  return viewerLimits({
    ...(device === null ? {} : { profile: device }),
    ...(maxHeight === undefined ? {} : { maxHeight }),
    ...(maxBitrate === undefined ? {} : { maxBitrate }),
  });
}

async function readMultivariant(source: ManifestSource, playlists: PlaylistSource) {
  const playlist = await playlists.get(source.bucket, source.multivariantKey);
  if (!playlist) throw new NotFoundError('This video has no playlist (yet).');
  if (playlist.kind !== 'multivariant') {
    throw new PlaylistParseError(`${source.multivariantKey} is a media playlist, not a multivariant one`);
  }
  return playlist;
}

/** URIs of the source's rendition playlists, relative to its multivariant playlist's folder. */
function renditionUris(multivariant: MultivariantPlaylist): Set<string> {
  const uris = new Set(multivariant.variants.map((variant) => variant.uri));
  for (const rendition of multivariant.media) {
    const uri = rendition.attributes.find((attribute) => attribute.name === 'URI')?.value;
    if (uri) uris.add(uri);
  }
  return uris;
}

/** Parses `<startMs>-<endMs>` into seconds. */
export function parseClipFolder(folder: string): ClipRange {
  const range = parseClipFolderName(folder);
  if (!range) throw new InvalidClipRangeError(`"${folder}" is not <startMs>-<endMs> in whole milliseconds`);
  return range;
}

function rewriteSegments(media: MediaPlaylist, rewrite: UriRewriter): MediaPlaylist {
  const maps = new Map<object, MediaSegment['map']>();
  return {
    ...media,
    segments: media.segments.map((segment) => {
      let map = segment.map;
      if (map) {
        // Segments share their EXT-X-MAP object; keep them sharing so the renderer writes it once.
        const rewritten = maps.get(map) ?? { ...map, uri: rewrite(map.uri) };
        maps.set(map, rewritten);
        map = rewritten;
      }
      return { ...segment, uri: rewrite(segment.uri), ...(map ? { map } : {}) };
    }),
  };
}

/**
 * A clip of one rendition: the source rendition playlist at `renditionUri` (relative to the multivariant
 * playlist) cut to the range, with URIs made relative to where the clip playlist is served.
 */
export async function clipRendition(
  source: ManifestSource,
  renditionUri: string,
  range: ClipRange,
  playlists: PlaylistSource,
  servedKey: string,
): Promise<MediaPlaylist> {
  const sourceKey = posix.join(posix.dirname(source.multivariantKey), renditionUri);
  const media = await playlists.get(source.bucket, sourceKey);
  if (!media) throw new NotFoundError(`The source has no rendition playlist ${renditionUri}.`);
  if (media.kind !== 'media') throw new PlaylistParseError(`${sourceKey} is not a media playlist`);
  const checked = clipRange(
    { start: range.start, end: range.end },
    { durationSeconds: playlistDuration(media), maxClipSeconds: MAX_CLIP_SECONDS },
  );
  return rewriteSegments(cutMediaPlaylist(media, checked), relativeUriRewriter(sourceKey, servedKey));
}

/**
 * What a clip of the source over `range` would be: its duration (whole segments), checked against every
 * rendition. For createClip, which refuses a range the manifest Lambda could not serve.
 */
export async function planClip(
  source: ManifestSource,
  range: ClipRange,
  playlists: PlaylistSource,
): Promise<{ durationSeconds: number }> {
  const multivariant = await readMultivariant(source, playlists);
  const uris = [...renditionUris(multivariant)];
  const servedDir = clipFolder(source, range);
  const cuts = await Promise.all(
    uris.map((uri) => clipRendition(source, uri, range, playlists, posix.join(servedDir, uri))),
  );
  const durations = cuts.map(playlistDuration);
  return { durationSeconds: Math.max(...durations) };
}

/**
 * Generates the playlist at `key` (a media key, no leading slash) for a viewer's query, or says why not with a
 * SkycastError (404 for a path that names nothing we generate, 400 for a bad range or limit).
 */
export async function generatePlaylist(
  key: string,
  query: URLSearchParams,
  playlists: PlaylistSource,
): Promise<GeneratedPlaylist> {
  const path = parseGeneratedPlaylistPath(key);
  if (!path) throw new NotFoundError('No generated playlist at this path.');
  const { source } = path;

  if (path.kind === 'filtered') {
    const limits = parseLimits(query);
    const multivariant = await readMultivariant(source, playlists);
    const filtered = filterVariants(multivariant, limits, relativeUriRewriter(source.multivariantKey, key));
    return { body: renderPlaylist(filtered) };
  }

  const range = parseClipFolder(path.folder);
  const inside = path.file;
  const multivariant = await readMultivariant(source, playlists);
  if (inside === CLIP_PLAYLIST) {
    const limits = parseLimits(query);
    // A range the renditions cannot serve is refused here already, checked on the first one (renditions are
    // aligned), so a player never gets a multivariant playlist whose renditions all fail.
    const first = multivariant.variants[0];
    if (first) {
      await clipRendition(source, first.uri, range, playlists, posix.join(posix.dirname(key), first.uri));
    }
    // Each rendition's clip playlist sits at the same relative path under the clip's folder as the source
    // rendition under the source's folder, so the URIs stay as they are.
    return { body: renderPlaylist(clipMultivariant(multivariant, limits, (uri) => uri)) };
  }
  if (!renditionUris(multivariant).has(inside)) {
    throw new NotFoundError('The source has no rendition playlist at this path.');
  }
  const media = await clipRendition(source, inside, range, playlists, key);
  return { body: renderPlaylist(media) };
}
