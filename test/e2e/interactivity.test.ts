/**
 * Live interactivity on the local platform, end to end: a creator goes live with a disclaimer, viewers react,
 * the creator posts a news flash, and both reach the stream in-band: the local IVS writes them into the live
 * segments as ID3 timed metadata, where they are read back here with a TS/ID3 reader of our benchmarks (the
 * same bytes hls.js parses in the browser). The catalog counts every reaction; a viewer joining late gets the
 * announcement from watchStream; the recording keeps the metadata.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import HLS from 'hls-parser';
import { timedMetadata } from '../../bench/support/ts-timed-metadata.ts';
import type { LiveMetadata } from '../../lambdas/contract/interactivity.ts';
import { cookieHeader } from '../../lambdas/delivery/playback.ts';
import { emulatorClientConfig } from '../../local/emulator-clients.ts';
import { type RunningPlatform, startPlatform } from '../../local/platform.ts';
import { uploadFile, waitForVideo } from '../../scripts/uploader.ts';
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
  let creativeId: string;
  let later: { adBreakId: string } | undefined;
  const work = mkdtempSync(join(tmpdir(), 'skycast-e2e-interactivity-'));

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
    const file = join(work, 'sponsor.mp4');
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30', '-t', '6'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file],
    ]);
    const client = { apiUrl: config.apiUrl, accessToken: alice.tokens.AccessToken };
    ({ videoId: creativeId } = await uploadFile(client, file, { title: 'Sponsor', visibility: 'public' }));
  });
  after(async () => {
    await publisher?.stop();
    await platform?.stop();
    rmSync(work, { recursive: true, force: true });
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

  it('starts a scheduled ad break at its time, in-band, and cancels what is still scheduled when the stream ends', async () => {
    const client = { apiUrl: config.apiUrl, accessToken: alice.tokens.AccessToken };
    await waitForVideo(client, creativeId, { timeoutMs: 120_000 });
    const marked = await api(alice, 'PATCH', `/videos/${creativeId}`, { sponsorCreative: true });
    assert.equal(marked.status, 200, JSON.stringify(marked.body));

    const startsAt = new Date(Date.now() + 6000).toISOString();
    const scheduled = await api(alice, 'POST', `/streams/${streamId}/ad-breaks`, {
      durationSeconds: 5,
      creativeVideoId: creativeId,
      startsAt,
    });
    assert.equal(scheduled.status, 201, JSON.stringify(scheduled.body));
    assert.equal(scheduled.body.status, 'SCHEDULED');
    const playing = await eventually(
      'watchStream to show the scheduled break playing',
      async () => {
        const { body } = await api(bob, 'GET', `/streams/${streamId}`);
        return body.adBreak?.adBreakId === scheduled.body.adBreakId ? body.adBreak : undefined;
      },
      30_000,
    );
    assert.equal(playing.status, 'STARTED');
    assert.ok(playing.startsAt >= startsAt.slice(0, 19), `${playing.startsAt} after ${startsAt}`);
    const rendition = (await api(bob, 'GET', `/streams/${streamId}`)).body.playbackUrl.replace(
      'master.m3u8',
      '720p30/playlist.m3u8',
    );
    const envelopes: LiveMetadata[] = [];
    const seen = new Set<string>();
    await eventually(
      'the break in-band',
      async () => {
        await collectInBand(rendition, seen, envelopes);
        return envelopes.some((e) => e.type === 'adBreak' && e.adBreak.adBreakId === scheduled.body.adBreakId)
          ? true
          : undefined;
      },
      30_000,
    );

    const next = await api(alice, 'POST', `/streams/${streamId}/ad-breaks`, {
      durationSeconds: 5,
      creativeVideoId: creativeId,
      startsAt: new Date(Date.now() + 10 * 60_000).toISOString(),
    });
    assert.equal(next.status, 201, JSON.stringify(next.body));
    later = next.body;
  });

  it('keeps the in-band metadata in the recording', async () => {
    await publisher?.stop();
    // The stream's end cancels the break still scheduled: its schedule is gone.
    const scheduler = new SchedulerClient(
      emulatorClientConfig({ endpoint: platform.motoEndpoint, region: config.region }),
    );
    await eventually(
      'the scheduled break cancelled',
      async () => {
        const { Schedules } = await scheduler.send(
          new ListSchedulesCommand({ GroupName: platform.resources.schedules.groupName }),
        );
        return (Schedules ?? []).some((s) => s.Name === `ad-break-${later?.adBreakId}`) ? undefined : true;
      },
      60_000,
    );
    scheduler.destroy();
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
