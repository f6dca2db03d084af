import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { DEAD_LETTER_RETENTION_DAYS } from '#contract/pipelines.ts';

/** How long a dead letter waits (lambdas/contract/pipelines.ts; the local queues keep the same). */
export const DEAD_LETTER_RETENTION = Duration.days(DEAD_LETTER_RETENTION_DAYS);

/** Props of {@link DeadLetters}. */
export interface DeadLettersProps {
  /** What ends up here, for the alarm's description. */
  holds: string;
}

/**
 * A dead-letter queue (SSE, TLS only, 14 days) and an alarm that goes off as soon as it holds a message: a dead
 * letter is an upload or job event that nothing will process until a person looks at it.
 */
export class DeadLetters extends Construct {
  readonly queue: Queue;
  /** In ALARM while the queue holds messages. Add actions (an SNS topic, …) to be told. */
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: DeadLettersProps) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    this.alarm = new Alarm(this, 'Alarm', {
      alarmDescription: `Dead letters waiting: ${props.holds}. Inspect them, fix the cause, then redrive.`,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    NagSuppressions.addResourceSuppressions(this.queue, [
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This is a dead-letter queue, the end of the line: what cannot be processed waits here 14 days for a ' +
          'person, with an alarm. A dead-letter queue behind it would only move the same messages again.',
      },
    ]);
  }
}
