/**
 * Lambda's SQS event source mapping, in-process: long-polls a queue, hands batches to a function as SQS events
 * and deletes what the function processed. Messages it did not process stay on the queue and are received
 * again after the queue's visibility timeout; SQS's redrive policy moves them to the dead-letter queue once
 * they have been received `maxReceiveCount` times.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { type InvocationOutcome, invoke, type LocalFunction } from './lambda.ts';
import { createQueueReceiver, MAX_WAIT_SECONDS } from './queue-receiver.ts';

/** What one delivered batch came to, for the console and for tests. */
export interface BatchReport {
  functionName: string;
  /** Messages in the batch. */
  messages: number;
  /** Messages left on the queue, to be received again after the visibility timeout. */
  retried: number;
  /**
   * `succeeded`: all deleted; `partial`: the function reported some as failed; `failed`: it threw, timed out
   * or answered with a response Lambda rejects, so the whole batch is retried.
   */
  outcome: 'succeeded' | 'partial' | 'failed';
  /** Why the batch failed, when it did. */
  error?: unknown;
  durationMs: number;
}

export interface SqsEventSourceSettings {
  sqs: SQSClient;
  queue: { url: string; arn: string };
  fn: LocalFunction;
  region: string;
  /**
   * Messages per invocation, 1–10,000 as Lambda allows for standard queues; more than 10 (what one
   * ReceiveMessage returns) are gathered over several receives within the batching window.
   */
  batchSize: number;
  /** How long to keep gathering messages once the first arrived, in seconds (0 = invoke at once). */
  maxBatchingWindowSeconds: number;
  onBatch?: (report: BatchReport) => void;
  /** A receive, delete or visibility change that failed (the poller carries on). */
  onError?: (error: unknown) => void;
}

export interface RunningEventSource {
  /**
   * Stops polling: a poll in flight is abandoned, a batch being gathered is handed back to the queue, and an
   * invocation in progress finishes and is settled first. Safe to call more than once.
   */
  stop(): Promise<void>;
}

/** Lambda's `messageAttributes` entry: camel-cased, binary values in base64, list fields always present. */
function toLambdaAttribute(value: MessageAttributeValue) {
  const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  return {
    ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
    ...(value.BinaryValue === undefined ? {} : { binaryValue: base64(value.BinaryValue) }),
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map(base64),
    dataType: value.DataType ?? 'String',
  };
}

/** What one ReceiveMessage returns at most, and one batch call (delete, visibility) takes at most. */
const RECEIVE_MAX = 10;

function chunksOf<T>(items: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += RECEIVE_MAX)
    chunks.push(items.slice(start, start + RECEIVE_MAX));
  return chunks;
}

/** One SQS message as Lambda puts it in an event's `Records`, fields in the order AWS documents them. */
function toSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  if (!message.MessageId || !message.ReceiptHandle || message.Body === undefined || !message.MD5OfBody) {
    throw new Error('SQS returned a message without an id, receipt handle, body or MD5');
  }
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body,
    attributes: { ...message.Attributes } as unknown as SQSRecordAttributes,
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        toLambdaAttribute(value),
      ]),
    ) as SQSMessageAttributes,
    md5OfBody: message.MD5OfBody,
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * Which messages of a batch stay on the queue, as Lambda decides with ReportBatchItemFailures: none after a
 * response without failures; the listed ones for a valid `batchItemFailures`; all of them when the function
 * failed or its response names an empty, unknown or malformed item identifier.
 */
function messagesToRetry(
  outcome: InvocationOutcome,
  messageIds: readonly string[],
): { retry: string[]; error?: unknown } {
  if (!outcome.ok) return { retry: [...messageIds], error: outcome.error };
  const result = outcome.result;
  if (result === null || result === undefined || typeof result !== 'object') return { retry: [] };
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return { retry: [] };
  const rejected = (why: string) => ({
    retry: [...messageIds],
    error: new Error(`Lambda treats this response as a failed batch: ${why}`),
  });
  if (!Array.isArray(failures)) return rejected('batchItemFailures is not a list');
  const known = new Set(messageIds);
  const retry = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '') return rejected('an itemIdentifier is missing or empty');
    if (!known.has(id)) return rejected(`itemIdentifier ${id} is not a message of this batch`);
    retry.add(id);
  }
  return { retry: messageIds.filter((id) => retry.has(id)) };
}

/**
 * Starts polling `queue` for `fn`, as an event source mapping with ReportBatchItemFailures does: up to
 * `batchSize` messages per ReceiveMessage (long polls of 20 s), gathered for up to `maxBatchingWindowSeconds`,
 * one invocation at a time.
 */
export function startSqsEventSource(settings: SqsEventSourceSettings): RunningEventSource {
  const { sqs, queue, fn, region } = settings;
  if (!Number.isInteger(settings.batchSize) || settings.batchSize < 1 || settings.batchSize > 10_000) {
    throw new Error(`Batch size ${settings.batchSize} is not supported: use 1 to 10,000.`);
  }
  if (settings.batchSize > RECEIVE_MAX && settings.maxBatchingWindowSeconds < 1) {
    // Lambda's own rule: a batch of more than 10 needs a batching window of at least a second.
    throw new Error(`A batch size over ${RECEIVE_MAX} needs a batching window of at least 1 s.`);
  }
  const receiveUpTo = (wanted: number) => Math.min(RECEIVE_MAX, wanted);
  const receiver = createQueueReceiver({
    sqs,
    queueUrl: queue.url,
    ...(settings.onError ? { onError: settings.onError } : {}),
  });
  const reportError = (error: unknown) => settings.onError?.(error);

  async function gatherBatch(): Promise<Message[]> {
    const batch = await receiver.receive(receiveUpTo(settings.batchSize), MAX_WAIT_SECONDS);
    if (batch.length === 0 || settings.maxBatchingWindowSeconds <= 0) return batch;
    const closesAt = Date.now() + settings.maxBatchingWindowSeconds * 1000;
    while (batch.length < settings.batchSize && !receiver.stopped) {
      const left = closesAt - Date.now();
      if (left <= 0) break;
      // Long polls wait whole seconds; the last fraction of the window is spent in short polls.
      const more = await receiver.receive(receiveUpTo(settings.batchSize - batch.length), left / 1000);
      batch.push(...more);
      if (more.length === 0 && left < 1000) await receiver.pause(Math.min(left, 100));
    }
    return batch;
  }

  async function settle(messages: readonly Message[], retry: ReadonlySet<string>): Promise<void> {
    const done = messages.filter((message) => !retry.has(message.MessageId as string));
    for (const chunk of chunksOf(done)) {
      const response = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: chunk.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
      if (response.Failed?.length) {
        reportError(new Error(`Could not delete processed messages: ${JSON.stringify(response.Failed)}`));
      }
    }
  }

  /** A batch gathered while stopping goes back to the queue at once, as if its visibility timed out. */
  async function handBack(messages: readonly Message[]): Promise<void> {
    for (const chunk of chunksOf(messages)) {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queue.url,
          Entries: chunk.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  }

  async function deliver(messages: Message[]): Promise<void> {
    const began = performance.now();
    const event: SQSEvent = { Records: messages.map((message) => toSqsRecord(message, queue.arn, region)) };
    const outcome = await invoke(fn, event, region);
    const ids = event.Records.map((record) => record.messageId);
    const { retry, error } = messagesToRetry(outcome, ids);
    await settle(messages, new Set(retry)).catch(reportError);
    settings.onBatch?.({
      functionName: fn.name,
      messages: messages.length,
      retried: retry.length,
      outcome: retry.length === 0 ? 'succeeded' : error === undefined ? 'partial' : 'failed',
      ...(error === undefined ? {} : { error }),
      durationMs: Math.round(performance.now() - began),
    });
  }

  const loop = (async () => {
    while (!receiver.stopped) {
      const batch = await gatherBatch();
      if (batch.length === 0) continue;
      if (receiver.stopped) {
        await handBack(batch).catch(reportError);
        break;
      }
      await deliver(batch).catch(reportError);
    }
  })();

  return {
    async stop() {
      receiver.stop();
      await loop;
    },
  };
}
