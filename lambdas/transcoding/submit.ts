import type { SQSBatchResponse } from 'aws-lambda';
import { S3EventNotificationSchema, S3TestEventSchema } from '#contract/events/s3.ts';
import type { SqsRecord } from '#contract/events/sqs.ts';
import { queues } from '#contract/pipelines.ts';
import { processBatch } from '#shared/batch.ts';
import { parseAs, parseJson } from '#shared/events.ts';
import { logger, withLogContext } from '#shared/logger.ts';
import { defaultSubmitDeps } from './deps.ts';
import { abandonUpload, type SubmitDeps, submitUpload, type UploadedObject } from './submit-upload.ts';

/** Deliveries of one message before SQS moves it to the dead-letter queue (the wiring table's setting). */
const MAX_RECEIVES =
  queues.find((queue) => queue.entry === 'lambdas/transcoding/submit.ts')?.maxReceiveCount ?? 1;

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
 * response) and comes back after the visibility timeout. On its last delivery (the queue's maxReceiveCount) a
 * failure to start the transcode makes the video FAILED with a reason instead, so no upload waits for ever on
 * a message in the dead-letter queue; a message that is not an upload's still fails into that queue.
 */
export const createHandler =
  (deps: SubmitDeps) =>
  (event: unknown): Promise<SQSBatchResponse> =>
    processBatch(event, async (record) => {
      const lastDelivery = Number(record.attributes.ApproximateReceiveCount) >= MAX_RECEIVES;
      for (const object of uploadedObjects(record)) {
        let result: Awaited<ReturnType<typeof submitUpload>>;
        try {
          result = await submitUpload(deps, object);
        } catch (error) {
          // Before the last delivery, the message comes back and tries again.
          if (!lastDelivery) throw error;
          await abandonUpload(deps, object, error);
          continue;
        }
        if (result.outcome === 'skipped')
          logger.info('upload skipped', { key: object.key, reason: result.reason });
      }
    });

export const handler = withLogContext(createHandler(defaultSubmitDeps()));
