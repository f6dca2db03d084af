import { type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { pipelineFunction } from '#contract/functions.ts';
import type { ScheduledTargetDefinition, ScheduledTargetId } from '#contract/pipelines.ts';
import { type AccessTargets, grantAccess, type ScheduleTargets } from '../shared/access.ts';
import type { SkycastFunction } from '../shared/skycast-function.ts';
import { DeadLetters } from './dead-letters.ts';
import { definitionFunction } from './definition-function.ts';

/** Props of {@link ScheduledTargets}. */
export interface ScheduledTargetsProps {
  definitions: readonly ScheduledTargetDefinition[];
  application: string;
  targets: Omit<AccessTargets, 'application'>;
  logRetention?: RetentionDays;
  logRemovalPolicy?: RemovalPolicy;
}

/**
 * The functions one-time EventBridge Scheduler schedules invoke (the `scheduledTargets` table), the schedule
 * group the functions whose access names `schedules` create those schedules in, and the role Scheduler invokes
 * the targets with: it may invoke these functions and nothing else. A schedule gives up within a minute (a
 * break that cannot start at its time is not started late); an invocation the function still fails after
 * Lambda's own retries lands in the target's dead-letter queue.
 */
export class ScheduledTargets extends Construct {
  readonly group: CfnScheduleGroup;
  readonly role: Role;
  readonly functions: Readonly<Partial<Record<ScheduledTargetId, SkycastFunction>>>;

  constructor(scope: Construct, id: string, props: ScheduledTargetsProps) {
    super(scope, id);
    this.group = new CfnScheduleGroup(this, 'Group', { name: props.application });
    this.role = new Role(this, 'SchedulerRole', {
      description: `EventBridge Scheduler invokes the scheduled targets of ${props.application} with it`,
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    const functions: Partial<Record<ScheduledTargetId, SkycastFunction>> = {};
    for (const definition of props.definitions) {
      const wiring = pipelineFunction(definition);
      const deadLetters = new DeadLetters(this, `${definition.id}-dead-letters`, {
        holds: `invocations of ${definition.id} that failed after Lambda's retries`,
      });
      const fn = definitionFunction(this, definition.id, definition, {
        logRetention: props.logRetention,
        logRemovalPolicy: props.logRemovalPolicy,
        deadLetterQueue: deadLetters.queue,
      });
      grantAccess(fn, wiring, { ...props.targets, application: props.application });
      this.role.addToPolicy(
        new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }),
      );
      functions[definition.id as ScheduledTargetId] = fn;
    }
    this.functions = functions;
  }

  /** What functions that create these schedules are given (access.schedules). */
  get scheduleTargets(): ScheduleTargets {
    return {
      // The group's Ref (its name): the grants and the environment name it through the resource.
      groupName: this.group.ref,
      role: this.role,
      functions: this.functions,
    };
  }
}
