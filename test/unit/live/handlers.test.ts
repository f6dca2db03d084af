import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { applyRecordingEvent, applyStreamEvent } from '../../../lambdas/live/ivs-events.ts';
import { signPlaybackToken } from '../../../lambdas/live/playback-tokens.ts';
import { recordingVideoId } from '../../../lambdas/live/recording.ts';
import type { IvsEvent } from '../../../lambdas/live/stream-state.ts';
import type { LiveDeps } from '../../../lambdas/live/streams.ts';
import { checkPlaybackToken } from '../../../local/ivs/playback-token.ts';
import { userIdTokens } from '../../support/http-deps.ts';
import { type Handler, invoke } from '../../support/lambda.ts';
import { InMemoryVideoCatalog } from '../catalog/in-memory.ts';
import { InMemoryInteractivityStore } from '../interactivity/in-memory.ts';
import { HANDLER_ENV } from '../interactivity/support.ts';
import { inMemoryQuotas } from '../shared/in-memory-quotas.ts';
import { InMemoryChannels, InMemoryRecordingFiles, InMemoryStreamStore } from './in-memory.ts';

const keyPair = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
const tokens = {
  sign: async (arn: string, seconds: number) => signPlaybackToken(keyPair.privateKey, arn, seconds),
};

// Handler modules read their configuration at import, as at Lambda init.
Object.assign(process.env, HANDLER_ENV);

function liveDeps(): LiveDeps & { channels: InMemoryChannels; store: InMemoryStreamStore } {
  return {
    channels: new InMemoryChannels(),
    store: new InMemoryStreamStore(),
    interactivity: new InMemoryInteractivityStore(),
    tokens,
    settings: {
      application: 'skycast-test',
      ingestUrlTemplate: 'rtmps://{ingestEndpoint}:443/app/',
      playbackTokenSeconds: 300,
    },
  };
}

describe('live API handlers', () => {
  const deps = liveDeps();
  const handlers: Record<string, Handler> = {};

  before(async () => {
    for (const name of [
      'start-stream',
      'get-stream-key',
      'rotate-stream-key',
      'end-stream',
      'watch-stream',
      'list-streams',
    ])
      handlers[name] = (await import(`../../../lambdas/live/${name}.ts`)).createHandler({
        ...userIdTokens,
        ...deps,
        ...inMemoryQuotas(),
      });
  });

  const start = (token: string, body: unknown) =>
    invoke(handlers['start-stream'] as Handler, {
      method: 'POST',
      path: '/streams',
      routeKey: 'POST /streams',
      token,
      body,
    });
  const call = (name: string, method: string, path: string, token: string, streamId: string) =>
    invoke(handlers[name] as Handler, {
      method,
      path: path.replace('{streamId}', streamId),
      routeKey: `${method} ${path}`,
      token,
      pathParameters: { streamId },
    });

  it('creates one channel per creator on the first startStream and returns the ingest URL and key', async () => {
    const first = await start('user-alice', { title: 'Hello', tags: ['Music', 'music'] });
    const again = await start('user-alice', { title: 'Hello again', category: 'Music' });

    assert.equal(first.status, 200);
    assert.equal(first.body.ingest.url, 'rtmps://abc.global-contribute.live-video.net:443/app/');
    assert.match(first.body.ingest.streamKey, /^sk_/);
    assert.deepEqual(first.body.stream.tags, ['music']);
    assert.equal(first.body.stream.status, 'OFFLINE');
    assert.equal(again.body.stream.streamId, first.body.stream.streamId);
    assert.equal(again.body.stream.title, 'Hello again');
    assert.equal(again.body.ingest.streamKey, first.body.ingest.streamKey);
    assert.equal(deps.channels.calls.filter((call) => call.startsWith('create')).length, 1);
    assert.equal(deps.channels.channels.size, 1);
  });

  it('refuses a start without a title, with a code and a message', async () => {
    const response = await start('user-alice', { title: ' ', visibility: 'secret' });

    assert.equal(response.status, 400);
    assert.equal(response.body.code, 'VALIDATION_FAILED');
    assert.match(response.body.message, /title/);
  });

  it('shows the key to its owner only; anyone else gets 404 for reading, rotating and ending', async () => {
    const { body } = await start('user-alice', { title: 'Mine' });
    const streamId = body.stream.streamId;

    const mine = await call('get-stream-key', 'GET', '/streams/{streamId}/key', 'user-alice', streamId);
    const theirs = await call('get-stream-key', 'GET', '/streams/{streamId}/key', 'user-bob', streamId);
    const rotate = await call('rotate-stream-key', 'POST', '/streams/{streamId}/key', 'user-bob', streamId);
    const end = await call('end-stream', 'POST', '/streams/{streamId}/end', 'user-bob', streamId);

    assert.equal(mine.status, 200);
    assert.equal(mine.body.ingest.streamKey, body.ingest.streamKey);
    for (const response of [theirs, rotate, end]) {
      assert.equal(response.status, 404);
      assert.equal(response.body.code, 'NOT_FOUND');
      assert.doesNotMatch(JSON.stringify(response.body), /sk_/);
    }
  });

  it('rotates a key by revoking the old one, then stopping the stream, then creating a new one', async () => {
    const { body } = await start('user-alice', { title: 'Mine' });
    deps.channels.calls.length = 0;
    deps.channels.broadcasting.add(`arn:aws:ivs:us-east-1:123456789012:channel/${body.stream.streamId}`);

    const rotated = await call(
      'rotate-stream-key',
      'POST',
      '/streams/{streamId}/key',
      'user-alice',
      body.stream.streamId,
    );

    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.ingest.streamKey, body.ingest.streamKey);
    assert.deepEqual(deps.channels.calls, ['deleteKey', 'stop', 'createKey']);
    assert.equal(deps.channels.broadcasting.size, 0);
  });

  it('gives a private stream a playback token for its channel, to its owner only', async () => {
    const { body } = await start('user-carol', { title: 'Secret', visibility: 'private' });
    const channel = [...deps.channels.channels.values()].find((c) => c.id === body.stream.streamId);

    const mine = await call('watch-stream', 'GET', '/streams/{streamId}', 'user-carol', body.stream.streamId);
    const theirs = await call('watch-stream', 'GET', '/streams/{streamId}', 'user-bob', body.stream.streamId);

    assert.equal(channel?.authorized, true);
    assert.equal(mine.status, 200);
    assert.deepEqual(
      checkPlaybackToken(mine.body.playbackToken, channel?.arn as string, [keyPair.publicKey]),
      { ok: true },
    );
    assert.equal(theirs.status, 404);
  });

  it('refuses a listing cursor it did not hand out with 400 INVALID_CURSOR', async () => {
    const response = await invoke(handlers['list-streams'] as Handler, {
      path: '/streams',
      routeKey: 'GET /streams',
      token: 'user-bob',
      query: { cursor: 'not-a-cursor' },
    });
    assert.equal(response.status, 400);
    assert.equal(response.body.code, 'INVALID_CURSOR');
  });

  it('says LIVE from a Stream Start and lists only public live streams', async () => {
    const pub = await start('user-dave', { title: 'Public' });
    const unlisted = await start('user-erin', { title: 'Unlisted', visibility: 'unlisted' });
    for (const { body } of [pub, unlisted]) {
      const arn = `arn:aws:ivs:us-east-1:123456789012:channel/${body.stream.streamId}`;
      deps.channels.broadcasting.add(arn);
      await applyStreamEvent(
        deps,
        ivsEvent('start', arn, `st-${body.stream.streamId}`, '2026-11-21T10:00:05Z'),
      );
    }

    const watched = await call(
      'watch-stream',
      'GET',
      '/streams/{streamId}',
      'user-bob',
      pub.body.stream.streamId,
    );
    const listed = await invoke(handlers['list-streams'] as Handler, {
      path: '/streams',
      routeKey: 'GET /streams',
      token: 'user-bob',
    });

    assert.equal(watched.body.status, 'LIVE');
    assert.equal(watched.body.startedAt, '2026-11-21T10:00:05.000Z');
    assert.equal(watched.body.viewerCount, 3);
    assert.equal(watched.body.playbackToken, undefined);
    assert.deepEqual(
      listed.body.items.map((item: { streamId: string }) => item.streamId),
      [pub.body.stream.streamId],
    );
  });
});

const fixture = (name: string): IvsEvent =>
  JSON.parse(readFileSync(new URL(`../../fixtures/events/${name}`, import.meta.url), 'utf8'));

/** A fixture event (AWS's documented shape) for this channel and stream at `time`. */
function ivsEvent(
  kind: 'start' | 'end' | 'failure' | 'recordingEnd',
  channelArn: string,
  streamId: string,
  time: string,
  session = 'sess',
) {
  const base = fixture(
    {
      start: 'ivs-stream-start.json',
      end: 'ivs-stream-end.json',
      failure: 'ivs-stream-failure.json',
      recordingEnd: 'ivs-recording-end.json',
    }[kind],
  );
  const channelId = channelArn.split('/').pop() as string;
  return {
    ...base,
    time,
    resources: [channelArn],
    detail: {
      ...base.detail,
      stream_id: streamId,
      ...(kind === 'recordingEnd'
        ? {
            recording_s3_bucket_name: 'recordings',
            recording_s3_key_prefix: `ivs/v1/123456789012/${channelId}/2026/11/21/10/0/${session}`,
            recording_session_id: session,
            recording_session_stream_ids: [streamId],
          }
        : {}),
    },
  } as IvsEvent;
}

describe('IVS event handlers', () => {
  const CHANNEL = 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdef1G2hij';
  const metadata = readFileSync(
    new URL('../../fixtures/events/ivs-recording-ended-metadata.json', import.meta.url),
    'utf8',
  );

  /** Two broadcasts: the first ends only through its recording (its Stream End never comes), the second fails and reconnects. */
  const events: IvsEvent[] = [
    ivsEvent('start', CHANNEL, 'st-one', '2026-11-21T10:00:05Z'),
    ivsEvent('recordingEnd', CHANNEL, 'st-one', '2026-11-21T10:20:45Z', 'sessionOne'),
    ivsEvent('start', CHANNEL, 'st-two', '2026-11-21T11:00:05Z'),
    ivsEvent('failure', CHANNEL, 'st-two', '2026-11-21T11:05:00Z'),
    ivsEvent('end', CHANNEL, 'st-two', '2026-11-21T11:05:01Z'),
    ivsEvent('recordingEnd', CHANNEL, 'st-two', '2026-11-21T11:06:00Z', 'sessionTwo'),
  ];

  async function deliver(order: IvsEvent[]) {
    const store = new InMemoryStreamStore();
    await store.claimChannel({
      streamId: 'AbCdef1G2hij',
      channelArn: CHANNEL,
      ownerId: 'user-alice',
      title: 'My show',
      tags: [],
      visibility: 'public',
      playbackUrl: 'https://example/playlist.m3u8',
      ingestEndpoint: 'ingest.example',
      createdAt: '2026-11-01T00:00:00.000Z',
      updatedAt: '2026-11-01T00:00:00.000Z',
    });
    const catalog = new InMemoryVideoCatalog();
    const recordings = new InMemoryRecordingFiles();
    for (const session of ['sessionOne', 'sessionTwo']) {
      const prefix = `recordings/ivs/v1/123456789012/AbCdef1G2hij/2026/11/21/10/0/${session}`;
      recordings.objects.set(`${prefix}/events/recording-ended.json`, metadata);
      for (const i of [0, 1, 2]) recordings.objects.set(`${prefix}/media/thumbnails/thumb${i}.jpg`, 'jpg');
    }
    const deps = {
      store,
      catalog,
      recordings,
      settings: { recordingsBucket: 'recordings', thumbnailIntervalSeconds: 10 },
      now: () => new Date('2026-11-21T12:00:00Z'),
    };
    const stream = (await import('../../../lambdas/live/stream-state-changed.ts')).createHandler(deps);
    const recording = (await import('../../../lambdas/live/recording-state-changed.ts')).createHandler(deps);
    for (const event of order) {
      if (event['detail-type'] === 'IVS Stream State Change') await stream(event);
      else await recording(event);
    }
    return {
      streams: [...store.streams.values()].sort((a, b) => (a.streamId < b.streamId ? -1 : 1)),
      channel: await store.channel('AbCdef1G2hij'),
      videos: [...catalog.items.values()].sort((a, b) => (a.videoId < b.videoId ? -1 : 1)),
      newest: await store.newestStream(CHANNEL),
    };
  }

  it('turns each Recording End into one READY video that plays the recording', async () => {
    const { videos, channel } = await deliver(events);

    assert.equal(videos.length, 2);
    const second = videos.find((video) => video.videoId === recordingVideoId(CHANNEL, 'sessionTwo'));
    assert.equal(second?.status, 'READY');
    assert.deepEqual(second?.source, { kind: 'recording', channelArn: CHANNEL });
    assert.equal(
      second?.playbackPath,
      'ivs/v1/123456789012/AbCdef1G2hij/2026/11/21/10/0/sessionTwo/media/hls/master.m3u8',
    );
    assert.equal(second?.durationSeconds, 1206.533);
    assert.equal(second?.thumbnails?.count, 3);
    assert.equal(channel?.latestRecordingVideoId, second?.videoId);
  });

  it('reaches the same catalog whatever the order of the events and however often each comes', async () => {
    const expected = await deliver(events);
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray([...events, ...events], { minLength: 12, maxLength: 12 }),
        fc.array(fc.constantFrom(...events.keys()), { maxLength: 4 }),
        async (order, repeats) => {
          const delivered = [...order, ...repeats.map((i) => events[i] as IvsEvent)];
          const got = await deliver(delivered);
          assert.deepEqual(got, expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('closes a stream whose end never came once its recording ended', async () => {
    const { streams } = await deliver(events);

    const first = streams.find((facts) => facts.streamId === 'st-one');
    assert.equal(first?.recordingEndedAt, '2026-11-21T10:20:45.000Z');
    assert.equal(first?.endedAt, undefined);
  });

  it('refuses a malformed event with an error naming what is wrong, changing nothing', async () => {
    const noStream = ivsEvent('start', CHANNEL, 'st-one', '2026-11-21T10:00:05Z');
    delete noStream.detail.stream_id;
    const noPrefix = ivsEvent('recordingEnd', CHANNEL, 'st-one', '2026-11-21T10:20:45Z');
    delete noPrefix.detail.recording_s3_key_prefix;
    const store = new InMemoryStreamStore();
    const deps = {
      store,
      catalog: new InMemoryVideoCatalog(),
      recordings: new InMemoryRecordingFiles(),
      settings: { recordingsBucket: 'recordings', thumbnailIntervalSeconds: 10 },
    };
    const stream = (await import('../../../lambdas/live/stream-state-changed.ts')).createHandler(deps);
    const recording = (await import('../../../lambdas/live/recording-state-changed.ts')).createHandler(deps);

    await assert.rejects(stream(noStream), {
      name: 'MalformedEventError',
      message:
        'This is not an IVS Stream State Change event: detail.stream_id: Invalid input: expected string, received undefined',
    });
    await assert.rejects(recording(noPrefix), /detail\.recording_s3_key_prefix: Invalid input/);
    await assert.rejects(
      recording(ivsEvent('start', CHANNEL, 'st-one', '2026-11-21T10:00:05Z')),
      /detail-type/,
    );
    assert.equal(store.streams.size, 0);
    assert.equal(deps.catalog.items.size, 0);
  });

  it('turns a recording IVS could not finish into one FAILED video that says why, never the latest', async () => {
    const store = new InMemoryStreamStore();
    await store.claimChannel({
      streamId: 'AbCdef1G2hij',
      channelArn: CHANNEL,
      ownerId: 'user-alice',
      title: 'My show',
      tags: [],
      visibility: 'public',
      playbackUrl: 'https://example/playlist.m3u8',
      ingestEndpoint: 'ingest.example',
      createdAt: '2026-11-01T00:00:00.000Z',
      updatedAt: '2026-11-01T00:00:00.000Z',
    });
    const recordings = new InMemoryRecordingFiles();
    const failedMetadata = JSON.stringify({
      ...JSON.parse(metadata),
      recording_status: 'RECORDING_ENDED_WITH_FAILURE',
    });
    recordings.objects.set(
      'recordings/ivs/v1/123456789012/AbCdef1G2hij/2026/11/21/10/0/badMetadata/events/recording-ended.json',
      failedMetadata,
    );
    const catalog = new InMemoryVideoCatalog();
    const deps = {
      store,
      catalog,
      recordings,
      settings: { recordingsBucket: 'recordings', thumbnailIntervalSeconds: 10 },
    };
    const badMetadata = ivsEvent('recordingEnd', CHANNEL, 'st-one', '2026-11-21T10:20:45Z', 'badMetadata');
    const endFailure = ivsEvent('recordingEnd', CHANNEL, 'st-two', '2026-11-21T11:20:45Z', 'endFailure');
    endFailure.detail.recording_status = 'Recording End Failure';
    endFailure.detail.recording_status_reason = 'InternalServerException';

    const outcomes = [];
    for (const event of [badMetadata, endFailure, badMetadata, endFailure])
      outcomes.push(await applyRecordingEvent(deps, event));

    assert.deepEqual(outcomes, ['failed', 'failed', 'already-created', 'already-created']);
    const videos = [...catalog.items.values()];
    assert.equal(videos.length, 2);
    for (const video of videos) {
      assert.equal(video.status, 'FAILED');
      assert.equal(video.failure?.code, 'RECORDING_FAILED');
    }
    assert.match(
      catalog.items.get(recordingVideoId(CHANNEL, 'endFailure'))?.failure?.message ?? '',
      /InternalServerException/,
    );
    assert.equal((await store.channel('AbCdef1G2hij'))?.latestRecordingVideoId, undefined);
  });

  it('ignores a Recording End of a channel the catalog does not know', async () => {
    const store = new InMemoryStreamStore();
    const outcome = await applyRecordingEvent(
      {
        store,
        catalog: new InMemoryVideoCatalog(),
        recordings: new InMemoryRecordingFiles(),
        settings: { recordingsBucket: 'recordings', thumbnailIntervalSeconds: 10 },
      },
      ivsEvent('recordingEnd', CHANNEL, 'st-x', '2026-11-21T10:20:45Z'),
    );
    assert.equal(outcome, 'unknown-channel');
  });
});
