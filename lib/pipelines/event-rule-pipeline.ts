import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { type EventPattern, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { pipelineFunction } from '#contract/functions.ts';
import type { EventRuleDefinition } from '#contract/pipelines.ts';
import { type AccessTargets, grantAccess } from '../shared/access.ts';
import type { SkycastFunction } from '../shared/skycast-function.ts';
import { DeadLetters } from './dead-letters.ts';
import { definitionFunction } from './definition-function.ts';

/** How hard EventBridge tries to hand an event to the rule's function before it gives up. */
export interface EventDelivery {
  retryAttempts: number;
  maxEventAge: Duration;
}

/**
 * EventBridge only fails to deliver to Lambda when Lambda refuses the asynchronous invoke (throttling, a
 * function being replaced). Retrying for up to six hours, as long as Lambda itself keeps an asynchronous event,
 * rides that out; what still cannot be delivered goes to the dead-letter queue and raises its alarm.
 */
export const DEFAULT_EVENT_DELIVERY: EventDelivery = { retryAttempts: 24, maxEventAge: Duration.hours(6) };

/** Props of {@link EventRulePipeline}. */
export interface EventRulePipelineProps {
  definition: EventRuleDefinition;
  /** This deployment's name: the rule's pattern is made with it, and the function gets it as APPLICATION_NAME. */
  application: string;
  /** The resources the definition's `access` names. */
  targets: Omit<AccessTargets, 'application'>;
  /** @default DEFAULT_EVENT_DELIVERY */
  delivery?: EventDelivery;
  /** @default RetentionDays.ONE_MONTH */
  logRetention?: RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  logRemovalPolicy?: RemovalPolicy;
}

/**
 * The wiring tables write event patterns as EventBridge does (`detail-type`); the CDK spells that one key
 * `detailType` and writes it back as `detail-type`, everything else it passes through as it is.
 */
export function toEventPattern(pattern: Record<string, unknown>): EventPattern {
  const { 'detail-type': detailType, ...rest } = pattern;
  return { ...rest, ...(detailType === undefined ? {} : { detailType }) } as EventPattern;
}

/**
 * One row of the `eventRules` table: a rule on the default event bus that invokes the function with the
 * events matching the pattern for this application. Events that cannot be delivered, and events the function
 * still fails on after Lambda's own retries of an asynchronous invocation, land in one dead-letter queue.
 */
export class EventRulePipeline extends Construct {
  readonly rule: Rule;
  readonly deadLetters: DeadLetters;
  readonly function: SkycastFunction;

  constructor(scope: Construct, id: string, props: EventRulePipelineProps) {
    super(scope, id);
    const { definition } = props;
    const wiring = pipelineFunction(definition);
    const delivery = props.delivery ?? DEFAULT_EVENT_DELIVERY;

    this.deadLetters = new DeadLetters(this, 'DeadLetters', {
      holds: `events of ${definition.id} that could not be delivered or processed`,
    });
    this.function = definitionFunction(this, 'Function', definition, {
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      deadLetterQueue: this.deadLetters.queue,
    });
    grantAccess(this.function, wiring, { ...props.targets, application: props.application });

    this.rule = new Rule(this, 'Rule', {
      description: definition.description.slice(0, 512),
      eventPattern: toEventPattern(definition.pattern(props.application)),
      targets: [
        new LambdaFunction(this.function, {
          deadLetterQueue: this.deadLetters.queue,
          retryAttempts: delivery.retryAttempts,
          maxEventAge: delivery.maxEventAge,
        }),
      ],
    });
  }
}
