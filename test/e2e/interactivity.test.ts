/**
 * Live interactivity on the local platform, end to end: a creator goes live with a disclaimer, viewers react,
 * the creator posts a news flash, and both reach the stream in-band: the local IVS writes them into the live
 * segments as ID3 timed metadata, where they are read back here with a TS/ID3 reader of our benchmarks (the
 * same bytes hls.js parses in the browser). The catalog counts every reaction; a viewer joining late gets the
 * announcement from watchStream; the recording keeps the metadata.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import HLS from 'hls-parser';
import { timedMetadata } from '../../bench/support/ts-timed-metadata.ts';
import type { LiveMetadata } from '../../lambdas/contract/interactivity.ts';
import { cookieHeader } from '../../lambdas/delivery/playback.ts';
import { type RunningPlatform, startPlatform } from '../../local/platform.ts';
import { eventually, type Publisher, publishTestPattern } from '../support/publisher.ts';
import { callApi, fetchJson, newSignedInUser, type SignedInUser, type WebConfig } from './support/client.ts';

/** Every in-band envelope in the segments of a media playlist, each segment read once. */
async function collectInBand(
  playlistUrl: string,
  seen: Set<string>,
  into: LiveMetadata[],
  headers: Record<string, string> = {},
): Promise<void> {
  const response = await fetch(playlistUrl, { headers });
  if (!response.ok) return;
  const playlist = HLS.parse(await response.text()) as HLS.types.MediaPlaylist;
  for (const segment of playlist.segments) {
    const url = new URL(segment.uri, playlistUrl).toString();
    if (seen.has(url)) continue;
    const bytes = await fetch(url, { headers });
    if (!bytes.ok) continue;
    seen.add(url);
    for (const frame of timedMetadata(Buffer.from(await bytes.arrayBuffer())).frames)
      into.push(JSON.parse(frame.payload) as LiveMetadata);
  }
}

const reactionsIn = (envelopes: LiveMetadata[]) => {
  const counts: Record<string, number> = {};
  for (const envelope of envelopes)
    if (envelope.type === 'reactions')
      for (const [reaction, count] of Object.entries(envelope.counts))
        counts[reaction] = (counts[reaction] ?? 0) + (count ?? 0);
  return counts;
};

describe('live interactivity on the local platform', () => {
  let platform: RunningPlatform;
  let config: WebConfig;
  let alice: SignedInUser;
  let bob: SignedInUser;
  let streamId: string;
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
  });
  after(async () => {
    await publisher?.stop();
    await platform?.stop();
  });

  it('answers 409 to reactions and announcements while the stream is offline', async () => {
    const started = await api(alice, 'POST', '/streams', {
      title: 'Interactive',
      disclaimer: 'Contains flashing lights',
    });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    streamId = started.body.stream.streamId;
    assert.equal(started.body.stream.disclaimer, 'Contains flashing lights');

    const reaction = await api(bob, 'POST', `/streams/${streamId}/reactions`, { reaction: 'heart' });
    const announcement = await api(alice, 'POST', `/streams/${streamId}/announcements`, {
      kind: 'news',
      text: 'Starting soon',
    });
    assert.equal(reaction.status, 409);
    assert.equal(reaction.body.code, 'STREAM_NOT_LIVE');
    assert.equal(announcement.status, 409);

    publisher = publishTestPattern(`${started.body.ingest.url}${started.body.ingest.streamKey}`, {
      seconds: 40,
    });
  });

  it('carries reactions and a news flash in-band, in every rendition, and counts every reaction', async () => {
    const live = await eventually(
      'watchStream to say LIVE',
      async () => {
        const { body } = await api(bob, 'GET', `/streams/${streamId}`);
        return body.status === 'LIVE' ? body : undefined;
      },
      30_000,
    );
    assert.equal(live.disclaimer, 'Contains flashing lights');

    const sent = ['heart', 'heart', 'fire', 'clap'];
    for (const reaction of sent) {
      const response = await api(bob, 'POST', `/streams/${streamId}/reactions`, { reaction });
      assert.equal(response.status, 202, JSON.stringify(response.body));
    }
    const refused = await api(bob, 'POST', `/streams/${streamId}/reactions`, { reaction: 'poop' });
    assert.equal(refused.status, 400);
    const notOwner = await api(bob, 'POST', `/streams/${streamId}/announcements`, {
      kind: 'news',
      text: 'Hi',
    });
    assert.equal(notOwner.status, 403);
    const posted = await api(alice, 'POST', `/streams/${streamId}/announcements`, {
      kind: 'news',
      text: 'Guest joins at 9 — «stay tuned»',
      durationSeconds: 60,
    });
    assert.equal(posted.status, 201, JSON.stringify(posted.body));

    const renditions = ['720p30', '360p30'].map((name) =>
      live.playbackUrl.replace('master.m3u8', `${name}/playlist.m3u8`),
    );
    const found = renditions.map(() => ({ seen: new Set<string>(), envelopes: [] as LiveMetadata[] }));
    await eventually(
      'the reactions and the announcement in the segments of both renditions',
      async () => {
        await Promise.all(
          renditions.map((url, i) =>
            collectInBand(url, found[i]?.seen as Set<string>, found[i]?.envelopes as LiveMetadata[]),
          ),
        );
        const complete = found.every(({ envelopes }) => {
          const counts = reactionsIn(envelopes);
          return (
            counts.heart === 2 &&
            counts.fire === 1 &&
            counts.clap === 1 &&
            envelopes.some((envelope) => envelope.type === 'announcement')
          );
        });
        return complete ? true : undefined;
      },
      30_000,
    );
    for (const { envelopes } of found) {
      const announcement = envelopes.find((envelope) => envelope.type === 'announcement');
      assert.deepEqual(announcement, { v: 1, type: 'announcement', announcement: posted.body });
      assert.deepEqual(reactionsIn(envelopes), { heart: 2, fire: 1, clap: 1 });
    }

    const joined = await api(bob, 'GET', `/streams/${streamId}`);
    assert.deepEqual(joined.body.reactions, { heart: 2, laugh: 0, wow: 0, clap: 1, fire: 1 });
    assert.deepEqual(joined.body.announcement, posted.body);
  });

  it('keeps the in-band metadata in the recording', async () => {
    await publisher?.stop();
    const videoId = await eventually(
      'the recording to become a video',
      async () => (await api(alice, 'GET', `/streams/${streamId}`)).body.latestRecordingVideoId,
      90_000,
    );
    const video = (await api(alice, 'GET', `/videos/${videoId}`)).body;
    assert.equal(video.status, 'READY');
    const headers = { cookie: cookieHeader(video.playback) };
    const envelopes: LiveMetadata[] = [];
    await collectInBand(
      `${config.mediaUrl}/${video.renditions[0].playlistPath}`,
      new Set(),
      envelopes,
      headers,
    );
    assert.ok(
      envelopes.some((envelope) => envelope.type === 'announcement'),
      JSON.stringify(envelopes),
    );
    assert.deepEqual(reactionsIn(envelopes), { heart: 2, fire: 1, clap: 1 });
  });
});
