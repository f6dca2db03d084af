/**
 * The local platform's SQS event source against the emulator's SQS: batches as Lambda builds them, partial
 * batch responses, whole-batch retries, redrive to the dead-letter queue, the batching window and a clean stop.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { type Behaviour, invocations } from './fixtures/recording-handler.ts';
import { eventually, firstMessage, probeQueue, queueDepth, startTestbed, type Testbed } from './testbed.ts';

const QUEUES = [
  probeQueue('batching', { batchSize: 5 }),
  probeQueue('shape'),
  probeQueue('partial', { batchSize: 3 }),
  probeQueue('thrown', { batchSize: 2 }),
  probeQueue('unknown-id', { batchSize: 2 }),
  probeQueue('poison', { batchSize: 1, maxReceiveCount: 2 }),
  probeQueue('window', { batchSize: 10, maxBatchingWindowSeconds: 3 }),
  probeQueue('large', { batchSize: 100, maxBatchingWindowSeconds: 3 }),
  probeQueue('stop'),
];

/** The SQS events the recording function received from one queue, in order. */
function batchesFrom(queueArn: string): SQSRecord[][] {
  return (invocations as SQSEvent[])
    .filter((event) => event.Records?.[0]?.eventSourceARN === queueArn)
    .map((event) => event.Records);
}

const message = (name: string, behaviour?: Behaviour) => JSON.stringify({ name, behaviour });
const names = (batch: SQSRecord[]) => batch.map((record) => JSON.parse(record.body).name as string).sort();

describe('the local SQS event source', () => {
  let bed: Testbed;

  before(async () => {
    bed = await startTestbed({ queues: QUEUES });
  });
  after(() => bed?.stop());

  async function sendAll(queueId: string, bodies: string[]): Promise<void> {
    const response = await bed.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: bed.queue(queueId).url,
        Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
      }),
    );
    assert.equal(response.Failed?.length ?? 0, 0, JSON.stringify(response.Failed));
  }

  it('provisions each queue with its visibility timeout and a dead-letter queue after maxReceiveCount', async () => {
    const poison = bed.queue('poison');

    const { Attributes } = await bed.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: poison.url,
        AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'],
      }),
    );

    assert.equal(Attributes?.VisibilityTimeout, '3');
    assert.deepEqual(JSON.parse(Attributes?.RedrivePolicy ?? '{}'), {
      deadLetterTargetArn: poison.deadLetter.arn,
      maxReceiveCount: 2,
    });
  });

  it('hands messages over in batches of at most batchSize and deletes them once processed', async () => {
    const queue = bed.queue('batching');
    await sendAll(
      'batching',
      ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'].map((name) => message(name)),
    );

    const pollers = await bed.startPollers({ queues: ['batching'] });
    const batches = await eventually('all seven messages delivered', () => {
      const delivered = batchesFrom(queue.arn);
      return delivered.flat().length >= 7 ? delivered : undefined;
    });
    await eventually('the queue to be empty', async () => {
      const depth = await queueDepth(bed.sqs, queue.url);
      return depth.visible === 0 && depth.inFlight === 0 ? true : undefined;
    });
    await pollers.stop();

    assert.deepEqual(
      batches.map((batch) => batch.length),
      [5, 2],
    );
    assert.deepEqual(names(batches.flat()), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    // Deleted, not redriven: each delivered once, none in the dead-letter queue.
    assert.equal(batchesFrom(queue.arn).flat().length, 7);
    assert.deepEqual(await queueDepth(bed.sqs, queue.deadLetter.url), { visible: 0, inFlight: 0 });
  });

  it('builds each record as Lambda does, attributes and message attributes included', async () => {
    const queue = bed.queue('shape');
    const body = message('shaped');
    await bed.sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: body,
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'probe' },
          count: { DataType: 'Number', StringValue: '42' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from('1100') },
        },
      }),
    );

    const pollers = await bed.startPollers({ queues: ['shape'] });
    const [record] = await eventually('the message delivered', () => batchesFrom(queue.arn)[0]);
    await pollers.stop();

    assert.ok(record);
    assert.deepEqual(Object.keys(record), [
      'messageId',
      'receiptHandle',
      'body',
      'attributes',
      'messageAttributes',
      'md5OfBody',
      'md5OfMessageAttributes',
      'eventSource',
      'eventSourceARN',
      'awsRegion',
    ]);
    assert.match(record.messageId, /^[0-9a-f-]{36}$/);
    assert.ok(record.receiptHandle.length > 0);
    assert.equal(record.body, body);
    assert.equal(record.md5OfBody, createHash('md5').update(body).digest('hex'));
    assert.match(record.md5OfMessageAttributes ?? '', /^[0-9a-f]{32}$/);
    assert.equal(record.eventSource, 'aws:sqs');
    assert.equal(record.eventSourceARN, queue.arn);
    assert.equal(record.awsRegion, bed.region);
    assert.deepEqual(Object.keys(record.attributes).sort(), [
      'ApproximateFirstReceiveTimestamp',
      'ApproximateReceiveCount',
      'SenderId',
      'SentTimestamp',
    ]);
    assert.equal(record.attributes.ApproximateReceiveCount, '1');
    for (const timestamp of [
      record.attributes.SentTimestamp,
      record.attributes.ApproximateFirstReceiveTimestamp,
    ]) {
      assert.match(timestamp, /^\d{13}$/);
    }
    assert.deepEqual(record.messageAttributes, {
      kind: { stringValue: 'probe', stringListValues: [], binaryListValues: [], dataType: 'String' },
      count: { stringValue: '42', stringListValues: [], binaryListValues: [], dataType: 'Number' },
      blob: {
        binaryValue: Buffer.from('1100').toString('base64'),
        stringListValues: [],
        binaryListValues: [],
        dataType: 'Binary',
      },
    });
  });

  it('gives back only the messages a partial batch response names, with a growing receive count', async () => {
    const queue = bed.queue('partial');
    await sendAll('partial', [message('a'), message('b', 'fail'), message('c')]);

    const pollers = await bed.startPollers({ queues: ['partial'] });
    const batches = await eventually('the failed message delivered a second time', () => {
      const delivered = batchesFrom(queue.arn);
      return delivered.length >= 2 ? delivered : undefined;
    });
    await pollers.stop();

    const [first, second] = batches as [SQSRecord[], SQSRecord[]];
    assert.deepEqual(names(first), ['a', 'b', 'c']);
    assert.deepEqual(names(second), ['b']);
    const b = (batch: SQSRecord[]) => batch.find((record) => JSON.parse(record.body).name === 'b');
    assert.equal(b(first)?.attributes.ApproximateReceiveCount, '1');
    assert.equal(b(second)?.attributes.ApproximateReceiveCount, '2');
    assert.equal(b(second)?.messageId, b(first)?.messageId);
  });

  it('gives back the whole batch when the function throws', async () => {
    const queue = bed.queue('thrown');
    await sendAll('thrown', [message('x'), message('y', 'throw')]);

    const pollers = await bed.startPollers({ queues: ['thrown'] });
    const batches = await eventually('the batch delivered a second time', () => {
      const delivered = batchesFrom(queue.arn);
      return delivered.length >= 2 ? delivered : undefined;
    });
    await pollers.stop();

    const [first, second] = batches as [SQSRecord[], SQSRecord[]];
    assert.deepEqual(names(first), ['x', 'y']);
    assert.deepEqual(names(second), ['x', 'y']);
    assert.deepEqual(
      second.map((record) => record.attributes.ApproximateReceiveCount),
      ['2', '2'],
    );
  });

  it('gives back the whole batch when the response names a message that is not in it', async () => {
    const queue = bed.queue('unknown-id');
    await sendAll('unknown-id', [message('p'), message('q', 'unknown-id')]);

    const pollers = await bed.startPollers({ queues: ['unknown-id'] });
    const batches = await eventually('the batch delivered a second time', () => {
      const delivered = batchesFrom(queue.arn);
      return delivered.length >= 2 ? delivered : undefined;
    });
    await pollers.stop();

    assert.deepEqual(names(batches[1] as SQSRecord[]), ['p', 'q']);
  });

  it('moves a message that keeps failing to the dead-letter queue after maxReceiveCount deliveries', async () => {
    const queue = bed.queue('poison');
    await sendAll('poison', [message('poison', 'fail')]);

    const pollers = await bed.startPollers({ queues: ['poison'] });
    const dead = await firstMessage(bed.sqs, queue.deadLetter.url);
    await pollers.stop();

    assert.equal(JSON.parse(dead.Body ?? '{}').name, 'poison');
    const deliveries = batchesFrom(queue.arn).flat();
    assert.deepEqual(
      deliveries.map((record) => record.attributes.ApproximateReceiveCount),
      ['1', '2'],
    );
    assert.deepEqual(await queueDepth(bed.sqs, queue.url), { visible: 0, inFlight: 0 });
  });

  it('keeps gathering messages for the batching window before it invokes', async () => {
    const queue = bed.queue('window');
    const pollers = await bed.startPollers({ queues: ['window'] });
    await sendAll('window', [message('early')]);
    // The poller has received the first message and holds it while the window is open.
    await eventually('the first message in flight', async () =>
      (await queueDepth(bed.sqs, queue.url)).inFlight === 1 ? true : undefined,
    );
    await sendAll('window', [message('late-1'), message('late-2'), message('late-3')]);

    const [batch] = await eventually('a batch delivered', () => {
      const delivered = batchesFrom(queue.arn);
      return delivered.length > 0 ? delivered : undefined;
    });
    await pollers.stop();

    assert.deepEqual(names(batch as SQSRecord[]), ['early', 'late-1', 'late-2', 'late-3']);
  });

  it('gathers a batch larger than one receive holds, over several receives, and deletes it all', async () => {
    const queue = bed.queue('large');
    const bodies = Array.from({ length: 45 }, (_, i) => message(`m${String(i).padStart(2, '0')}`));
    for (let start = 0; start < bodies.length; start += 10)
      await sendAll('large', bodies.slice(start, start + 10));
    const pollers = await bed.startPollers({ queues: ['large'] });

    const delivered = await eventually('all 45 delivered', () => {
      const batches = batchesFrom(queue.arn);
      return batches.flat().length >= 45 ? batches : undefined;
    });
    await eventually('the queue drained', async () => {
      const depth = await queueDepth(bed.sqs, queue.url);
      return depth.visible === 0 && depth.inFlight === 0 ? true : undefined;
    });
    await pollers.stop();

    assert.ok(
      delivered.some((batch) => batch.length > 10),
      `batches: ${delivered.map((batch) => batch.length)}`,
    );
    assert.deepEqual(
      delivered
        .flat()
        .map((record) => JSON.parse(record.body).name)
        .sort(),
      bodies.map((body) => JSON.parse(body).name).sort(),
    );
  });

  it('stops during a long poll without waiting for it, and delivers nothing after', {
    timeout: 10_000,
  }, async () => {
    const queue = bed.queue('stop');
    const pollers = await bed.startPollers({ queues: ['stop'] });
    // Time for the poller's first ReceiveMessage (a 20-second long poll) to reach the emulator.
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 500));

    await pollers.stop();
    await sendAll('stop', [message('after-stop')]);

    // The emulator may still hand the message to the abandoned long poll; it is visible again after the
    // visibility timeout, and no function sees it.

    const depth = await eventually('the message on the queue', async () => {
      const now = await queueDepth(bed.sqs, queue.url);
      return now.visible === 1 ? now : undefined;
    });
    assert.deepEqual(depth, { visible: 1, inFlight: 0 });
    assert.deepEqual(batchesFrom(queue.arn), []);
  });
});
