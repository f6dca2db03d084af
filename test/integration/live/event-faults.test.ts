/**
 * Live events under EventBridge's worst: 200+ IVS Stream State Change and Recording State Change events of many
 * channels and recording sessions, each delivered 1–3 times, shuffled, some late, to the real
 * stream-state-changed and recording-state-changed functions (several invocations at once, as Lambda runs them)
 * against moto. A delivery that fails is retried, as EventBridge retries. At the end every stream is in the state
 * its events say, every recording is exactly one video, READY or FAILED with a reason, and nothing is stuck.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { recordingEndedKey, recordingThumbnailKey } from '#contract/media-layout.ts';
import { DynamoVideoCatalog } from '../../../lambdas/catalog/video-store.ts';
import type { StoredChannel } from '../../../lambdas/live/ports.ts';
import { recordingVideoId } from '../../../lambdas/live/recording.ts';
import { sessionOf } from '../../../lambdas/live/stream-state.ts';
import { DynamoStreamStore } from '../../../lambdas/live/stream-store.ts';
import { documentClient } from '../../../lambdas/shared/dynamodb.ts';
import { emulatorS3Config } from '../../../local/emulator-clients.ts';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.ts';
import {
  buildScenario,
  faultyDeliveries,
  type IvsBusEvent,
  type Scenario,
  seededRandom,
} from './live-scenario.ts';

/** Invocations running at once, as Lambda scales out on a burst of events. */
const CONCURRENCY = 8;
/** EventBridge retries a failed invocation; the test retries as often before it calls the event lost. */
const DELIVERY_ATTEMPTS = 5;

let emulator: TestEmulator;
before(async () => {
  emulator = await startTestEmulator();
});
after(async () => {
  await emulator?.stop();
});

/** Runs `work` on every item, `limit` at a time. */
async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** Writes what IVS writes for each recording that ended: its metadata and a few thumbnails. */
async function writeRecordings(scenario: Scenario, bucket: string) {
  const s3 = new S3Client(
    emulatorS3Config({ endpoint: emulator.endpoint, region: emulator.resources.region }),
  );
  const objects = scenario.channels.flatMap((channel) =>
    channel.sessions.flatMap((session) =>
      session.metadata === undefined
        ? []
        : [
            { key: recordingEndedKey(session.keyPrefix), body: session.metadata },
            ...[0, 1, 2].map((index) => ({
              key: recordingThumbnailKey(`${session.keyPrefix}/media/thumbnails`, index),
              body: 'jpeg',
            })),
          ],
    ),
  );
  await inParallel(objects, CONCURRENCY, async ({ key, body }) => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  });
  s3.destroy();
}

describe('live events delivered late, twice and out of order', () => {
  it('ends every stream in its state and every recording as exactly one video', async (t) => {
    const seed = Number(process.env.SKYCAST_FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
    t.diagnostic(`seed ${seed} (SKYCAST_FAULT_SEED=${seed} repeats this run)`);
    const random = seededRandom(seed);
    const bucket = emulator.resources.bucketNames.recordings;
    const scenario = buildScenario({
      application: emulator.resources.application,
      bucket,
      channelCount: 10,
      sessionsPerChannel: 4,
      random,
    });
    assert.ok(scenario.events.length >= 200, `${scenario.events.length} events`);
    const store = new DynamoStreamStore(documentClient(), emulator.resources.tableName);
    const catalog = new DynamoVideoCatalog(documentClient(), emulator.resources.tableName);
    for (const channel of scenario.channels) {
      const stored: StoredChannel = {
        streamId: channel.streamId,
        channelArn: channel.channelArn,
        ownerId: channel.ownerId,
        title: `Show of ${channel.ownerId}`,
        tags: [],
        visibility: 'public',
        playbackUrl: `https://playback.example/${channel.streamId}.m3u8`,
        ingestEndpoint: 'ingest.example',
        createdAt: '2026-11-20T00:00:00.000Z',
        updatedAt: '2026-11-20T00:00:00.000Z',
      };
      await store.claimChannel(stored);
    }
    await writeRecordings(scenario, bucket);
    // The function modules read their environment when they load: after the emulator set it.
    const streamChanged = (await import('../../../lambdas/live/stream-state-changed.ts')).handler;
    const recordingChanged = (await import('../../../lambdas/live/recording-state-changed.ts')).handler;

    const deliveries = faultyDeliveries(scenario.events, random);
    const retried: string[] = [];
    const lost: string[] = [];
    await inParallel(deliveries, CONCURRENCY, async (event: IvsBusEvent) => {
      const handler = event['detail-type'] === 'IVS Stream State Change' ? streamChanged : recordingChanged;
      for (let attempt = 1; attempt <= DELIVERY_ATTEMPTS; attempt += 1) {
        try {
          await (handler as (event: unknown) => Promise<void>)(structuredClone(event));
          return;
        } catch (error) {
          retried.push(
            `${event['detail-type']} ${JSON.stringify(event.detail)}: ${(error as Error).message}`,
          );
        }
      }
      lost.push(event.id);
    });
    t.diagnostic(
      `${scenario.events.length} events, ${deliveries.length} deliveries, ${retried.length} retried`,
    );

    assert.deepEqual(retried, [], 'no delivery fails');
    assert.deepEqual(lost, [], 'no event fails every delivery');
    for (const channel of scenario.channels) {
      const lastSession = channel.sessions.at(-1);
      const newest = await store.newestStream(channel.channelArn);
      assert.equal(newest?.streamId, lastSession?.streamIds.at(-1), `${channel.streamId}: its newest stream`);
      const shown = sessionOf(newest as NonNullable<typeof newest>);
      if (lastSession?.ending === 'live') {
        assert.equal(shown.status, 'LIVE', `${channel.streamId} is live`);
        assert.equal(shown.startedAt, lastSession.startedAt);
      } else {
        assert.equal(shown.status, 'OFFLINE', `${channel.streamId} is offline`);
        assert.ok(shown.endedAt, `${channel.streamId} has ended`);
      }
      if (lastSession?.ending === 'stream-failed') assert.match(shown.failure?.message ?? '', /InvalidInput/);

      const { items: videos } = await catalog.listByOwner(channel.ownerId, { limit: 100 });
      const recorded = channel.sessions.filter((session) => session.ending !== 'live');
      assert.equal(videos.length, recorded.length, `${channel.streamId}: one video per recording, no more`);
      for (const session of recorded) {
        const video = await catalog.get(recordingVideoId(channel.channelArn, session.sessionId));
        const what = `${channel.streamId} ${session.sessionId} (${session.ending})`;
        if (session.ending === 'clean' || session.ending === 'reconnected') {
          assert.equal(video?.status, 'READY', what);
          assert.ok(video?.playbackPath?.startsWith(session.keyPrefix), what);
        } else {
          assert.equal(video?.status, 'FAILED', what);
          assert.ok(video?.failure?.code && video.failure.message, `${what} says why it failed`);
        }
      }
      const ready = recorded.filter(
        (session) => session.ending === 'clean' || session.ending === 'reconnected',
      );
      const latest = ready.at(-1);
      assert.equal(
        (await store.channel(channel.streamId))?.latestRecordingVideoId,
        latest && recordingVideoId(channel.channelArn, latest.sessionId),
        `${channel.streamId}: its latest recording is its latest READY one`,
      );
    }
    const liveNow = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await store.liveNow({ limit: 25, ...(cursor ? { cursor } : {}) });
      for (const entry of page.items) liveNow.add(`${entry.channel.streamId} ${entry.facts.streamId}`);
      cursor = page.cursor;
    } while (cursor);
    const expectedLive = scenario.channels
      .filter((channel) => channel.sessions.at(-1)?.ending === 'live')
      .map((channel) => `${channel.streamId} ${channel.sessions.at(-1)?.streamIds.at(-1)}`);
    assert.deepEqual([...liveNow].sort(), expectedLive.sort(), 'only the live streams are live now');
  });
});
