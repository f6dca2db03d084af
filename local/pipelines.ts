/**
 * The asynchronous wiring of `lambdas/contract/pipelines.ts`, created in the emulator: for every queue an SQS queue
 * with its dead-letter queue and the S3 notification that feeds it; for every event rule an EventBridge rule
 * whose target is a queue the local platform drains into the rule's function (see `event-rule-target.ts`).
 */
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  PutBucketNotificationConfigurationCommand,
  type QueueConfiguration,
  S3Client,
  type Event as S3EventName,
} from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  DEAD_LETTER_RETENTION_DAYS,
  type EventRuleDefinition,
  type QueueDefinition,
  visibilityTimeoutSeconds,
} from '#contract/pipelines.ts';
import type { BucketRole } from '#contract/resources.ts';
import { emulatorClientConfig } from './emulator-clients.ts';
import { type EventReport, startEventRuleTarget } from './event-rule-target.ts';
import { type LambdaHandler, type LocalFunction, loadHandler, stopFunctions } from './lambda.ts';
import type { ProvisionedResources } from './provision.ts';
import { type ScheduleReport, startLocalScheduler } from './scheduler.ts';
import { type BatchReport, type RunningEventSource, startSqsEventSource } from './sqs-event-source.ts';

/** An SQS queue as the emulator knows it. */
export interface LocalQueue {
  name: string;
  url: string;
  arn: string;
}

/** A queue of the wiring table, created with its dead-letter queue. */
export interface ProvisionedQueue extends LocalQueue {
  definition: QueueDefinition;
  deadLetter: LocalQueue;
  visibilityTimeoutSeconds: number;
}

/** An event rule of the wiring table, created in EventBridge with a queue as its target. */
export interface ProvisionedEventRule {
  definition: EventRuleDefinition;
  name: string;
  arn: string;
  /** The pattern as created, for this application. */
  pattern: Record<string, unknown>;
  /** Where the rule delivers matching events, in AWS's event envelope. */
  target: LocalQueue;
  /** Events whose every invocation attempt failed (stands in for the function's on-failure destination). */
  failed: LocalQueue;
  /** Invocation attempts per event before it moves to `failed`. */
  maxAttempts: number;
}

export interface PipelineSettings {
  endpoint: string;
  region: string;
  /** Prefix of every resource name, e.g. `skycast-local`. */
  prefix: string;
  /** The application name event patterns match on (what functions get as APPLICATION_NAME). */
  application: string;
  bucketNames: Record<BucketRole, string>;
  queues: readonly QueueDefinition[];
  eventRules: readonly EventRuleDefinition[];
}

/**
 * Lambda's asynchronous invocation (how an EventBridge rule invokes a function) tries an event three times in
 * all: the first attempt and two retries.
 */
const ASYNC_INVOKE_ATTEMPTS = 3;

/** Dead-letter queues keep messages as long as the CDK's do (lambdas/contract/pipelines.ts). */
const DEAD_LETTER_RETENTION_SECONDS = String(DEAD_LETTER_RETENTION_DAYS * 24 * 60 * 60);

/**
 * EventBridge delivers the whole event to a target; moto's default target input leaves `account` out. This
 * input transformer rebuilds AWS's envelope, field for field, from the matched event. (moto pastes string
 * values into the template as they are, unescaped: fine for AWS's sources, detail types, ids and regions.)
 */
const EVENT_ENVELOPE = {
  InputPathsMap: {
    id: '$.id',
    'detail-type': '$.detail-type',
    source: '$.source',
    account: '$.account',
    time: '$.time',
    region: '$.region',
    resources: '$.resources',
    detail: '$.detail',
  },
  InputTemplate:
    '{"version":"0","id":"<id>","detail-type":"<detail-type>","source":"<source>","account":"<account>",' +
    '"time":"<time>","region":"<region>","resources":<resources>,"detail":<detail>}',
};

async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<LocalQueue> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!created.QueueUrl) throw new Error(`The emulator did not return a URL for queue ${name}`);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: created.QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  if (!Attributes?.QueueArn) throw new Error(`The emulator did not return an ARN for queue ${name}`);
  return { name, url: created.QueueUrl, arn: Attributes.QueueArn };
}

/** A queue that hands its messages out again after `visibilitySeconds`, and to `deadLetter` after `maxReceiveCount`. */
async function createQueueWithDeadLetter(
  sqs: SQSClient,
  name: string,
  deadLetterName: string,
  visibilitySeconds: number,
  maxReceiveCount: number,
): Promise<{ queue: LocalQueue; deadLetter: LocalQueue }> {
  const deadLetter = await createQueue(sqs, deadLetterName, {
    MessageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS,
  });
  const queue = await createQueue(sqs, name, {
    VisibilityTimeout: String(visibilitySeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetter.arn, maxReceiveCount }),
  });
  return { queue, deadLetter };
}

/**
 * Creates the queues, dead-letter queues, S3 notifications and event rules of the given tables. S3 sends its
 * `s3:TestEvent` to each queue when its notification is configured, as in AWS; consumers skip it.
 */
export async function provisionPipelines(
  settings: PipelineSettings,
): Promise<{ queues: ProvisionedQueue[]; eventRules: ProvisionedEventRule[] }> {
  const config = emulatorClientConfig(settings);
  const sqs = new SQSClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const events = new EventBridgeClient(config);
  try {
    const queues: ProvisionedQueue[] = [];
    const notifications = new Map<BucketRole, QueueConfiguration[]>();
    for (const definition of settings.queues) {
      // SQS counts in whole seconds.
      const visibility = Math.ceil(visibilityTimeoutSeconds(definition));
      const { queue, deadLetter } = await createQueueWithDeadLetter(
        sqs,
        `${settings.prefix}-${definition.id}`,
        `${settings.prefix}-${definition.id}-dlq`,
        visibility,
        definition.maxReceiveCount,
      );
      queues.push({ ...queue, definition, deadLetter, visibilityTimeoutSeconds: visibility });
      const source = definition.s3Source;
      if (source) {
        const list = notifications.get(source.bucket) ?? [];
        list.push({
          Id: `${settings.prefix}-${definition.id}`,
          QueueArn: queue.arn,
          Events: source.events as S3EventName[],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: source.prefix }] } },
        });
        notifications.set(source.bucket, list);
      }
    }
    // A bucket has one notification configuration: every queue it feeds goes into the same call.
    for (const [role, configurations] of notifications) {
      await s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: settings.bucketNames[role],
          NotificationConfiguration: { QueueConfigurations: configurations },
        }),
      );
    }

    const eventRules: ProvisionedEventRule[] = [];
    for (const definition of settings.eventRules) {
      const name = `${settings.prefix}-${definition.id}`;
      const { queue: target, deadLetter: failed } = await createQueueWithDeadLetter(
        sqs,
        `${name}-target`,
        `${name}-failed`,
        Math.ceil(6 * definition.functionTimeoutSeconds),
        ASYNC_INVOKE_ATTEMPTS,
      );
      const pattern = definition.pattern(settings.application);
      const rule = await events.send(
        new PutRuleCommand({
          Name: name,
          Description: definition.description,
          EventPattern: JSON.stringify(pattern),
          State: 'ENABLED',
        }),
      );
      if (!rule.RuleArn) throw new Error(`The emulator did not return an ARN for rule ${name}`);
      const targets = await events.send(
        new PutTargetsCommand({
          Rule: name,
          Targets: [{ Id: 'function', Arn: target.arn, InputTransformer: EVENT_ENVELOPE }],
        }),
      );
      if (targets.FailedEntryCount) {
        throw new Error(`Could not add the target of rule ${name}: ${JSON.stringify(targets.FailedEntries)}`);
      }
      eventRules.push({
        definition,
        name,
        arn: rule.RuleArn,
        pattern,
        target,
        failed,
        maxAttempts: ASYNC_INVOKE_ATTEMPTS,
      });
    }
    return { queues, eventRules };
  } finally {
    sqs.destroy();
    s3.destroy();
    events.destroy();
  }
}

export interface PipelineRunSettings {
  endpoint: string;
  region: string;
  /** Prefix of function names, e.g. `skycast-local` → `skycast-local-transcode-submissions`. */
  application: string;
  queues: readonly ProvisionedQueue[];
  eventRules: readonly ProvisionedEventRule[];
  /** The one-time schedules' group and targets, fired by the local scheduler (`scheduler.ts`). @default none */
  schedules?: ProvisionedResources['schedules'];
  onSchedule?: (report: ScheduleReport) => void;
  /**
   * Each function's environment, by key (`queue:<id>`, `rule:<id>`, `schedule:<id>`): given, every function runs in execution
   * environments of its own with that environment (what the platform does); otherwise its handler is imported
   * into this process with `load` (the pollers' own tests).
   */
  environmentOf?: (key: string) => Record<string, string>;
  /** Imports a handler module named by a definition's `entry`, without `environmentOf`. @default loadHandler */
  load?: (entry: string) => Promise<LambdaHandler>;
  /** Pauses between an event's invocation attempts. @default [1, 2] seconds */
  retryDelaysSeconds?: readonly number[];
  onBatch?: (queue: ProvisionedQueue, report: BatchReport) => void;
  onEvent?: (rule: ProvisionedEventRule, report: EventReport) => void;
  /** A poller could not reach the emulator or settle a message; it carries on. */
  onError?: (where: string, error: unknown) => void;
}

export interface RunningPipelines {
  /** Stops every poller; invocations in progress finish first. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Runs the pipelines: every queue's function behind an SQS event source with the queue's batching, every
 * rule's function behind its rule. Handler modules are imported here, once each, as Lambda initialises them.
 */
export async function startPipelines(settings: PipelineRunSettings): Promise<RunningPipelines> {
  const load = settings.load ?? loadHandler;
  const sqs = new SQSClient(emulatorClientConfig(settings));
  const functions: LocalFunction[] = [];
  const local = async (key: string, id: string, entry: string, timeoutSeconds: number) => {
    const { environmentOf } = settings;
    const fn: LocalFunction = {
      name: `${settings.application}-${id}`,
      ...(environmentOf ? { entry, environment: environmentOf(key) } : { handler: await load(entry) }),
      timeoutMs: timeoutSeconds * 1000,
    };
    functions.push(fn);
    return fn;
  };
  const onError = (where: string) => (error: unknown) => settings.onError?.(where, error);

  const running: RunningEventSource[] = [];
  try {
    for (const queue of settings.queues) {
      const { definition } = queue;
      running.push(
        startSqsEventSource({
          sqs,
          queue,
          fn: await local(
            `queue:${definition.id}`,
            definition.id,
            definition.entry,
            definition.functionTimeoutSeconds,
          ),
          region: settings.region,
          batchSize: definition.batchSize,
          maxBatchingWindowSeconds: definition.maxBatchingWindowSeconds,
          onBatch: (report) => settings.onBatch?.(queue, report),
          onError: onError(queue.name),
        }),
      );
    }
    if (settings.schedules && settings.schedules.targets.length > 0) {
      const targets = new Map<string, LocalFunction>();
      for (const target of settings.schedules.targets) {
        const { definition } = target;
        targets.set(
          target.functionArn,
          await local(
            `schedule:${definition.id}`,
            definition.id,
            definition.entry,
            definition.functionTimeoutSeconds,
          ),
        );
      }
      const scheduler = new SchedulerClient(emulatorClientConfig(settings));
      const source = startLocalScheduler({
        scheduler,
        groupName: settings.schedules.groupName,
        targets,
        region: settings.region,
        ...(settings.onSchedule ? { onSchedule: settings.onSchedule } : {}),
        onError: onError(`schedules ${settings.schedules.groupName}`),
      });
      running.push({
        async stop() {
          await source.stop();
          scheduler.destroy();
        },
      });
    }
    for (const rule of settings.eventRules) {
      const { definition } = rule;
      running.push(
        startEventRuleTarget({
          sqs,
          queue: rule.target,
          fn: await local(
            `rule:${definition.id}`,
            definition.id,
            definition.entry,
            definition.functionTimeoutSeconds,
          ),
          region: settings.region,
          maxAttempts: rule.maxAttempts,
          ...(settings.retryDelaysSeconds ? { retryDelaysSeconds: settings.retryDelaysSeconds } : {}),
          onEvent: (report) => settings.onEvent?.(rule, report),
          onError: onError(rule.name),
        }),
      );
    }
  } catch (error) {
    await Promise.all(running.map((source) => source.stop()));
    await stopFunctions(functions);
    sqs.destroy();
    throw error;
  }

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= Promise.all(running.map((source) => source.stop()))
        .then(() => stopFunctions(functions))
        .then(() => sqs.destroy());
      return stopped;
    },
  };
}
