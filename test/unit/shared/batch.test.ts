import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { SqsRecord } from '../../../lambdas/contract/events/sqs.ts';
import { processBatch } from '../../../lambdas/shared/batch.ts';
import { MalformedEventError } from '../../../lambdas/shared/events.ts';
import { logger } from '../../../lambdas/shared/logger.ts';

/** The SQS event Lambda documents, with one record per body, ids `m1`, `m2`, … */
function sqsEvent(...bodies: string[]) {
  const documented = JSON.parse(
    readFileSync(new URL('../../fixtures/events/sqs-s3-object-created.json', import.meta.url), 'utf8'),
  );
  const [template] = documented.Records;
  return {
    Records: bodies.map((body, i) => ({
      ...template,
      messageId: `m${i + 1}`,
      body,
      attributes: { ...template.attributes, ApproximateReceiveCount: String(i + 1) },
    })),
  };
}

describe('processBatch', () => {
  // The logger writes errors to stderr and the rest to stdout: both are read, in order.
  let lines: Record<string, unknown>[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const writes = streams.map((stream) => stream.write);
  const levelBefore = logger.getLevelName();
  beforeEach(() => {
    // npm test runs with POWERTOOLS_LOG_LEVEL=WARN; these tests read the INFO lines too.
    logger.setLogLevel('INFO');
    lines = [];
    for (const stream of streams) {
      stream.write = ((chunk: string | Uint8Array) => {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        return true;
      }) as typeof stream.write;
    }
  });
  afterEach(() => {
    logger.setLogLevel(levelBefore);
    streams.forEach((stream, i) => {
      stream.write = writes[i] as typeof stream.write;
    });
  });

  it('reports exactly the record that failed, and handles the others', async () => {
    const handled: string[] = [];

    const response = await processBatch(sqsEvent('good', 'bad', 'good too'), async (record) => {
      if (record.body === 'bad') throw new Error('cannot read this one');
      handled.push(record.messageId);
    });

    assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: 'm2' }] });
    assert.deepEqual(handled, ['m1', 'm3']);
  });

  it('logs each failure with its message id, receive count and error', async () => {
    await processBatch(sqsEvent('bad', 'good', 'bad'), async (record) => {
      if (record.body === 'bad') throw new MalformedEventError('This is not JSON');
    });

    const failures = lines.filter((line) => line.level === 'ERROR');
    assert.deepEqual(
      failures.map((line) => [
        line.messageId,
        line.receiveCount,
        (line.error as { message: string }).message,
      ]),
      [
        ['m1', 1, 'This is not JSON'],
        ['m3', 3, 'This is not JSON'],
      ],
    );
  });

  it('puts the message id on what the record handler logs, and only while it runs', async () => {
    await processBatch(sqsEvent('a', 'b'), async (record: SqsRecord) => {
      logger.info('handling', { body: record.body });
    });
    logger.info('after the batch');

    assert.deepEqual(
      lines.map((line) => [line.message, line.messageId]),
      [
        ['handling', 'm1'],
        ['handling', 'm2'],
        ['after the batch', undefined],
      ],
    );
  });

  it('acknowledges an empty batch and refuses, whole, what is not an SQS event', async () => {
    const handled: string[] = [];
    const handle = async (record: SqsRecord) => {
      handled.push(record.messageId);
    };

    assert.deepEqual(await processBatch({ Records: [] }, handle), { batchItemFailures: [] });
    await assert.rejects(processBatch({ detail: {} }, handle), {
      name: 'MalformedEventError',
      message: /^This is not an SQS event: Records: /,
    });
    await assert.rejects(
      processBatch({ Records: [{ ...sqsEvent('x').Records[0], eventSource: 'aws:kinesis' }] }, handle),
      /Records\.0\.eventSource/,
    );
    assert.deepEqual(handled, []);
  });
});
