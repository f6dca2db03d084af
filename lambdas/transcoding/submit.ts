import type { SQSBatchResponse } from 'aws-lambda';
import { S3EventNotificationSchema, S3TestEventSchema } from '#contract/events/s3.ts';
import type { SqsRecord } from '#contract/events/sqs.ts';
import { processBatch } from '#shared/batch.ts';
import { parseAs, parseJson } from '#shared/events.ts';
import { logger, withLogContext } from '#shared/logger.ts';
import { defaultSubmitDeps } from './deps.ts';
import { type SubmitDeps, submitUpload, type UploadedObject } from './submit-upload.ts';

/**
 * The objects an S3 event notification (one SQS message) reports; empty for S3's own test event. A body that
 * is not JSON or not an S3 notification throws: such a message did not come from our bucket's notification,
 * so it is left to fail into the dead-letter queue, where a person can see what sent it.
 */
export function uploadedObjects(record: Pick<SqsRecord, 'body'>): UploadedObject[] {
  const message = parseJson(record.body);
  if (S3TestEventSchema.safeParse(message).success) return [];
  const { Records } = parseAs(S3EventNotificationSchema, message, 'an S3 event notification');
  return Records.filter((entry) => entry.eventName.startsWith('ObjectCreated:')).map((entry) => ({
    bucket: entry.s3.bucket.name,
    // S3 URL-encodes keys in events, with '+' for spaces.
    key: decodeURIComponent(entry.s3.object.key.replace(/\+/g, ' ')),
    size: entry.s3.object.size ?? 0,
    etag: entry.s3.object.eTag ?? '',
  }));
}

/**
 * SQS → submit: one transcode per uploaded object. A message that fails is reported on its own (partial batch
 * response) and comes back after the visibility timeout; after the queue's maxReceiveCount it goes to the
 * dead-letter queue.
 */
export const createHandler =
  (deps: SubmitDeps) =>
  (event: unknown): Promise<SQSBatchResponse> =>
    processBatch(event, async (record) => {
      for (const object of uploadedObjects(record)) {
        const result = await submitUpload(deps, object);
        if (result.outcome === 'skipped')
          logger.info('upload skipped', { key: object.key, reason: result.reason });
      }
    });

export const handler = withLogContext(createHandler(defaultSubmitDeps()));
