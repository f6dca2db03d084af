/**
 * An emulator with test-only queues and rules provisioned exactly as the local platform provisions the wiring
 * tables, and the recording function of `fixtures/` behind them. Queues here have short function timeouts, so
 * visibility timeouts (six times that) and retries take seconds, not minutes.
 */
import { randomUUID } from 'node:crypto';
import {
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { EventRuleDefinition, QueueDefinition } from '#contract/pipelines.ts';
import { type RunningEmulator, startMoto } from '../../../local/moto.ts';
import {
  type PipelineRunSettings,
  type ProvisionedEventRule,
  type ProvisionedQueue,
  type RunningPipelines,
  startPipelines,
} from '../../../local/pipelines.ts';
import { emulatorClientConfig, type ProvisionedResources, provision } from '../../../local/provision.ts';
import { waitFor } from '../../../local/tcp-ports.ts';

export const RECORDING_HANDLER = 'test/integration/local-pipelines/fixtures/recording-handler.ts';

/** A queue in front of the recording function; visibility timeout 3 s (six times half a second). */
export function probeQueue(id: string, overrides: Partial<QueueDefinition> = {}): QueueDefinition {
  return {
    id,
    description: `Test queue ${id}`,
    entry: RECORDING_HANDLER,
    batchSize: 5,
    maxBatchingWindowSeconds: 0,
    functionTimeoutSeconds: 0.5,
    maxConcurrency: 2,
    maxReceiveCount: 3,
    access: {},
    ...overrides,
  };
}

export interface Testbed {
  endpoint: string;
  region: string;
  resources: ProvisionedResources;
  sqs: SQSClient;
  queue(id: string): ProvisionedQueue;
  rule(id: string): ProvisionedEventRule;
  /** Starts pollers for the given queues and rules (by id) only; stopped by `stop` if the test does not. */
  startPollers(
    ids: { queues?: string[]; eventRules?: string[] },
    options?: Pick<PipelineRunSettings, 'retryDelaysSeconds' | 'onBatch' | 'onEvent'>,
  ): Promise<RunningPipelines>;
  stop(): Promise<void>;
}

/** moto started for this test file, or the endpoint in AWS_ENDPOINT_URL; names get a random prefix. */
export async function startTestbed(definitions: {
  queues?: QueueDefinition[];
  eventRules?: EventRuleDefinition[];
}): Promise<Testbed> {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const external = process.env.AWS_ENDPOINT_URL;
  let moto: RunningEmulator | undefined;
  if (!external) moto = await startMoto();
  const endpoint = external ?? (moto as RunningEmulator).endpoint;
  const resources = await provision({ endpoint, region }, `skycast-lp-${randomUUID().slice(0, 8)}`, {
    queues: definitions.queues ?? [],
    eventRules: definitions.eventRules ?? [],
  });
  const sqs = new SQSClient(emulatorClientConfig({ endpoint, region }));
  const running: RunningPipelines[] = [];
  const find = <T extends { definition: { id: string } }>(list: T[], id: string): T => {
    const found = list.find((entry) => entry.definition.id === id);
    if (!found) throw new Error(`No test queue or rule ${id}`);
    return found;
  };
  return {
    endpoint,
    region,
    resources,
    sqs,
    queue: (id) => find(resources.queues, id),
    rule: (id) => find(resources.eventRules, id),
    async startPollers(ids, options = {}) {
      const pipelines = await startPipelines({
        endpoint,
        region,
        application: resources.application,
        queues: (ids.queues ?? []).map((id) => find(resources.queues, id)),
        eventRules: (ids.eventRules ?? []).map((id) => find(resources.eventRules, id)),
        onError: (where, error) => console.error(`poller of ${where}:`, error),
        ...options,
      });
      running.push(pipelines);
      return pipelines;
    },
    async stop() {
      await Promise.all(running.map((pipelines) => pipelines.stop()));
      sqs.destroy();
      await moto?.stop();
    },
  };
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  let value: T | undefined;
  await waitFor(
    what,
    async () => {
      value = await check();
      return value !== undefined;
    },
    { timeoutMs, intervalMs: 50 },
  );
  return value as T;
}

/** Messages visible and in flight on a queue, as SQS approximates them. */
export async function queueDepth(
  sqs: SQSClient,
  url: string,
): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

/** Waits for a message to arrive on a queue (a dead-letter queue, say) and returns it, without deleting it. */
export function firstMessage(sqs: SQSClient, url: string, timeoutMs = 20_000): Promise<Message> {
  return eventually(
    `a message on ${url}`,
    async () => {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 1,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 0,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      return Messages?.[0];
    },
    timeoutMs,
  );
}
