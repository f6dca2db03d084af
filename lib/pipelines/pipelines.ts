import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import {
  eventRules as allEventRules,
  queues as allQueues,
  scheduledTargets as allScheduledTargets,
  type EventRuleDefinition,
  type QueueDefinition,
  type ScheduledTargetDefinition,
} from '#contract/pipelines.ts';
import type { BucketRole } from '#contract/resources.ts';
import type { LiveTargets } from '../shared/access.ts';
import type { MediaConvertRole } from '../transcoding/media-convert.ts';
import { type EventDelivery, EventRulePipeline } from './event-rule-pipeline.ts';
import { QueuePipeline } from './queue-pipeline.ts';
import { ScheduledTargets } from './scheduled-targets.ts';

/** Props of {@link Pipelines}. */
export interface PipelinesProps {
  /** @default the `queues` table in lambdas/contract/pipelines.ts */
  queues?: readonly QueueDefinition[];
  /** @default the `eventRules` table in lambdas/contract/pipelines.ts */
  eventRules?: readonly EventRuleDefinition[];
  /** @default the `scheduledTargets` table in lambdas/contract/pipelines.ts */
  scheduledTargets?: readonly ScheduledTargetDefinition[];
  /**
   * This deployment's name (`skycast-<stage>`): functions get it as APPLICATION_NAME and event patterns match
   * on it, so one account can hold several stages.
   */
  application: string;
  /** The catalog table, for definitions whose `access.catalog` asks for it. */
  catalogTable?: ITable;
  /** The media buckets by role: what `access.buckets` and `s3Source` name. */
  buckets?: Partial<Record<BucketRole, IBucket>>;
  /** The role MediaConvert runs jobs with, for definitions with `mediaConvert: 'submit'`. */
  mediaConvert?: MediaConvertRole;
  /** For definitions with `access.ivs` or `access.liveTokens`. @default none */
  live?: LiveTargets;
  /** @default DEFAULT_EVENT_DELIVERY (event-rule-pipeline.ts) */
  eventDelivery?: EventDelivery;
  /** Retention of the functions' logs. @default RetentionDays.ONE_MONTH */
  logRetention?: RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  logRemovalPolicy?: RemovalPolicy;
}

const pascalCase = (id: string) =>
  id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

/**
 * The asynchronous half of Skycast, built from the wiring tables: per queue definition a {@link QueuePipeline}
 * (S3 notification → SQS with a dead-letter queue → function), per event rule an {@link EventRulePipeline}
 * (EventBridge rule → function, dead letters kept). The local platform builds the same from the same tables.
 */
export class Pipelines extends Construct {
  /** By definition id. */
  readonly queues: Readonly<Record<string, QueuePipeline>>;
  /** By definition id. */
  readonly eventRules: Readonly<Record<string, EventRulePipeline>>;
  /** The scheduled targets, their schedule group and the role Scheduler invokes them with. */
  readonly scheduledTargets: ScheduledTargets;
  private readonly notificationBuckets = new Map<BucketRole, IBucket>();

  constructor(scope: Construct, id: string, props: PipelinesProps) {
    super(scope, id);
    const targets = {
      ...(props.catalogTable ? { catalogTable: props.catalogTable } : {}),
      ...(props.buckets ? { buckets: props.buckets } : {}),
      ...(props.mediaConvert ? { mediaConvert: props.mediaConvert } : {}),
      ...(props.live ? { live: props.live } : {}),
    };
    const common = {
      application: props.application,
      targets,
      logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
      logRemovalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    };

    // Grouped by kind, so a resource's logical id says which kind of pipeline it belongs to.
    const queueScope = new Construct(this, 'Queues');
    const queues: Record<string, QueuePipeline> = {};
    for (const definition of props.queues ?? allQueues) {
      const role = definition.s3Source?.bucket;
      queues[definition.id] = new QueuePipeline(queueScope, pascalCase(definition.id), {
        ...common,
        definition,
        ...(role ? { sourceBucket: this.notificationBucket(role, props.buckets?.[role]) } : {}),
      });
    }
    this.queues = queues;

    // Before the rules: a stream's end (the live-stream-state rule) deletes the schedules these targets have.
    this.scheduledTargets = new ScheduledTargets(this, 'ScheduledTargets', {
      definitions: props.scheduledTargets ?? allScheduledTargets,
      application: props.application,
      targets,
      logRetention: common.logRetention,
      logRemovalPolicy: common.logRemovalPolicy,
    });
    const withSchedules = {
      ...common,
      targets: { ...targets, schedules: this.scheduledTargets.scheduleTargets },
    };

    const ruleScope = new Construct(this, 'EventRules');
    const eventRules: Record<string, EventRulePipeline> = {};
    for (const definition of props.eventRules ?? allEventRules) {
      eventRules[definition.id] = new EventRulePipeline(ruleScope, pascalCase(definition.id), {
        ...withSchedules,
        definition,
        ...(props.eventDelivery ? { delivery: props.eventDelivery } : {}),
      });
    }
    this.eventRules = eventRules;

    this.suppressNotificationHandlerFindings();
  }

  /**
   * The bucket to configure notifications on. A bucket of another stack (the data stack) is imported here:
   * configuring it directly would put the notification resource into its stack, pointing back at this stack's
   * queue, and the two stacks would depend on each other. On an imported bucket the CDK's notification
   * resource only adds and removes the notifications this stack owns.
   */
  private notificationBucket(role: BucketRole, bucket: IBucket | undefined): IBucket {
    if (!bucket)
      throw new Error(`${this.node.path}: an S3 source needs the ${role} bucket, but none was given.`);
    if (Stack.of(bucket) === Stack.of(this)) return bucket;
    let imported = this.notificationBuckets.get(role);
    if (!imported) {
      imported = Bucket.fromBucketAttributes(this, `${pascalCase(role)}Bucket`, {
        bucketArn: bucket.bucketArn,
        bucketName: bucket.bucketName,
      });
      this.notificationBuckets.set(role, imported);
    }
    return imported;
  }

  /**
   * S3 notifications are configured by the CDK's own function (a singleton per stack, outside this construct's
   * tree); its role gets the AWS managed basic-execution policy whatever role we hand it, so that finding is
   * acknowledged here. Its S3 permissions are the CDK's too, scoped to the configured buckets.
   */
  private suppressNotificationHandlerFindings(): void {
    const handlers = Stack.of(this).node.children.filter((child) =>
      child.node.id.startsWith('BucketNotificationsHandler'),
    );
    for (const handler of handlers) {
      NagSuppressions.addResourceSuppressions(
        handler,
        [
          {
            id: 'AwsSolutions-IAM4',
            reason:
              "The CDK's S3 notifications function attaches AWSLambdaBasicExecutionRole to its role itself, " +
              'even to a role we pass in. It only writes its own logs; it runs once per deployment to set the ' +
              'notification configuration of the buckets this stack feeds from.',
            appliesTo: [
              'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
            ],
          },
        ],
        true,
      );
    }
  }
}
