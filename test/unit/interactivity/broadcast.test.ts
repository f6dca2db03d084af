import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PUT_METADATA_LIMITS, REACTIONS } from '../../../lambdas/contract/interactivity.ts';
import { REACTION_BROADCAST } from '../../../lambdas/contract/pipelines.ts';
import { createHandler } from '../../../lambdas/interactivity/broadcast-reactions.ts';
import type { ReactionMessage } from '../../../lambdas/interactivity/ports.ts';
import { RecordingInBand } from './in-memory.ts';

/** A clock that only moves when the code under test sleeps. */
function fakeTime() {
  let now = 0;
  return {
    clock: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const arn = (id: string) => `arn:aws:ivs:us-east-1:123456789012:channel/${id}`;

function record(id: string, body: unknown) {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1764849600000',
      SenderId: 'AIDA',
      ApproximateFirstReceiveTimestamp: '1764849600000',
    },
    messageAttributes: {},
    md5OfBody: 'x',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:reactions',
    awsRegion: 'us-east-1',
  };
}

const reaction = (channel: string, kind: string, second: number): ReactionMessage =>
  ({
    v: 1,
    channelArn: arn(channel),
    streamId: channel,
    reaction: kind,
    acceptedAt: `2026-12-04T12:00:${String(second).padStart(2, '0')}.000Z`,
  }) as ReactionMessage;

describe('the reaction broadcast', () => {
  it('folds a batch into one in-band call per channel, counts added up, the window it covers', async () => {
    const time = fakeTime();
    const inBand = new RecordingInBand(time.clock);
    const handler = createHandler({ inBand, clock: time.clock, sleep: time.sleep });
    const records = [
      record('1', reaction('A', 'heart', 3)),
      record('2', reaction('B', 'fire', 1)),
      record('3', reaction('A', 'heart', 1)),
      record('4', reaction('A', 'wow', 5)),
      record('5', 'not json'),
      record('6', { ...reaction('A', 'heart', 2), reaction: 'poop' }),
    ];

    const response = await handler({ Records: records });

    assert.deepEqual(response, { batchItemFailures: [] });
    assert.deepEqual(
      inBand.calls.map((call) => [call.channelArn, JSON.parse(call.payload)]),
      [
        [
          arn('A'),
          {
            v: 1,
            type: 'reactions',
            counts: { heart: 2, wow: 1 },
            first: '2026-12-04T12:00:01.000Z',
            last: '2026-12-04T12:00:05.000Z',
          },
        ],
        [
          arn('B'),
          {
            v: 1,
            type: 'reactions',
            counts: { fire: 1 },
            first: '2026-12-04T12:00:01.000Z',
            last: '2026-12-04T12:00:01.000Z',
          },
        ],
      ],
    );
  });

  it('keeps one invocation within the pace the IVS limits allow, however many channels and reactions', async () => {
    const time = fakeTime();
    const inBand = new RecordingInBand(time.clock);
    const handler = createHandler({ inBand, clock: time.clock, sleep: time.sleep });
    const records = [];
    for (let i = 0; i < 10_000; i += 1)
      records.push(
        record(String(i), reaction(`C${i % 200}`, REACTIONS[i % REACTIONS.length] as string, i % 60)),
      );

    const began = time.clock();
    await handler({ Records: records });
    const returnedAt = time.clock();

    assert.equal(inBand.calls.length, 200);
    const gaps = inBand.calls.slice(1).map((call, i) => call.at - (inBand.calls[i]?.at ?? 0));
    assert.ok(Math.min(...gaps) >= 1000 / REACTION_BROADCAST.accountCallsPerSecondPerSlot - 1e-9);
    // Both slots together stay within the account's calls per second.
    assert.ok(
      REACTION_BROADCAST.maxConcurrency * (1000 / Math.min(...gaps)) <=
        PUT_METADATA_LIMITS.callsPerSecondPerAccount,
    );
    const last = inBand.calls.at(-1)?.at ?? began;
    assert.ok(returnedAt - last >= REACTION_BROADCAST.callSpacingSeconds * 1000);
    const total = inBand.calls.reduce(
      (sum, call) =>
        sum +
        Object.values(JSON.parse(call.payload).counts as Record<string, number>).reduce((a, b) => a + b, 0),
      0,
    );
    assert.equal(total, 10_000);
  });

  it('tries a throttled call again no sooner than the pace allows, then gives the window up, acknowledged', async () => {
    const time = fakeTime();
    const inBand = new RecordingInBand(time.clock);
    inBand.answers.push('throttled', 'throttled', 'throttled', 'notBroadcasting');
    const handler = createHandler({ inBand, clock: time.clock, sleep: time.sleep });

    const response = await handler({
      Records: [record('1', reaction('A', 'clap', 1)), record('2', reaction('B', 'clap', 1))],
    });

    assert.deepEqual(response, { batchItemFailures: [] });
    const toA = inBand.calls.filter((call) => call.channelArn === arn('A'));
    assert.equal(toA.length, 3);
    for (let i = 1; i < toA.length; i += 1)
      assert.ok((toA[i]?.at ?? 0) - (toA[i - 1]?.at ?? 0) >= REACTION_BROADCAST.callSpacingSeconds * 1000);
  });

  it('reports the records of a window whose call failed, so they come back from the queue', async () => {
    const time = fakeTime();
    const inBand = new RecordingInBand(time.clock);
    inBand.answers.push(new Error('connect ECONNREFUSED'), 'delivered');
    const handler = createHandler({ inBand, clock: time.clock, sleep: time.sleep });

    const response = await handler({
      Records: [
        record('1', reaction('A', 'clap', 1)),
        record('2', reaction('B', 'clap', 1)),
        record('3', reaction('A', 'laugh', 2)),
      ],
    });

    assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: '1' }, { itemIdentifier: '3' }] });
  });

  it('refuses an event that is not an SQS event at all', async () => {
    const handler = createHandler({ inBand: new RecordingInBand() });
    await assert.rejects(handler({ Records: 'nope' }), /not an SQS event/);
  });
});
