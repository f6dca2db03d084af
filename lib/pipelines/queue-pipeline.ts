import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  type BucketNotificationDestinationConfig,
  BucketNotificationDestinationType,
  EventType,
  type IBucket,
  type IBucketNotificationDestination,
} from 'aws-cdk-lib/aws-s3';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { pipelineFunction } from '#contract/functions.ts';
import { type QueueDefinition, visibilityTimeoutSeconds } from '#contract/pipelines.ts';
import { type AccessTargets, grantAccess } from '../shared/access.ts';
import type { SkycastFunction } from '../shared/skycast-function.ts';
import { DeadLetters } from './dead-letters.ts';
import { definitionFunction } from './definition-function.ts';

/** Props of {@link QueuePipeline}. */
export interface QueuePipelineProps {
  definition: QueueDefinition;
  /** This deployment's name; the function gets it as APPLICATION_NAME. */
  application: string;
  /** The resources the definition's `access` names. */
  targets: Omit<AccessTargets, 'application'>;
  /**
   * The bucket `definition.s3Source` names, as this stack may configure it: an imported reference when the
   * bucket lives in another stack (see Pipelines). Required when the definition has an `s3Source`.
   */
  sourceBucket?: IBucket;
  /** @default RetentionDays.ONE_MONTH */
  logRetention?: RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  logRemovalPolicy?: RemovalPolicy;
}

const S3_EVENT_TYPES = new Set<string>(Object.values(EventType));

/**
 * S3 notifications into a queue, allowed by the queue's policy for exactly that bucket of this account and
 * for sqs:SendMessage only (the CDK's SqsDestination also allows GetQueueAttributes and GetQueueUrl, and does
 * not pin the account, while bucket names can be taken over by anyone once deleted).
 */
class QueueForBucket implements IBucketNotificationDestination {
  private readonly allowed = new Set<IBucket>();

  constructor(private readonly queue: IQueue) {}

  bind(_scope: Construct, bucket: IBucket): BucketNotificationDestinationConfig {
    // Bound once per event type; one statement per bucket is enough.
    if (!this.allowed.has(bucket)) this.allow(bucket);
    // S3 checks that it may send when the configuration is put: the queue and its policy come first.
    return {
      arn: this.queue.queueArn,
      type: BucketNotificationDestinationType.QUEUE,
      dependencies: [this.queue],
    };
  }

  private allow(bucket: IBucket): void {
    this.allowed.add(bucket);
    this.queue.addToResourcePolicy(
      new PolicyStatement({
        sid: 'S3NotificationsFromTheSourceBucket',
        principals: [new ServicePrincipal('s3.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: {
          ArnEquals: { 'aws:SourceArn': bucket.bucketArn },
          StringEquals: { 'aws:SourceAccount': Stack.of(this.queue).account },
        },
      }),
    );
  }
}

/**
 * One row of the `queues` table: an SQS queue with its dead-letter queue, the S3 notifications that feed it,
 * and the function that drains it in batches, reporting failures per message.
 */
export class QueuePipeline extends Construct {
  readonly queue: Queue;
  readonly deadLetters: DeadLetters;
  readonly function: SkycastFunction;
  readonly eventSourceMapping: EventSourceMapping;

  constructor(scope: Construct, id: string, props: QueuePipelineProps) {
    super(scope, id);
    const { definition } = props;
    const wiring = pipelineFunction(definition);

    this.deadLetters = new DeadLetters(this, 'DeadLetters', {
      holds: `messages of ${definition.id} that failed ${definition.maxReceiveCount} deliveries`,
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // While the function works on a batch its messages are invisible; if they reappear before it is done,
      // a second invocation takes them too. Lambda's poller may also hold a batch while it retries a throttled
      // invocation, so AWS's guidance is six times the function timeout, plus the time a batch may wait to
      // fill up (visibilityTimeoutSeconds in lambdas/contract/pipelines.ts, which the local platform uses too).
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(definition)),
      deadLetterQueue: { queue: this.deadLetters.queue, maxReceiveCount: definition.maxReceiveCount },
    });

    this.function = definitionFunction(this, 'Function', definition, {
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: definition.batchSize,
        maxBatchingWindow: Duration.seconds(definition.maxBatchingWindowSeconds),
        maxConcurrency: definition.maxConcurrency,
        // The handler answers with the messages that failed; the others are deleted, not retried.
        reportBatchItemFailures: true,
      }),
    );
    const mapping = this.function.node.children.find((child) => child instanceof EventSourceMapping);
    if (!mapping) throw new Error(`${this.node.path}: the SQS event source made no event source mapping`);
    this.eventSourceMapping = mapping;
    grantAccess(this.function, wiring, { ...props.targets, application: props.application });

    if (definition.s3Source) {
      const { bucket: role, prefix, events } = definition.s3Source;
      if (!props.sourceBucket)
        throw new Error(`${this.node.path} needs the ${role} bucket for its S3 source.`);
      const destination = new QueueForBucket(this.queue);
      for (const event of events) {
        if (!S3_EVENT_TYPES.has(event)) {
          throw new Error(`${definition.id}: ${JSON.stringify(event)} is not an S3 event type.`);
        }
        props.sourceBucket.addEventNotification(event as EventType, destination, { prefix });
      }
    }

    this.suppressFindings();
  }

  private suppressFindings(): void {
    NagSuppressions.addResourceSuppressions(this.function, [
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          "The function is invoked synchronously by Lambda's SQS poller. A message it fails on stays in the queue " +
          "and, after maxReceiveCount deliveries, moves to the queue's own dead-letter queue.",
      },
    ]);
    NagSuppressions.addResourceSuppressions(this.eventSourceMapping, [
      {
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'Lambda supports on-failure destinations for stream and Kafka event sources only, not for SQS; failed ' +
          "messages of an SQS source go to the queue's dead-letter queue through its redrive policy instead.",
      },
    ]);
  }
}
