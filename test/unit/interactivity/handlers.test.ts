import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import {
  ANNOUNCEMENT_ENVELOPE_MAX_BYTES,
  ANNOUNCEMENT_TEXT_MAX_CHARACTERS,
  METADATA_MAX_BYTES,
  REACTION_RATE_LIMIT,
} from '../../../lambdas/contract/interactivity.ts';
import { announcementEnvelope, encodeMetadata } from '../../../lambdas/interactivity/metadata.ts';
import type { StoredChannel } from '../../../lambdas/live/ports.ts';
import { userIdTokens } from '../../support/http-deps.ts';
import { type Handler, invoke } from '../../support/lambda.ts';
import { InMemoryStreamStore } from '../live/in-memory.ts';
import { InMemoryInteractivityStore, RecordingInBand, RecordingQueue } from './in-memory.ts';
import { HANDLER_ENV, watchHandler } from './support.ts';

Object.assign(process.env, HANDLER_ENV);

const arnOf = (streamId: string) => `arn:aws:ivs:us-east-1:123456789012:channel/${streamId}`;

function channel(streamId: string, ownerId: string, visibility: StoredChannel['visibility']): StoredChannel {
  return {
    streamId,
    channelArn: arnOf(streamId),
    ownerId,
    title: `${ownerId}'s stream`,
    tags: [],
    visibility,
    playbackUrl: `https://example.invalid/${streamId}.m3u8`,
    ingestEndpoint: 'abc.global-contribute.live-video.net',
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
  };
}

describe('interactivity handlers', () => {
  let now = new Date('2026-12-04T12:00:00.000Z');
  const streams = new InMemoryStreamStore();
  const interactivity = new InMemoryInteractivityStore();
  const queue = new RecordingQueue();
  const inBand = new RecordingInBand();
  const handlers: Record<string, Handler> = {};

  const live = async (streamId: string, ivsStreamId: string) =>
    streams.mergeFacts({
      channelArn: arnOf(streamId),
      streamId: ivsStreamId,
      firstEventAt: '2026-12-04T11:00:00Z',
      lastEventAt: '2026-12-04T11:00:00Z',
      startedAt: '2026-12-04T11:00:00Z',
    });

  before(async () => {
    await streams.claimChannel(channel('AliceLive', 'user-alice', 'public'));
    await streams.claimChannel(channel('CarolPrivate', 'user-carol', 'private'));
    await streams.claimChannel(channel('DaveOffline', 'user-dave', 'public'));
    await live('AliceLive', 'st-alice-1');
    await live('CarolPrivate', 'st-carol-1');
    const deps = {
      ...userIdTokens,
      streams,
      interactivity,
      queue,
      inBand,
      now: () => now,
    };
    handlers.react = (await import('../../../lambdas/interactivity/send-reaction.ts')).createHandler(deps);
    handlers.announce = (await import('../../../lambdas/interactivity/post-announcement.ts')).createHandler(
      deps,
    );
    handlers.watch = await watchHandler(streams, interactivity, () => now);
  });

  beforeEach(() => {
    inBand.answers.length = 0;
  });

  const react = (token: string, streamId: string, body: unknown) =>
    invoke(handlers.react as Handler, {
      method: 'POST',
      path: `/streams/${streamId}/reactions`,
      routeKey: 'POST /streams/{streamId}/reactions',
      token,
      pathParameters: { streamId },
      body,
    });
  const announce = (token: string, streamId: string, body: unknown) =>
    invoke(handlers.announce as Handler, {
      method: 'POST',
      path: `/streams/${streamId}/announcements`,
      routeKey: 'POST /streams/{streamId}/announcements',
      token,
      pathParameters: { streamId },
      body,
    });
  const watch = (token: string, streamId: string) =>
    invoke(handlers.watch as Handler, {
      path: `/streams/${streamId}`,
      routeKey: 'GET /streams/{streamId}',
      token,
      pathParameters: { streamId },
    });

  it('accepts a reaction to a live stream: 202, counted, queued for the broadcast', async () => {
    const response = await react('user-bob', 'AliceLive', { reaction: 'heart' });

    assert.equal(response.status, 202);
    assert.deepEqual(response.body, {
      reaction: 'heart',
      acceptedAt: now.toISOString(),
      remaining: REACTION_RATE_LIMIT.max - 1,
    });
    assert.deepEqual(queue.sent.at(-1), {
      v: 1,
      channelArn: arnOf('AliceLive'),
      streamId: 'AliceLive',
      reaction: 'heart',
      acceptedAt: now.toISOString(),
    });
    const watched = await watch('user-erin', 'AliceLive');
    assert.equal(watched.body.reactions.heart, 1);
    assert.equal(watched.body.reactions.fire, 0);
  });

  it('refuses what is not a reaction of the set, an offline stream and one the caller may not see', async () => {
    const sentBefore = queue.sent.length;
    const unknown = await react('user-bob', 'AliceLive', { reaction: 'poop' });
    const offline = await react('user-bob', 'DaveOffline', { reaction: 'heart' });
    const hidden = await react('user-bob', 'CarolPrivate', { reaction: 'heart' });
    const missing = await react('user-bob', 'NoSuchStream', { reaction: 'heart' });

    assert.equal(unknown.status, 400);
    assert.equal(offline.status, 409);
    assert.equal(offline.body.code, 'STREAM_NOT_LIVE');
    assert.equal(hidden.status, 404);
    assert.equal(missing.status, 404);
    assert.deepEqual(hidden.body.message, missing.body.message);
    assert.equal(queue.sent.length, sentBefore);
  });

  it('limits each viewer per window: 429 with Retry-After until the window ends, others unaffected', async () => {
    now = new Date('2026-12-04T12:01:03.500Z');
    const results = [];
    for (let i = 0; i <= REACTION_RATE_LIMIT.max; i += 1)
      results.push(await react('user-frank', 'AliceLive', { reaction: 'fire' }));
    const accepted = results.filter((result) => result.status === 202);
    const refused = results.at(-1);
    const someoneElse = await react('user-gina', 'AliceLive', { reaction: 'fire' });

    assert.equal(accepted.length, REACTION_RATE_LIMIT.max);
    assert.equal(accepted.at(-1)?.body.remaining, 0);
    assert.equal(refused?.status, 429);
    assert.equal(refused?.body.code, 'REACTION_RATE_LIMITED');
    // The 10-second window started at :00 and ends at :10; 6.5 s are left, said as 7.
    assert.equal(refused?.headers['retry-after'], '7');
    assert.equal(someoneElse.status, 202);

    now = new Date('2026-12-04T12:01:10.000Z');
    assert.equal((await react('user-frank', 'AliceLive', { reaction: 'fire' })).status, 202);
    const watched = await watch('user-bob', 'AliceLive');
    assert.equal(watched.body.reactions.fire, REACTION_RATE_LIMIT.max + 2);
  });

  it('lets only the owner post an announcement: 403 for a viewer, 404 for a stream they may not see', async () => {
    const body = { kind: 'news', text: 'Back in five', durationSeconds: 30 };
    const viewer = await announce('user-bob', 'AliceLive', body);
    const hidden = await announce('user-bob', 'CarolPrivate', body);
    const offline = await announce('user-dave', 'DaveOffline', body);

    assert.equal(viewer.status, 403);
    assert.equal(hidden.status, 404);
    assert.equal(offline.status, 409);
    assert.equal(inBand.calls.length, 0);
  });

  it('puts an announcement in-band, and a viewer joining while it lasts gets it from watchStream', async () => {
    now = new Date('2026-12-04T12:05:00.000Z');
    const posted = await announce('user-alice', 'AliceLive', {
      kind: 'disclaimer',
      text: 'Flashing lights ahead — «caution»',
      durationSeconds: 20,
    });

    assert.equal(posted.status, 201);
    assert.equal(posted.body.endsAt, '2026-12-04T12:05:20.000Z');
    const call = inBand.calls.at(-1);
    assert.equal(call?.channelArn, arnOf('AliceLive'));
    assert.deepEqual(JSON.parse(call?.payload ?? '{}'), {
      v: 1,
      type: 'announcement',
      announcement: posted.body,
    });

    now = new Date('2026-12-04T12:05:19.000Z');
    assert.deepEqual((await watch('user-bob', 'AliceLive')).body.announcement, posted.body);
    now = new Date('2026-12-04T12:05:20.000Z');
    assert.equal((await watch('user-bob', 'AliceLive')).body.announcement, undefined);
  });

  it('answers 429 with Retry-After when IVS throttles, 409 when IVS says the channel is off air; keeps neither', async () => {
    now = new Date('2026-12-04T12:06:00.000Z');
    inBand.answers.push('throttled', 'notBroadcasting');
    const body = { kind: 'news', text: 'Now with guests', durationSeconds: 60 };
    const throttled = await announce('user-alice', 'AliceLive', body);
    const offAir = await announce('user-alice', 'AliceLive', body);

    assert.equal(throttled.status, 429);
    assert.equal(throttled.body.code, 'METADATA_THROTTLED');
    assert.equal(throttled.headers['retry-after'], '1');
    assert.equal(offAir.status, 409);
    assert.equal((await watch('user-bob', 'AliceLive')).body.announcement, undefined);
  });

  it('refuses a text over the limit with a 400 that names it', async () => {
    const long = await announce('user-alice', 'AliceLive', {
      kind: 'news',
      text: 'x'.repeat(ANNOUNCEMENT_TEXT_MAX_CHARACTERS + 1),
    });
    // 280 characters of 4-byte emoji are 1,120 bytes: over the byte limit though within the characters.
    const wide = await announce('user-alice', 'AliceLive', { kind: 'news', text: '🔥'.repeat(200) });

    assert.equal(long.status, 400);
    assert.match(JSON.stringify(long.body), /280/);
    assert.equal(wide.status, 400);
    assert.match(JSON.stringify(wide.body), /ANNOUNCEMENT_TOO_LONG/);
  });

  it('fits the longest announcement the contract allows, in any script, into one 1 KB payload', () => {
    for (const unit of ['x', '"', '\\', '\u0007', 'é', '中', '🔥']) {
      // The longest text of this character the schema lets through.
      let text = '';
      while (text.length + unit.length <= ANNOUNCEMENT_TEXT_MAX_CHARACTERS) {
        const next = text + unit;
        if (
          Buffer.byteLength(JSON.stringify(next)) - 2 >
          METADATA_MAX_BYTES - ANNOUNCEMENT_ENVELOPE_MAX_BYTES
        )
          break;
        text = next;
      }
      const payload = encodeMetadata(
        announcementEnvelope({
          announcementId: '123e4567-e89b-12d3-a456-426614174000',
          kind: 'disclaimer',
          text,
          postedAt: '2026-12-04T12:00:00.000Z',
          endsAt: '2026-12-04T12:10:00.000Z',
        }),
      );
      assert.ok(
        Buffer.byteLength(payload) <= METADATA_MAX_BYTES,
        `${unit}: ${Buffer.byteLength(payload)} bytes`,
      );
      assert.ok(
        Buffer.byteLength(payload) - Buffer.byteLength(JSON.stringify(text)) + 2 <=
          ANNOUNCEMENT_ENVELOPE_MAX_BYTES,
      );
    }
  });
});

describe("sendReaction's view of a stream, per container", () => {
  it('reads a stream once a second at most, and sees it go offline or private after that', async () => {
    const { sendReaction, LIVE_STREAM_CACHE_MS } = await import(
      '../../../lambdas/interactivity/reactions.ts'
    );
    const { testUser } = await import('../../support/http-deps.ts');
    const streams = new InMemoryStreamStore();
    let reads = 0;
    const counting = {
      channel: async (id: string) => {
        reads += 1;
        return streams.channel(id);
      },
      newestStream: async (arn: string) => {
        reads += 1;
        return streams.newestStream(arn);
      },
    };
    await streams.claimChannel(channel('Cached', 'user-owner', 'public'));
    await streams.mergeFacts({
      channelArn: arnOf('Cached'),
      streamId: 'st-c',
      firstEventAt: '2026-12-04T11:00:00Z',
      lastEventAt: '2026-12-04T11:00:00Z',
      startedAt: '2026-12-04T11:00:00Z',
    });
    let now = new Date('2026-12-04T12:00:00.000Z');
    const deps = {
      streams: counting,
      interactivity: new InMemoryInteractivityStore(),
      queue: new RecordingQueue(),
      now: () => now,
      streamCache: new Map(),
    };
    for (const viewer of ['user-a', 'user-b', 'user-c'])
      await sendReaction(deps, testUser(viewer), 'Cached', 'heart');
    assert.equal(reads, 2, 'one read of the channel and one of its streams for three reactions');

    await streams.mergeFacts({
      channelArn: arnOf('Cached'),
      streamId: 'st-c',
      firstEventAt: '2026-12-04T11:00:00Z',
      lastEventAt: '2026-12-04T12:00:00Z',
      endedAt: '2026-12-04T12:00:00Z',
    });
    now = new Date(now.getTime() + LIVE_STREAM_CACHE_MS);
    await assert.rejects(sendReaction(deps, testUser('user-a'), 'Cached', 'heart'), { status: 409 });
    assert.equal(reads, 4);
  });
});
