/**
 * Live HLS as IVS's playback URL serves it: `<channel id>/master.m3u8`, `<channel id>/<rendition>/playlist.m3u8`
 * and `<channel id>/<rendition>/<n>.ts`, for the channels that are live. A private channel's requests need
 * `?token=` (a playback token signed by an imported key pair); the playlists pass it on to what they name.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { ivsHlsNames, parseLivePlaybackPath } from '#contract/media-layout.ts';
import { measuredVariants, renderLivePlaylist, renderMultivariant } from './hls-playlist.ts';
import { LIVE_WINDOW_SEGMENTS, type LiveStream } from './live-stream.ts';
import { LIVE_LADDER } from './live-transcode.ts';
import { checkPlaybackToken } from './playback-token.ts';
import type { IvsResources } from './resources.ts';

export interface PlaybackParts {
  resources: IvsResources;
  /** The live stream of each channel, by channel ARN. */
  live: ReadonlyMap<string, LiveStream>;
}

/** Answers one playback request; `path` is what follows the playback base URL, without a leading slash. */
export async function servePlayback(
  parts: PlaybackParts,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  query: URLSearchParams,
): Promise<void> {
  const send = (status: number, type: string, body: Buffer | string, cache = 'no-cache') => {
    const payload = typeof body === 'string' ? Buffer.from(body) : body;
    response.writeHead(status, {
      'content-type': type,
      'content-length': String(payload.length),
      'cache-control': cache,
      'access-control-allow-origin': '*',
    });
    response.end(request.method === 'HEAD' ? undefined : payload);
  };
  const text = (status: number, message: string) =>
    send(status, 'text/plain; charset=utf-8', `${message}\n`, 'no-store');
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'GET or HEAD only.');
  const live = parseLivePlaybackPath(path);
  if (!live) return text(404, 'No such live media.');
  const master = live.file === 'multivariant';
  const rendition = live.file === 'multivariant' ? undefined : live.rendition;
  const segmentIndex = live.file === 'segment' ? live.index : undefined;
  const stream = parts.live.get(parts.resources.arn('channel', live.channelId));
  if (stream?.state !== 'LIVE') return text(404, 'This channel is not live.');
  const token = query.get('token') ?? undefined;
  let suffix = '';
  if (stream.channel.authorized) {
    const accepted = !master && token !== undefined && stream.acceptedTokens.has(token);
    if (!accepted) {
      const check = checkPlaybackToken(token, stream.channel.arn, parts.resources.playbackPublicKeys());
      if (!check.ok) return text(403, check.reason);
      stream.acceptedTokens.add(token as string);
    }
    suffix = `?token=${encodeURIComponent(token as string)}`;
  }
  const viewer = `${request.socket.remoteAddress}:${request.socket.remotePort}`;
  if (master) {
    stream.viewers.set(viewer, Date.now());
    const variants = measuredVariants(LIVE_LADDER, (name) => stream.segments.get(name) ?? [], 'so-far');
    return send(200, 'application/vnd.apple.mpegurl', renderMultivariant(variants, suffix));
  }
  const segments = stream.segments.get(rendition as string);
  if (!segments) return text(404, 'No such rendition.');
  if (segmentIndex === undefined) {
    stream.viewers.set(viewer, Date.now());
    return send(
      200,
      'application/vnd.apple.mpegurl',
      renderLivePlaylist(segments, LIVE_WINDOW_SEGMENTS, suffix),
      'max-age=1',
    );
  }
  const index = segmentIndex;
  if (!segments.some((segment) => segment.index === index)) return text(404, 'No such segment.');
  let bytes: Buffer;
  try {
    bytes = await segmentBytes(stream, rendition as string, index);
  } catch {
    return text(404, 'No such segment.');
  }
  send(200, 'video/mp2t', bytes, 'max-age=86400');
}

/** A segment's bytes, read from disk once for every viewer that asks for it; a failed read is not kept. */
async function segmentBytes(stream: LiveStream, rendition: string, index: number): Promise<Buffer> {
  const cacheKey = `${rendition}/${index}`;
  let cached = stream.segmentCache.get(cacheKey);
  if (!cached) {
    cached = readFile(join(stream.dir, ivsHlsNames.segment(rendition, index)));
    stream.segmentCache.set(cacheKey, cached);
    // Keep about two live windows of every rendition; players ask for nothing older.
    const limit = 2 * LIVE_WINDOW_SEGMENTS * LIVE_LADDER.length;
    for (const key of stream.segmentCache.keys()) {
      if (stream.segmentCache.size <= limit) break;
      stream.segmentCache.delete(key);
    }
  }
  try {
    return await cached;
  } catch (error) {
    stream.segmentCache.delete(cacheKey);
    throw error;
  }
}
