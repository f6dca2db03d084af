import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Context } from 'aws-lambda';
import { logger, withLogContext } from '../../../lambdas/shared/logger.ts';

const context = (functionName: string, awsRequestId: string) =>
  ({
    functionName,
    awsRequestId,
    functionVersion: '$LATEST',
    memoryLimitInMB: '1024',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
  }) as Context;

describe('withLogContext', () => {
  let lines: Record<string, unknown>[] = [];
  const write = process.stdout.write;
  const level = logger.getLevelName();
  beforeEach(() => {
    lines = [];
    logger.setLogLevel('INFO');
    process.stdout.write = ((chunk: string | Uint8Array) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      return true;
    }) as typeof process.stdout.write;
  });
  afterEach(() => {
    process.stdout.write = write;
    logger.setLogLevel(level);
  });

  it('logs each invocation with its own function and request id, and nothing of the one before', async () => {
    const handler = withLogContext(async (event: { id: string }) => {
      logger.info('handled', { id: event.id });
      return event.id;
    });
    logger.appendKeys({ operationId: 'getVideo' });

    assert.equal(await handler({ id: 'a' }, context('skycast-submit', 'request-1')), 'a');
    await handler({ id: 'b' }, context('skycast-job-state', 'request-2'));

    assert.deepEqual(
      lines.map((line) => [line.function_name, line.function_request_id, line.id, line.operationId]),
      [
        ['skycast-submit', 'request-1', 'a', undefined],
        ['skycast-job-state', 'request-2', 'b', undefined],
      ],
    );
  });
});
