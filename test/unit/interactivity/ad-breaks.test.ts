import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { StoredVideo } from '../../../lambdas/catalog/video-catalog.ts';
import { userIdTokens } from '../../support/http-deps.ts';
import { type Handler, invoke } from '../../support/lambda.ts';
import { InMemoryVideoCatalog } from '../catalog/in-memory.ts';
import { InMemoryStreamStore } from '../live/in-memory.ts';
import { InMemoryInteractivityStore, RecordingInBand } from './in-memory.ts';
import { HANDLER_ENV, watchHandler } from './support.ts';

Object.assign(process.env, HANDLER_ENV);

const arnOf = (id: string) => `arn:aws:ivs:us-east-1:123456789012:channel/${id}`;

function video(videoId: string, ownerId: string, extra: Partial<StoredVideo> = {}): StoredVideo {
  return {
    videoId,
    ownerId,
    title: `Video ${videoId}`,
    visibility: 'public',
    status: 'READY',
    source: { kind: 'upload', fileName: `${videoId}.mp4` },
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    ...extra,
  } as StoredVideo;
}

describe('live ad breaks', () => {
  let now = new Date('2026-12-04T12:00:00.000Z');
  const streams = new InMemoryStreamStore();
  const interactivity = new InMemoryInteractivityStore();
  const inBand = new RecordingInBand();
  const catalog = new InMemoryVideoCatalog();
  let start: Handler;
  let watch: Handler;

  before(async () => {
    for (const [id, owner, visibility] of [
      ['AliceLive', 'user-alice', 'public'],
      ['CarolHidden', 'user-carol', 'private'],
      ['DaveOff', 'user-dave', 'public'],
    ] as const) {
      await streams.claimChannel({
        streamId: id,
        channelArn: arnOf(id),
        ownerId: owner,
        title: id,
        tags: [],
        visibility,
        playbackUrl: `https://example.invalid/${id}.m3u8`,
        ingestEndpoint: 'x',
        createdAt: '2026-12-01T00:00:00.000Z',
        updatedAt: '2026-12-01T00:00:00.000Z',
      });
      if (id !== 'DaveOff')
        await streams.mergeFacts({
          channelArn: arnOf(id),
          streamId: `st-${id}`,
          firstEventAt: '2026-12-04T11:00:00Z',
          lastEventAt: '2026-12-04T11:00:00Z',
          startedAt: '2026-12-04T11:00:00Z',
        });
    }
    await catalog.create(video('ad-1', 'user-alice', { sponsorCreative: true }));
    await catalog.create(video('plain', 'user-alice'));
    await catalog.create(video('hidden-ad', 'user-alice', { sponsorCreative: true, visibility: 'private' }));
    await catalog.create(video('bobs-ad', 'user-bob', { sponsorCreative: true }));
    await catalog.create(video('house', 'user-operator'));
    const deps = { ...userIdTokens, streams, interactivity, catalog, inBand, now: () => now };
    start = (await import('../../../lambdas/interactivity/schedule-ad-break.ts')).createHandler(deps);
    watch = await watchHandler(streams, interactivity, () => now);
  });

  const post = (token: string, streamId: string, body: unknown, handler = start) =>
    invoke(handler, {
      method: 'POST',
      path: `/streams/${streamId}/ad-breaks`,
      routeKey: 'POST /streams/{streamId}/ad-breaks',
      token,
      pathParameters: { streamId },
      body,
    });
  const watchAs = (token: string, streamId: string) =>
    invoke(watch, {
      path: `/streams/${streamId}`,
      routeKey: 'GET /streams/{streamId}',
      token,
      pathParameters: { streamId },
    });

  it('lets only the owner start one: 403 for a viewer, 404 for a stream they may not see, 409 offline', async () => {
    const body = { durationSeconds: 30, creativeVideoId: 'ad-1' };
    assert.equal((await post('user-bob', 'AliceLive', body)).status, 403);
    assert.equal((await post('user-bob', 'CarolHidden', body)).status, 404);
    const offline = await post('user-dave', 'DaveOff', body);
    assert.equal(offline.status, 409);
    assert.equal(offline.body.code, 'STREAM_NOT_LIVE');
    assert.equal(inBand.calls.length, 0);
  });

  it('plays only a READY, not private sponsor creative of the owner, or says there is no house creative', async () => {
    for (const [creativeVideoId, code] of [
      ['plain', 'CREATIVE_NOT_ELIGIBLE'],
      ['hidden-ad', 'CREATIVE_NOT_ELIGIBLE'],
      ['bobs-ad', 'CREATIVE_NOT_ELIGIBLE'],
      ['no-such-video', 'CREATIVE_NOT_ELIGIBLE'],
    ]) {
      const refused = await post('user-alice', 'AliceLive', { durationSeconds: 30, creativeVideoId });
      assert.equal(refused.status, 400, creativeVideoId);
      assert.equal(refused.body.code, code, creativeVideoId);
    }
    const none = await post('user-alice', 'AliceLive', { durationSeconds: 30 });
    assert.equal(none.status, 400);
    assert.equal(none.body.code, 'NO_CREATIVE');
    for (const durationSeconds of [4, 181, 30.5])
      assert.equal(
        (await post('user-alice', 'AliceLive', { durationSeconds, creativeVideoId: 'ad-1' })).status,
        400,
      );
    assert.equal(inBand.calls.length, 0);
  });

  it('puts the break in-band, shows it to viewers who join, and takes no second one while it plays', async () => {
    const started = await post('user-alice', 'AliceLive', { durationSeconds: 30, creativeVideoId: 'ad-1' });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    assert.equal(started.body.status, 'STARTED');
    assert.equal(started.body.creativeVideoId, 'ad-1');
    assert.deepEqual(JSON.parse(inBand.calls.at(-1)?.payload ?? '{}'), {
      v: 1,
      type: 'adBreak',
      adBreak: {
        adBreakId: started.body.adBreakId,
        startsAt: '2026-12-04T12:00:00.000Z',
        durationSeconds: 30,
        creativeVideoId: 'ad-1',
      },
    });
    now = new Date('2026-12-04T12:00:20.000Z');
    assert.deepEqual((await watchAs('user-bob', 'AliceLive')).body.adBreak, started.body);
    const second = await post('user-alice', 'AliceLive', { durationSeconds: 10, creativeVideoId: 'ad-1' });
    assert.equal(second.status, 409);
    assert.equal(second.body.code, 'AD_BREAK_IN_PROGRESS');
    assert.equal(second.headers['retry-after'], '10');

    now = new Date('2026-12-04T12:00:30.000Z');
    assert.equal((await watchAs('user-bob', 'AliceLive')).body.adBreak, undefined);
  });

  it('gives the slot back when IVS does not carry the break, and uses the house creative when set', async () => {
    now = new Date('2026-12-04T12:05:00.000Z');
    inBand.answers.push('throttled');
    const throttled = await post('user-alice', 'AliceLive', { durationSeconds: 20, creativeVideoId: 'ad-1' });
    assert.equal(throttled.status, 429);
    assert.equal((await watchAs('user-bob', 'AliceLive')).body.adBreak, undefined);

    const withHouse = (await import('../../../lambdas/interactivity/schedule-ad-break.ts')).createHandler({
      ...userIdTokens,
      streams,
      interactivity,
      catalog,
      inBand,
      now: () => now,
      houseCreativeVideoId: 'house',
    });
    const house = await post('user-alice', 'AliceLive', { durationSeconds: 20 }, withHouse);
    assert.equal(house.status, 201, JSON.stringify(house.body));
    assert.equal(house.body.creativeVideoId, 'house');
  });

  describe('scheduled for later', () => {
    const created: { name: string; at: Date; input: unknown }[] = [];
    const deleted: string[] = [];
    const schedules = {
      create: async (name: string, at: Date, input: unknown) => {
        created.push({ name, at, input });
      },
      delete: async (name: string) => {
        deleted.push(name);
      },
    };
    const deps = () => ({ streams, interactivity, catalog, inBand, now: () => now, schedules });
    let scheduled: Handler;
    before(async () => {
      scheduled = (await import('../../../lambdas/interactivity/schedule-ad-break.ts')).createHandler({
        ...userIdTokens,
        ...deps(),
      });
    });

    it('keeps a break for later with a one-time schedule, and refuses times it cannot keep', async () => {
      now = new Date('2026-12-04T13:00:00.000Z');
      const calls = inBand.calls.length;
      const later = await post(
        'user-alice',
        'AliceLive',
        { durationSeconds: 20, creativeVideoId: 'ad-1', startsAt: '2026-12-04T13:10:00Z' },
        scheduled,
      );
      assert.equal(later.status, 201, JSON.stringify(later.body));
      assert.equal(later.body.status, 'SCHEDULED');
      assert.equal(later.body.startsAt, '2026-12-04T13:10:00.000Z');
      assert.equal(inBand.calls.length, calls, 'nothing in-band before its time');
      assert.deepEqual(created.at(-1), {
        name: `ad-break-${later.body.adBreakId}`,
        at: new Date('2026-12-04T13:10:00Z'),
        input: { streamId: 'AliceLive', adBreakId: later.body.adBreakId },
      });

      const overlapping = await post(
        'user-alice',
        'AliceLive',
        { durationSeconds: 30, creativeVideoId: 'ad-1', startsAt: '2026-12-04T13:09:45Z' },
        scheduled,
      );
      assert.equal(overlapping.status, 409);
      assert.equal(overlapping.body.code, 'AD_BREAK_OVERLAPS');
      for (const startsAt of ['2026-12-04T12:59:00Z', '2026-12-05T13:00:01Z']) {
        const refused = await post(
          'user-alice',
          'AliceLive',
          { durationSeconds: 30, creativeVideoId: 'ad-1', startsAt },
          scheduled,
        );
        assert.equal(refused.status, 400, startsAt);
        assert.equal(refused.body.code, 'AD_BREAK_TIME_INVALID');
      }
      // Without schedules (a deployment that has none), only breaks that start now are offered.
      const nowOnly = await post('user-alice', 'AliceLive', {
        durationSeconds: 30,
        creativeVideoId: 'ad-1',
        startsAt: '2026-12-04T13:20:00Z',
      });
      assert.equal(nowOnly.status, 400);
    });

    it('starts it at its time if the broadcast is still live, and cancels it otherwise', async () => {
      const { startScheduledAdBreak, cancelScheduledAdBreaks } = await import(
        '../../../lambdas/interactivity/ad-breaks.ts'
      );
      const [first] = await interactivity.scheduledAdBreaks('AliceLive');
      assert.ok(first);
      now = new Date('2026-12-04T13:10:00.200Z');
      assert.equal(
        await startScheduledAdBreak(deps(), { streamId: 'AliceLive', adBreakId: first.adBreakId }),
        'STARTED',
      );
      assert.deepEqual(JSON.parse(inBand.calls.at(-1)?.payload ?? '{}').adBreak.adBreakId, first.adBreakId);
      assert.equal((await watchAs('user-bob', 'AliceLive')).body.adBreak.adBreakId, first.adBreakId);
      // Its schedule firing twice starts it once.
      assert.equal(
        await startScheduledAdBreak(deps(), { streamId: 'AliceLive', adBreakId: first.adBreakId }),
        'NOTHING',
      );

      now = new Date('2026-12-04T13:20:00.000Z');
      const second = await post(
        'user-alice',
        'AliceLive',
        { durationSeconds: 20, creativeVideoId: 'ad-1', startsAt: '2026-12-04T13:30:00Z' },
        scheduled,
      );
      const third = await post(
        'user-alice',
        'AliceLive',
        { durationSeconds: 20, creativeVideoId: 'ad-1', startsAt: '2026-12-04T13:40:00Z' },
        scheduled,
      );
      assert.equal(second.status, 201);
      assert.equal(third.status, 201);
      // The broadcast ends: what is still scheduled in it is cancelled, its schedules deleted.
      const cancelled = await cancelScheduledAdBreaks(
        { interactivity, schedules },
        'AliceLive',
        'st-AliceLive',
      );
      assert.equal(cancelled, 2);
      assert.deepEqual(
        deleted.slice(-2).sort(),
        [`ad-break-${second.body.adBreakId}`, `ad-break-${third.body.adBreakId}`].sort(),
      );
      now = new Date('2026-12-04T13:30:00.000Z');
      assert.equal(
        await startScheduledAdBreak(deps(), { streamId: 'AliceLive', adBreakId: second.body.adBreakId }),
        'NOTHING',
      );

      // A break whose broadcast is over by its time (its end never reached us) is cancelled when it fires.
      now = new Date('2026-12-04T14:00:00.000Z');
      const fourth = await post(
        'user-alice',
        'AliceLive',
        { durationSeconds: 20, creativeVideoId: 'ad-1', startsAt: '2026-12-04T14:05:00Z' },
        scheduled,
      );
      await streams.mergeFacts({
        channelArn: arnOf('AliceLive'),
        streamId: 'st-AliceLive',
        firstEventAt: '2026-12-04T11:00:00Z',
        lastEventAt: '2026-12-04T14:01:00Z',
        endedAt: '2026-12-04T14:01:00Z',
      });
      now = new Date('2026-12-04T14:05:00.000Z');
      const calls = inBand.calls.length;
      assert.equal(
        await startScheduledAdBreak(deps(), { streamId: 'AliceLive', adBreakId: fourth.body.adBreakId }),
        'CANCELLED',
      );
      assert.equal(inBand.calls.length, calls);
    });
  });
});
