/**
 * The interactivity items in DynamoDB (moto): reaction counting with the per-viewer window, totals summed over
 * their shards, the announcement a later post replaces. Requests here are sequential: moto does not make
 * conditional writes atomic across its threads, so races are argued in the store's comments, not tested here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { REACTION_RATE_LIMIT } from '../../../lambdas/contract/interactivity.ts';
import {
  DynamoInteractivityStore,
  REACTION_TOTAL_SHARDS,
} from '../../../lambdas/interactivity/interactivity-store.ts';
import { documentClient } from '../../../lambdas/shared/dynamodb.ts';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.ts';

describe('DynamoInteractivityStore against moto', () => {
  let emulator: TestEmulator;
  let store: DynamoInteractivityStore;
  let table: string;

  before(async () => {
    emulator = await startTestEmulator();
    table = emulator.resources.tableName;
    store = new DynamoInteractivityStore(documentClient(), table);
  });
  after(async () => {
    await emulator?.stop();
  });

  it('counts each accepted reaction once, per broadcast, over the shards', async () => {
    const at = new Date('2026-12-04T12:00:00.000Z');
    const sent = [...Array(40)].map((_, i) => (['heart', 'fire', 'wow', 'clap'] as const)[i % 4]);
    for (const [i, reaction] of sent.entries()) {
      const counted = await store.countReaction({
        streamId: 'Chan1',
        ivsStreamId: 'st-1',
        viewerId: `viewer-${i}`,
        reaction: reaction as 'heart',
        at,
        limit: REACTION_RATE_LIMIT,
      });
      assert.deepEqual(counted, { accepted: true, remaining: REACTION_RATE_LIMIT.max - 1 });
    }
    await store.countReaction({
      streamId: 'Chan1',
      ivsStreamId: 'st-2',
      viewerId: 'viewer-0',
      reaction: 'laugh',
      at: new Date('2026-12-04T12:00:30.000Z'),
      limit: REACTION_RATE_LIMIT,
    });

    assert.deepEqual(await store.reactionTotals('Chan1', 'st-1'), {
      heart: 10,
      laugh: 0,
      wow: 10,
      clap: 10,
      fire: 10,
    });
    assert.deepEqual(await store.reactionTotals('Chan1', 'st-2'), {
      heart: 0,
      laugh: 1,
      wow: 0,
      clap: 0,
      fire: 0,
    });
    assert.deepEqual(await store.reactionTotals('Other', 'st-1'), {
      heart: 0,
      laugh: 0,
      wow: 0,
      clap: 0,
      fire: 0,
    });
    const { Items } = await documentClient().send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': 'LIVE#Chan1', ':prefix': 'REACTIONS#st-1#' },
      }),
    );
    assert.ok(
      (Items?.length ?? 0) > 1 && (Items?.length ?? 0) <= REACTION_TOTAL_SHARDS,
      `${Items?.length} shards`,
    );
  });

  it('holds a viewer to the limit of a window, tells when it ends, and starts afresh in the next', async () => {
    const limit = { max: 3, windowSeconds: 10 };
    const count = (second: number) =>
      store.countReaction({
        streamId: 'Chan2',
        ivsStreamId: 'st-9',
        viewerId: 'fast-tapper',
        reaction: 'heart',
        at: new Date(`2026-12-04T12:00:${String(second).padStart(2, '0')}.250Z`),
        limit,
      });

    assert.deepEqual(await count(21), { accepted: true, remaining: 2 });
    assert.deepEqual(await count(22), { accepted: true, remaining: 1 });
    assert.deepEqual(await count(23), { accepted: true, remaining: 0 });
    assert.deepEqual(await count(24), { accepted: false, retryAfterSeconds: 6 });
    assert.deepEqual(await count(30), { accepted: true, remaining: 2 });
    assert.equal((await store.reactionTotals('Chan2', 'st-9')).heart, 4);

    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: table,
        Key: { pk: 'LIVE#Chan2', sk: `RATE#fast-tapper#${Date.parse('2026-12-04T12:00:20Z') / 1000}` },
      }),
    );
    assert.equal(Item?.n, 3);
    assert.ok(
      typeof Item?.expiresAt === 'number' && Item.expiresAt > Date.parse('2026-12-04T12:00:30Z') / 1000,
    );
  });

  it('keeps the latest announcement, whichever write lands last', async () => {
    const announcement = (id: string, postedAt: string) => ({
      announcementId: id,
      kind: 'news' as const,
      text: `Flash ${id}`,
      postedAt,
      endsAt: '2026-12-04T13:00:00.000Z',
      ivsStreamId: 'st-1',
    });
    assert.equal(await store.announcement('Chan3'), undefined);
    await store.putAnnouncement('Chan3', announcement('b', '2026-12-04T12:00:02.000Z'));
    await store.putAnnouncement('Chan3', announcement('a', '2026-12-04T12:00:01.000Z'));
    assert.deepEqual(await store.announcement('Chan3'), announcement('b', '2026-12-04T12:00:02.000Z'));
    await store.putAnnouncement('Chan3', announcement('c', '2026-12-04T12:00:03.000Z'));
    assert.equal((await store.announcement('Chan3'))?.announcementId, 'c');
  });
});
