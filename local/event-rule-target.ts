/**
 * An EventBridge rule whose target is a function, in-process. EventBridge matches the rule's pattern (moto
 * does that, and puts each matching event on the rule's target queue, see `pipelines.ts`); this drains that
 * queue and invokes the function with the event, as Lambda's asynchronous invocation does: every event on its
 * own, several at a time, and an event whose invocation fails is tried again after a pause, up to
 * `maxAttempts` attempts in all. After the last failed attempt the queue's redrive policy moves the event to
 * the rule's `failed` queue, where a person can look at it.
 *
 * Lambda waits about one and then two minutes between attempts; locally the pauses default to one and two
 * seconds, so a failure that goes away (a race with the catalog, an emulator restart) does not hold a local
 * video for minutes.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { invoke, type LocalFunction } from './lambda.ts';
import { createQueueReceiver, MAX_WAIT_SECONDS } from './queue-receiver.ts';
import type { RunningEventSource } from './sqs-event-source.ts';

/** What happened to one event, for the console and for tests. */
export interface EventReport {
  functionName: string;
  /** The event's id. */
  id: string;
  source: string;
  detailType: string;
  /** 1 for the first invocation, 2 for the first retry, … */
  attempt: number;
  /** `retrying`: it failed and will be tried again; `gave up`: it failed for the last time. */
  outcome: 'succeeded' | 'retrying' | 'gave up';
  error?: unknown;
  durationMs: number;
}

export interface EventRuleTargetSettings {
  sqs: SQSClient;
  /** The rule's target queue; its redrive policy ends an event's attempts. */
  queue: { url: string };
  fn: LocalFunction;
  region: string;
  /** Attempts per event, the same as the target queue's maxReceiveCount. */
  maxAttempts: number;
  /** Pause before the first, second, … retry, in whole seconds. @default [1, 2] */
  retryDelaysSeconds?: readonly number[];
  /** Invocations at the same time. @default 10 */
  concurrency?: number;
  onEvent?: (report: EventReport) => void;
  onError?: (error: unknown) => void;
}

const DEFAULT_RETRY_DELAYS_SECONDS = [1, 2];

/** Starts invoking `fn` with the events the rule puts on `queue`. */
export function startEventRuleTarget(settings: EventRuleTargetSettings): RunningEventSource {
  const { sqs, queue, fn, region } = settings;
  const delays = settings.retryDelaysSeconds ?? DEFAULT_RETRY_DELAYS_SECONDS;
  const concurrency = settings.concurrency ?? 10;
  const receiver = createQueueReceiver({
    sqs,
    queueUrl: queue.url,
    ...(settings.onError ? { onError: settings.onError } : {}),
  });
  const reportError = (error: unknown) => settings.onError?.(error);
  const inFlight = new Set<Promise<void>>();

  async function deliver(message: Message): Promise<void> {
    const began = performance.now();
    const attempt = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
    let event: { id?: unknown; source?: unknown; 'detail-type'?: unknown } = {};
    let outcome: Awaited<ReturnType<typeof invoke>>;
    try {
      event = JSON.parse(message.Body ?? '');
      outcome = await invoke(fn, event, region);
    } catch (error) {
      outcome = { ok: false, error, timedOut: false };
    }
    const last = attempt >= settings.maxAttempts;
    if (outcome.ok) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }));
    } else {
      // Visible again after the pause; after the last attempt at once, so the redrive policy moves it on.
      const pause = last ? 0 : (delays[Math.min(attempt, delays.length) - 1] ?? 0);
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queue.url,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: pause,
        }),
      );
    }
    settings.onEvent?.({
      functionName: fn.name,
      id: String(event.id ?? '?'),
      source: String(event.source ?? '?'),
      detailType: String(event['detail-type'] ?? '?'),
      attempt,
      outcome: outcome.ok ? 'succeeded' : last ? 'gave up' : 'retrying',
      ...(outcome.ok ? {} : { error: outcome.error }),
      durationMs: Math.round(performance.now() - began),
    });
  }

  const handBack = (message: Message) =>
    sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queue.url,
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );

  const loop = (async () => {
    while (!receiver.stopped) {
      if (inFlight.size >= concurrency) {
        await Promise.race(inFlight);
        continue;
      }
      const messages = await receiver.receive(Math.min(10, concurrency - inFlight.size), MAX_WAIT_SECONDS);
      if (receiver.stopped) {
        // Received as the poll was being stopped: back to the queue at once (SQS has counted the receive).
        await Promise.all(messages.map((message) => handBack(message).catch(reportError)));
        break;
      }
      for (const message of messages) {
        const delivery = deliver(message)
          .catch(reportError)
          .finally(() => inFlight.delete(delivery));
        inFlight.add(delivery);
      }
    }
    await Promise.all(inFlight);
  })();

  return {
    async stop() {
      receiver.stop();
      await loop;
    },
  };
}
