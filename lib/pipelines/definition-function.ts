import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { pipelineFunction } from '#contract/functions.ts';
import type { EventRuleDefinition, QueueDefinition, ScheduledTargetDefinition } from '#contract/pipelines.ts';
import { SkycastFunction } from '../shared/skycast-function.ts';

/**
 * The function of one row of the wiring tables (a queue's, an event rule's, a scheduled target's): its handler,
 * timeout and service name from the definition, described by its id. Grants are the caller's (`grantAccess`).
 */
export function definitionFunction(
  scope: Construct,
  id: string,
  definition: QueueDefinition | EventRuleDefinition | ScheduledTargetDefinition,
  options: {
    logRetention?: RetentionDays | undefined;
    logRemovalPolicy?: RemovalPolicy | undefined;
    deadLetterQueue?: IQueue;
  } = {},
): SkycastFunction {
  return new SkycastFunction(scope, id, {
    entry: definition.entry,
    description: `${definition.id}: ${definition.description}`.slice(0, 256),
    serviceName: pipelineFunction(definition).serviceName,
    timeout: Duration.seconds(definition.functionTimeoutSeconds),
    ...(options.deadLetterQueue ? { deadLetterQueue: options.deadLetterQueue } : {}),
    logRetention: options.logRetention ?? RetentionDays.ONE_MONTH,
    logRemovalPolicy: options.logRemovalPolicy ?? RemovalPolicy.DESTROY,
  });
}
