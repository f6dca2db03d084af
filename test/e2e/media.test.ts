/**
 * What a player does on the local platform: read `mediaUrl` from /config.json, fetch a READY video's multivariant
 * playlist, a rendition playlist and its segments (whole and by byte range), the poster, and play it all with
 * ffprobe over HTTP — through the media server, as it would through the media distribution.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { behaviourFor } from '../../lib/wiring/delivery.ts';
import { type RunningPlatform, startPlatform } from '../../local/platform.ts';
import { waitFor } from '../../local/ports.ts';
import { type ApiClient, callApi, uploadFile } from '../../scripts/uploader.ts';
import { fetchJson, newSignedInUser, type WebConfig } from './support/client.ts';

const run = promisify(execFile);

interface VideoView {
  videoId: string;
  status: string;
  failure?: { code: string; message: string };
  playbackPath?: string;
  posterPath?: string;
  renditions?: { name: string; playlistPath: string }[];
}

/** The URIs of a playlist's entries (variants or segments): its lines that are not tags or blank. */
const uris = (playlist: string) =>
  playlist
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

describe('playing a video through mediaUrl on the local platform', () => {
  let platform: RunningPlatform;
  let config: WebConfig;
  let video: VideoView;
  const work = mkdtempSync(join(tmpdir(), 'skycast-e2e-media-'));

  before(async () => {
    platform = await startPlatform({ port: 0, rtmpPort: 0, quiet: true });
    config = (await fetchJson(`${platform.url}/config.json`)).body;
    const user = await newSignedInUser(platform.url, config);
    const client: ApiClient = { apiUrl: config.apiUrl, accessToken: user.tokens.AccessToken };
    const source = join(work, 'clip.mp4');
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '6', '-c:v', 'libx264', '-preset', 'ultrafast'],
      ...['-pix_fmt', 'yuv420p', '-c:a', 'aac', source],
    ]);
    const { videoId } = await uploadFile(client, source, { title: 'Through the media server' });
    await waitFor(
      `video ${videoId} to finish`,
      async () => {
        video = await callApi<VideoView>(client, 'GET', `/videos/${videoId}`);
        return video.status === 'READY' || video.status === 'FAILED';
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    assert.equal(video.status, 'READY', JSON.stringify(video.failure));
  });
  after(async () => {
    await platform?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const media = (path: string) => `${config.mediaUrl}/${path}`;

  it('serves media under /media on the one origin', () => {
    assert.equal(config.mediaUrl, `${platform.url}/media`);
  });

  it("serves the multivariant playlist at mediaUrl + playbackPath, and every rendition's playlist", async () => {
    const multivariant = await fetch(media(video.playbackPath as string));
    const text = await multivariant.text();

    assert.equal(multivariant.status, 200);
    assert.equal(multivariant.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    assert.equal(
      multivariant.headers.get('cache-control'),
      behaviourFor(video.playbackPath as string).cacheControl,
    );
    assert.match(text, /^#EXTM3U/);
    const variants = uris(text);
    assert.ok(variants.length > 0);
    for (const rendition of video.renditions ?? []) {
      assert.ok(
        variants.some((variant) => rendition.playlistPath.endsWith(variant)),
        rendition.name,
      );
      const playlist = await fetch(media(rendition.playlistPath));
      assert.equal(playlist.status, 200, rendition.name);
      assert.match(await playlist.text(), /#EXT-X-ENDLIST/, rendition.name);
    }
  });

  it('serves a segment whole and by byte range, with the same ETag, cached as immutable', async () => {
    const rendition = video.renditions?.[0];
    assert.ok(rendition);
    const playlistPath = rendition.playlistPath;
    const first = uris(await (await fetch(media(playlistPath))).text())[0] as string;
    const segmentPath = `${playlistPath.slice(0, playlistPath.lastIndexOf('/') + 1)}${first}`;

    const whole = await fetch(media(segmentPath));
    const bytes = Buffer.from(await whole.arrayBuffer());
    const packet = await fetch(media(segmentPath), { headers: { range: 'bytes=188-375' } });
    const packetBytes = Buffer.from(await packet.arrayBuffer());
    const revalidated = await fetch(media(segmentPath), {
      headers: { 'if-none-match': whole.headers.get('etag') as string },
    });

    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-type'), 'video/mp2t');
    assert.equal(whole.headers.get('cache-control'), behaviourFor(segmentPath).cacheControl);
    assert.match(whole.headers.get('cache-control') ?? '', /immutable/);
    assert.equal(bytes[0], 0x47, 'an MPEG-TS segment starts with a sync byte');
    assert.equal(packet.status, 206);
    assert.equal(packet.headers.get('content-range'), `bytes 188-375/${bytes.length}`);
    assert.ok(packetBytes.equals(bytes.subarray(188, 376)));
    assert.equal(packet.headers.get('etag'), whole.headers.get('etag'));
    assert.equal(packetBytes[0], 0x47, 'the second TS packet starts with a sync byte too');
    assert.equal(revalidated.status, 304);
  });

  it('serves the poster as a JPEG', async () => {
    const poster = await fetch(media(video.posterPath as string));
    const bytes = Buffer.from(await poster.arrayBuffer());

    assert.equal(poster.status, 200);
    assert.equal(poster.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xd8]);
  });

  it('plays in ffprobe straight from mediaUrl, every stream of the top rendition', async () => {
    const url = media(video.playbackPath as string);
    const { stdout } = await run('ffprobe', [
      ...['-v', 'error', '-show_entries', 'stream=codec_type,width,height', '-of', 'json', url],
    ]);
    const streams = JSON.parse(stdout).streams as { codec_type: string; width?: number }[];

    assert.ok(streams.some((stream) => stream.codec_type === 'video' && (stream.width ?? 0) > 0));
    assert.ok(streams.some((stream) => stream.codec_type === 'audio'));
    // A full decode of the multivariant playlist's default variant over HTTP, with no error.
    const decoded = await run('ffmpeg', ['-v', 'error', '-i', url, '-f', 'null', '-']);
    assert.equal(decoded.stderr, '');
  });

  it('answers 404 for a video that does not exist, with CORS so a player can tell', async () => {
    const missing = await fetch(media('videos/nope/hls/index.m3u8'), {
      headers: { origin: 'http://localhost:5173' },
    });

    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('access-control-allow-origin'), '*');
  });
});
