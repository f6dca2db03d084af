import type { SQSBatchResponse } from 'aws-lambda';
import { SqsEventSchema } from '#contract/events/sqs.ts';
import { parseAs, parseJson } from '#shared/events.ts';
import { logger, withLogContext } from '#shared/logger.ts';
import { type BroadcastDeps, broadcastReactions, type QueuedReaction } from './broadcast.ts';
import { defaultBroadcastDeps } from './deps.ts';
import { ReactionMessageSchema } from './reaction-message.ts';

/**
 * SQS → in-band: the batch's reactions, folded into one PutMetadata call per channel. A record that is not a
 * reaction message never will be: it is logged and dropped (acknowledged), not retried into the dead-letter
 * queue one batch at a time. Records of a window whose call failed are reported for another delivery.
 */
export const createHandler =
  (deps: BroadcastDeps) =>
  async (event: unknown): Promise<SQSBatchResponse> => {
    const { Records } = parseAs(SqsEventSchema, event, 'an SQS event');
    const reactions: QueuedReaction[] = [];
    for (const record of Records) {
      let body: unknown;
      try {
        body = parseJson(record.body);
      } catch {
        body = undefined;
      }
      const parsed = ReactionMessageSchema.safeParse(body);
      if (parsed.success) reactions.push({ recordId: record.messageId, message: parsed.data });
      else logger.warn('not a reaction message; dropped', { messageId: record.messageId });
    }
    const failed = await broadcastReactions(deps, reactions);
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };

export const handler = withLogContext(createHandler(defaultBroadcastDeps()));
