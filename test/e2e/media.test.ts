/**
 * What a player does on the local platform: read `mediaUrl` from /config.json, get a READY video's playback
 * (signed cookies) from getVideo, fetch its multivariant playlist, a rendition playlist and its segments (whole
 * and by byte range), the poster, and play it all with ffprobe over HTTP — through the media server, as it would
 * through CloudFront. Without a valid signature: 403 and no bytes. Then clips: cut one, share it, play it; and
 * a clip never stays more open than its source when the source turns private or is deleted.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import HLS from 'hls-parser';
import type { Playback } from '#contract/catalog.ts';
import { behaviourFor } from '#contract/delivery.ts';
import { cookieHeader, signPlayback } from '../../lambdas/delivery/playback.ts';
import { type RunningPlatform, startPlatform } from '../../local/platform.ts';
import { emulatorClientConfig } from '../../local/provision.ts';
import { type ApiClient, callApi, uploadFile, waitForVideo } from '../../scripts/uploader.ts';
import { fetchJson, newSignedInUser, type WebConfig } from './support/client.ts';

const run = promisify(execFile);

interface VideoView {
  videoId: string;
  status: string;
  failure?: { code: string; message: string };
  playbackPath?: string;
  posterPath?: string;
  renditions?: { name: string; playlistPath: string }[];
  durationSeconds?: number;
  ownerId: string;
  visibility: string;
  source: { kind: string; videoId?: string; startSeconds?: number; endSeconds?: number; fileName?: string };
  playback?: Playback;
  posterUrl?: string;
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
  let client: ApiClient;
  let cookie: string;
  const work = mkdtempSync(join(tmpdir(), 'skycast-e2e-media-'));

  before(async () => {
    platform = await startPlatform({ port: 0, rtmpPort: 0, quiet: true });
    config = (await fetchJson(`${platform.url}/config.json`)).body;
    const user = await newSignedInUser(platform.url, config);
    client = { apiUrl: config.apiUrl, accessToken: user.tokens.AccessToken };
    const source = join(work, 'clip.mp4');
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '16', '-c:v', 'libx264', '-preset', 'ultrafast'],
      ...['-pix_fmt', 'yuv420p', '-c:a', 'aac', source],
    ]);
    const { videoId } = await uploadFile(client, source, { title: 'Through the media server' });
    video = await waitForVideo<VideoView>(client, videoId, { timeoutMs: 180_000, intervalMs: 500 });
    assert.equal(video.status, 'READY', JSON.stringify(video.failure));
    assert.ok(video.playback, 'getVideo gives a READY video playback');
    cookie = cookieHeader(video.playback);
  });
  after(async () => {
    await platform?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const media = (path: string) => `${config.mediaUrl}/${path}`;
  /** A fetch with the video's playback cookies, as a browser sends them for paths under the video's prefix. */
  const fetch = (url: string, init: RequestInit = {}) =>
    globalThis.fetch(url, { ...init, headers: { cookie, ...(init.headers as Record<string, string>) } });

  it('serves media under /media on the one origin, and getVideo points at it with cookies for the video', () => {
    assert.equal(config.mediaUrl, `${platform.url}/media`);
    const playback = video.playback as Playback;
    assert.equal(playback.url, media(video.playbackPath as string));
    assert.deepEqual(
      playback.cookies.map((c) => [c.name, c.path]),
      ['CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id'].map((name) => [
        name,
        `/media/videos/${video.videoId}/`,
      ]),
    );
    assert.ok(Date.parse(playback.expiresAt) > Date.now());
  });

  it('refuses media without a signature, with an expired one and with a tampered one: 403, no media bytes', async () => {
    const target = media(video.playbackPath as string);
    const rendition = video.renditions?.[0];
    assert.ok(rendition);
    const segment = media(rendition.playlistPath.replace(/\.m3u8$/, '_00001.ts'));
    // The platform's own key, read where the functions read it, to sign an expired cookie set.
    const secrets = new SecretsManagerClient(
      emulatorClientConfig({ endpoint: platform.motoEndpoint, region: platform.resources.region }),
    );
    const { SecretString } = await secrets.send(
      new GetSecretValueCommand({ SecretId: platform.resources.playbackKey.secretArn }),
    );
    secrets.destroy();
    const key = { keyPairId: platform.resources.playbackKey.keyPairId, privateKey: SecretString as string };
    const expired = signPlayback(key, {
      mediaUrl: config.mediaUrl,
      playbackPath: video.playbackPath as string,
      now: new Date(Date.now() - 3_600_000),
      ttlSeconds: 60,
    });
    const policy = (video.playback as Playback).cookies[0]?.value as string;
    const tampered = cookie.replace(policy, `${policy.slice(0, -4)}AAAA`);
    const keyPairId = (video.playback as Playback).cookies[2]?.value as string;
    const unknownKey = cookie.replace(
      `CloudFront-Key-Pair-Id=${keyPairId}`,
      'CloudFront-Key-Pair-Id=KUNKNOWN0000',
    );

    for (const [what, header] of [
      ['no cookies', undefined],
      ['expired cookies', cookieHeader(expired)],
      ['a tampered policy', tampered],
      ['a key pair nobody trusts', unknownKey],
    ] as const) {
      for (const url of [target, segment, `${target}?Signature=x&Key-Pair-Id=y&Expires=1`]) {
        const answer = await globalThis.fetch(url, header ? { headers: { cookie: header } } : {});
        const body = Buffer.from(await answer.arrayBuffer());
        assert.equal(answer.status, 403, `${what}: ${url}`);
        assert.ok(!body.includes('#EXTM3U') && body[0] !== 0x47, `${what}: no media bytes`);
      }
    }
    // The same cookies for another video's media: 403 too.
    const elsewhere = await fetch(media('videos/another-video/hls/index.m3u8'));
    assert.equal(elsewhere.status, 403);
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

  it('plays in ffprobe straight from mediaUrl with the cookies, every stream of the top rendition', async () => {
    const url = media(video.playbackPath as string);
    const headers = ['-headers', `Cookie: ${cookie}\r\n`];
    const { stdout } = await run('ffprobe', [
      ...['-v', 'error', ...headers, '-show_entries', 'stream=codec_type,width,height', '-of', 'json', url],
    ]);
    const streams = JSON.parse(stdout).streams as { codec_type: string; width?: number }[];

    assert.ok(streams.some((stream) => stream.codec_type === 'video' && (stream.width ?? 0) > 0));
    assert.ok(streams.some((stream) => stream.codec_type === 'audio'));
    // A full decode of the multivariant playlist's default variant over HTTP, with no error.
    const decoded = await run('ffmpeg', ['-v', 'error', ...headers, '-i', url, '-f', 'null', '-']);
    assert.equal(decoded.stderr, '');
  });

  it('answers 404 for a video that does not exist, with CORS so a player can tell', async () => {
    const missing = await fetch(media(`videos/${video.videoId}/hls/nope.m3u8`), {
      headers: { origin: 'http://localhost:5173' },
    });

    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('access-control-allow-origin'), '*');
  });

  it('serves the multivariant playlist filtered for a device through the manifest handler', async () => {
    const url = media(`videos/${video.videoId}/manifest/index.m3u8?maxHeight=1`);
    const answer = await fetch(url);
    const text = await answer.text();

    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    // Nothing fits 1 px: the lowest variant is kept so the video still plays, pointing back at the source.
    assert.equal(uris(text).length, 1);
    assert.match(uris(text)[0] as string, /^\.\.\/hls\/index_.+\.m3u8$/);
    const bad = await fetch(media(`videos/${video.videoId}/manifest/index.m3u8?device=toaster`));
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /INVALID_VIEWER_LIMIT/);
  });

  it('cuts a clip of the private video, which only its owner plays, within one segment of the range', async () => {
    // The source is private (uploads are by default): its clips cannot be more visible.
    await assert.rejects(
      callApi(client, 'POST', `/videos/${video.videoId}/clips`, {
        title: 'Shared',
        startSeconds: 5,
        endSeconds: 11,
        visibility: 'unlisted',
      }),
      (error: Error & { status?: number; code?: string }) =>
        error.status === 400 && error.code === 'VISIBILITY_TOO_OPEN',
    );
    const clip = await callApi<VideoView>(client, 'POST', `/videos/${video.videoId}/clips`, {
      title: 'The middle',
      startSeconds: 5,
      endSeconds: 11,
    });
    assert.equal(clip.status, 'READY');
    assert.equal(clip.visibility, 'private');
    assert.deepEqual(clip.source, { kind: 'clip', videoId: video.videoId, startSeconds: 5, endSeconds: 11 });

    // Another signed-in user: neither the clip nor the video exists for them, and the media answers 403.
    const viewer = await newSignedInUser(platform.url, config);
    const stranger = { apiUrl: config.apiUrl, accessToken: viewer.tokens.AccessToken };
    for (const path of [`/clips/${clip.videoId}`, `/videos/${video.videoId}`]) {
      await assert.rejects(
        callApi(stranger, 'GET', path),
        (error: Error & { status?: number }) => error.status === 404,
      );
    }
    assert.equal((await globalThis.fetch(media(clip.playbackPath as string))).status, 403);

    // The owner's link: getClip gives playback, and the clip plays.
    const shared = await callApi<VideoView>(client, 'GET', `/clips/${clip.videoId}`);
    assert.ok(shared.playback);
    assert.equal(shared.playback.url, media(clip.playbackPath as string));
    const viewerCookie = cookieHeader(shared.playback);
    const { stdout } = await run('ffprobe', [
      ...['-v', 'error', '-headers', `Cookie: ${viewerCookie}\r\n`],
      ...['-show_entries', 'format=duration,start_time', '-of', 'json', shared.playback.url],
    ]);
    const format = JSON.parse(stdout).format as { duration: string };
    const played = Number(format.duration);
    // Whole segments around [5, 11): at most one segment more on each side, never less than asked.
    const rendition = shared.renditions?.[0]?.playlistPath as string;
    const clipPlaylist = await (
      await globalThis.fetch(media(rendition), { headers: { cookie: viewerCookie } })
    ).text();
    const segment = (HLS.parse(clipPlaylist) as HLS.types.MediaPlaylist).targetDuration;
    assert.ok(played >= 6 - 0.1, `plays at least the asked 6 s, played ${played} s`);
    assert.ok(played <= 6 + 2 * segment + 0.1, `within a segment each side, played ${played} s`);
    assert.ok(Math.abs(played - (shared.durationSeconds as number)) < 0.5, 'durationSeconds is what plays');
    const decoded = await run('ffmpeg', [
      '-v',
      'error',
      '-headers',
      `Cookie: ${viewerCookie}\r\n`,
      '-i',
      shared.playback.url,
      '-f',
      'null',
      '-',
    ]);
    assert.equal(decoded.stderr, '');

    // A range past the end is refused with its code.
    await assert.rejects(
      callApi(client, 'POST', `/videos/${video.videoId}/clips`, {
        title: 'Too far',
        startSeconds: 10,
        endSeconds: 99,
      }),
      (error: Error & { status?: number; code?: string }) =>
        error.status === 400 && error.code === 'INVALID_CLIP_RANGE',
    );
  });

  it('narrows a public clip of another user when its source turns private, and hides it once the source is gone', async () => {
    const clipper = await newSignedInUser(platform.url, config);
    const bob = { apiUrl: config.apiUrl, accessToken: clipper.tokens.AccessToken };
    const watcher = await newSignedInUser(platform.url, config);
    const carol = { apiUrl: config.apiUrl, accessToken: watcher.tokens.AccessToken };
    const publicPage = () => callApi<{ items: VideoView[] }>(carol, 'GET', '/videos?scope=public&limit=50');
    await callApi(client, 'PATCH', `/videos/${video.videoId}`, { visibility: 'public' });
    const seen = await callApi<VideoView>(carol, 'GET', `/videos/${video.videoId}`);
    assert.equal(seen.source.fileName, undefined, "others do not see the uploader's file name");
    const clip = await callApi<VideoView>(bob, 'POST', `/videos/${video.videoId}/clips`, {
      title: 'Public bit',
      startSeconds: 2,
      endSeconds: 6,
      visibility: 'public',
    });
    const listed = (await publicPage()).items.find((item) => item.videoId === clip.videoId);
    assert.ok(listed?.posterUrl, 'listed publicly with a poster while the source is public');
    assert.equal((await globalThis.fetch(listed.posterUrl)).status, 200);

    await callApi(client, 'PATCH', `/videos/${video.videoId}`, { visibility: 'private' });

    const ids = (await publicPage()).items.map((item) => item.videoId);
    assert.ok(!ids.includes(clip.videoId) && !ids.includes(video.videoId));
    for (const path of [`/clips/${clip.videoId}`, `/videos/${clip.videoId}`]) {
      await assert.rejects(
        callApi(carol, 'GET', path),
        (error: Error & { status?: number }) => error.status === 404,
      );
    }
    const renamed = await callApi<VideoView>(bob, 'PATCH', `/videos/${clip.videoId}`, { title: 'Renamed' });
    assert.equal(renamed.visibility, 'private');
    const own = await callApi<{ items: VideoView[] }>(bob, 'GET', '/videos?scope=mine&limit=50');
    const ownClip = own.items.find((item) => item.videoId === clip.videoId);
    assert.ok(ownClip);
    assert.deepEqual([ownClip.posterUrl, ownClip.playbackPath], [undefined, undefined]);

    await callApi(client, 'DELETE', `/videos/${video.videoId}`);

    const orphan = await callApi<VideoView>(bob, 'GET', `/clips/${clip.videoId}`);
    assert.deepEqual([orphan.visibility, orphan.playback], ['private', undefined]);
    await assert.rejects(
      callApi(bob, 'PATCH', `/videos/${clip.videoId}`, { visibility: 'unlisted' }),
      (error: Error & { code?: string }) => error.code === 'VISIBILITY_TOO_OPEN',
    );
  });
});
