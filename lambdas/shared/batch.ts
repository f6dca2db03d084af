import type { SQSBatchResponse } from 'aws-lambda';
import { SqsEventSchema, type SqsRecord } from '#contract/events/sqs.ts';
import { parseAs } from './events.ts';
import { logger } from './logger.ts';

/**
 * Partial batch responses for SQS event sources (`ReportBatchItemFailures`): each record is handled on its
 * own, and one that fails — malformed or not — is reported by its message id, so the others of its batch are
 * deleted and only it comes back after the visibility timeout; after the queue's maxReceiveCount it moves to
 * the dead-letter queue. A record handler that decides no retry could help (a message it must ignore) logs a
 * warning and returns instead of throwing.
 */

/** Handles one record; resolving acknowledges it, throwing reports it as failed. */
export type RecordHandler = (record: SqsRecord) => Promise<void>;

/**
 * Runs `handleRecord` on every record of an SQS event, one after the other, with the record's message id on
 * every log line it writes. An event that is not an SQS event at all is refused whole (nothing to report
 * per item without message ids).
 */
export async function processBatch(event: unknown, handleRecord: RecordHandler): Promise<SQSBatchResponse> {
  const { Records } = parseAs(SqsEventSchema, event, 'an SQS event');
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of Records) {
    logger.appendKeys({ messageId: record.messageId });
    try {
      await handleRecord(record);
    } catch (error) {
      logger.error('record failed; it comes back after the visibility timeout, then goes to the DLQ', {
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
        error,
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    } finally {
      logger.removeKeys(['messageId']);
    }
  }
  return { batchItemFailures };
}
