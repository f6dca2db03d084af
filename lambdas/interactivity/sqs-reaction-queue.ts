import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ReactionMessage, ReactionQueue } from './ports.ts';

/** The reaction-broadcast queue on SQS: one message per accepted reaction. */
export class SqsReactionQueue implements ReactionQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: ReactionMessage): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }),
    );
  }
}
