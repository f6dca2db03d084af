/**
 * Going live on the local platform as a creator would with OBS: startStream gives the ingest URL and key,
 * ffmpeg publishes a 20-second test pattern with a tone over RTMP, watchStream says LIVE, the live playlist
 * plays (ffprobe) and moves on, the publisher stops, the stream goes OFFLINE and its recording becomes a
 * READY video of about 20 seconds. A wrong key is refused; another user cannot read, rotate or end my key
 * or stream; rotating the key cuts the encoder off and the old key no longer gets in.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import HLS from 'hls-parser';
import { cookieHeader } from '../../lambdas/delivery/playback.ts';
import { type RunningPlatform, startPlatform } from '../../local/platform.ts';
import { eventually, type Publisher, probeStreamTypes, publishTestPattern } from '../support/publisher.ts';
import { callApi, fetchJson, newSignedInUser, type SignedInUser, type WebConfig } from './support/client.ts';

const run = promisify(execFile);

describe('going live on the local platform', () => {
  let platform: RunningPlatform;
  let config: WebConfig;
  let alice: SignedInUser;
  let bob: SignedInUser;
  let streamId: string;
  let ingest: { url: string; streamKey: string };
  let publisher: Publisher | undefined;

  const api = (user: SignedInUser, method: string, path: string, body?: unknown) =>
    callApi(config, method, path, {
      token: user.tokens.AccessToken,
      ...(body === undefined ? {} : { body }),
    });

  before(async () => {
    platform = await startPlatform({ port: 0, rtmpPort: 0, quiet: true });
    config = (await fetchJson(`${platform.url}/config.json`)).body;
    alice = await newSignedInUser(platform.url, config);
    bob = await newSignedInUser(platform.url, config);
    const started = await api(alice, 'POST', '/streams', {
      title: 'Test pattern',
      category: 'Tests',
      tags: ['e2e'],
    });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    streamId = started.body.stream.streamId;
    ingest = started.body.ingest;
  });
  after(async () => {
    await publisher?.stop();
    await platform?.stop();
  });

  it('hands out the local RTMP ingest and a stream key', () => {
    assert.equal(ingest.url, `rtmp://127.0.0.1:${platform.ivs.rtmpPort}/app/`);
    assert.match(ingest.streamKey, /^sk_us-east-1_[A-Za-z0-9]+$/);
  });

  it('refuses a publisher with a wrong key at connect', async () => {
    const refused = publishTestPattern(`${ingest.url}sk_us-east-1_wrong`, { seconds: 3 });
    const { code, stderr } = await refused.exited;
    assert.notEqual(code, 0);
    assert.match(stderr, /stream key is not valid/);
  });

  it('does not let another user read, rotate or end my stream key or stream', async () => {
    const read = await api(bob, 'GET', `/streams/${streamId}/key`);
    const rotate = await api(bob, 'POST', `/streams/${streamId}/key`);
    const end = await api(bob, 'POST', `/streams/${streamId}/end`);
    for (const response of [read, rotate, end]) {
      assert.equal(response.status, 404);
      assert.doesNotMatch(JSON.stringify(response.body), new RegExp(ingest.streamKey));
    }
  });

  it('goes live, plays, ends and becomes a READY video of the whole broadcast', async () => {
    publisher = publishTestPattern(`${ingest.url}${ingest.streamKey}`, { seconds: 20 });

    const live = await eventually(
      'watchStream to say LIVE',
      async () => {
        const { body } = await api(bob, 'GET', `/streams/${streamId}`);
        return body.status === 'LIVE' ? body : undefined;
      },
      30_000,
    );
    assert.equal(live.title, 'Test pattern');
    assert.ok(live.playbackUrl.startsWith(`${platform.url}/ivs/playback/${streamId}/`), live.playbackUrl);
    const listed = await api(bob, 'GET', '/streams');
    assert.ok(listed.body.items.some((item: { streamId: string }) => item.streamId === streamId));

    const probe = await run('ffprobe', [
      ...['-v', 'error', '-show_entries', 'stream=codec_type,width,height', '-of', 'json', live.playbackUrl],
    ]);
    const streams = JSON.parse(probe.stdout).streams as { codec_type: string; height?: number }[];
    assert.ok(
      streams.some((s) => s.codec_type === 'video' && s.height === 720),
      probe.stdout,
    );
    assert.ok(
      streams.some((s) => s.codec_type === 'video' && s.height === 360),
      probe.stdout,
    );
    assert.ok(
      streams.some((s) => s.codec_type === 'audio'),
      probe.stdout,
    );

    const rendition = live.playbackUrl.replace('master.m3u8', '720p30/playlist.m3u8');
    const sequenceOf = async () =>
      (HLS.parse(await (await fetch(rendition)).text()) as HLS.types.MediaPlaylist).mediaSequenceBase ?? 0;
    const first = await sequenceOf();
    await eventually('the media sequence to advance', async () =>
      (await sequenceOf()) > first ? true : undefined,
    );

    const { code } = await publisher.exited;
    assert.equal(code, 0, 'the publisher streamed its 20 seconds');

    const ended = await eventually('watchStream to say OFFLINE', async () => {
      const { body } = await api(alice, 'GET', `/streams/${streamId}`);
      return body.status === 'OFFLINE' ? body : undefined;
    });
    assert.ok(ended.startedAt && ended.endedAt && ended.endedAt >= ended.startedAt);

    // After the reconnect window the recording ends and becomes a video.
    const videoId = await eventually(
      'the recording to become a video',
      async () => (await api(alice, 'GET', `/streams/${streamId}`)).body.latestRecordingVideoId,
      60_000,
    );
    const video = (await api(alice, 'GET', `/videos/${videoId}`)).body;
    assert.equal(video.status, 'READY');
    assert.equal(video.source.kind, 'recording');
    assert.ok(Math.abs(video.durationSeconds - 20) < 2, `duration ${video.durationSeconds}`);
    assert.equal(video.renditions.length, 2);
    const listedVideos = (await api(alice, 'GET', '/videos')).body.items.map(
      (item: { videoId: string }) => item.videoId,
    );
    assert.ok(listedVideos.includes(videoId));

    // Recordings play like any video: with the cookies getVideo hands out for the recording's prefix.
    const cookie = cookieHeader(video.playback);
    const unsigned = await fetch(`${config.mediaUrl}/${video.renditions[0].playlistPath}`);
    assert.equal(unsigned.status, 403, 'a recording is not served without its cookies');
    const playlist = await fetch(`${config.mediaUrl}/${video.renditions[0].playlistPath}`, {
      headers: { cookie },
    });
    const text = await playlist.text();
    assert.equal(playlist.status, 200);
    assert.match(text, /#EXT-X-ENDLIST/);
    const covered = (HLS.parse(text) as HLS.types.MediaPlaylist).segments.reduce(
      (sum, segment) => sum + segment.duration,
      0,
    );
    assert.ok(Math.abs(covered - 20) < 2, `the playlist covers ${covered} s`);
    const played = await run('ffprobe', [
      ...[
        '-v',
        'error',
        '-show_entries',
        'format=duration',
        '-of',
        'csv=p=0',
        '-headers',
        `Cookie: ${cookie}\r\n`,
        `${config.mediaUrl}/${video.playbackPath}`,
      ],
    ]);
    assert.ok(Math.abs(Number(played.stdout.trim()) - 20) < 2, played.stdout);

    // Deleting the video takes the recording with it: the cookies still hold, the bytes are gone.
    assert.equal((await api(alice, 'DELETE', `/videos/${videoId}`)).status, 204);
    const gone = await fetch(`${config.mediaUrl}/${video.renditions[0].playlistPath}`, {
      headers: { cookie },
    });
    await gone.arrayBuffer();
    assert.equal(gone.status, 404, 'the recording was deleted from the recordings bucket');
    assert.equal((await api(alice, 'GET', `/videos/${videoId}`)).status, 404);
  });

  it('cuts off an encoder when the key is rotated, and the old key no longer gets in', async () => {
    publisher = publishTestPattern(`${ingest.url}${ingest.streamKey}`, { seconds: 60, size: '640x360' });
    await eventually('the stream to be live again', async () => {
      const { body } = await api(alice, 'GET', `/streams/${streamId}`);
      return body.status === 'LIVE' ? true : undefined;
    });

    const rotated = await api(alice, 'POST', `/streams/${streamId}/key`);
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.ingest.streamKey, ingest.streamKey);
    assert.notEqual((await publisher.exited).code, 0, 'the encoder was cut off');
    const again = publishTestPattern(`${ingest.url}${ingest.streamKey}`, { seconds: 3 });
    assert.notEqual((await again.exited).code, 0, 'the old key is refused');
    const key = await api(alice, 'GET', `/streams/${streamId}/key`);
    assert.equal(key.body.ingest.streamKey, rotated.body.ingest.streamKey);
  });

  it('plays a private stream only with the playback token watchStream gives its owner', async () => {
    const carol = await newSignedInUser(platform.url, config);
    const started = await api(carol, 'POST', '/streams', { title: 'Private', visibility: 'private' });
    const privateId = started.body.stream.streamId;
    publisher = publishTestPattern(`${started.body.ingest.url}${started.body.ingest.streamKey}`, {
      seconds: 60,
      size: '640x360',
    });
    const view = await eventually('the private stream to be LIVE', async () => {
      const { body } = await api(carol, 'GET', `/streams/${privateId}`);
      return body.status === 'LIVE' ? body : undefined;
    });

    const withoutToken = await fetch(view.playbackUrl);
    const withToken = `${view.playbackUrl}?token=${view.playbackToken}`;
    const types = await probeStreamTypes(withToken);
    const forBob = await api(bob, 'GET', `/streams/${privateId}`);
    const listed = await api(bob, 'GET', '/streams');
    await publisher.stop();

    assert.equal(withoutToken.status, 403);
    assert.match(types, /video/);
    assert.equal(forBob.status, 404);
    assert.ok(!listed.body.items.some((item: { streamId: string }) => item.streamId === privateId));
  });

  it('lets the owner end the stream', async () => {
    const current = (await api(alice, 'GET', `/streams/${streamId}/key`)).body.ingest.streamKey;
    publisher = publishTestPattern(`${ingest.url}${current}`, { seconds: 60, size: '640x360' });
    await eventually('the stream to be live again', async () =>
      (await api(alice, 'GET', `/streams/${streamId}`)).body.status === 'LIVE' ? true : undefined,
    );

    const end = await api(alice, 'POST', `/streams/${streamId}/end`);

    assert.equal(end.status, 204);
    assert.notEqual((await publisher.exited).code, 0, 'the encoder was disconnected');
    await eventually('watchStream to say OFFLINE', async () =>
      (await api(alice, 'GET', `/streams/${streamId}`)).body.status === 'OFFLINE' ? true : undefined,
    );
  });
});
