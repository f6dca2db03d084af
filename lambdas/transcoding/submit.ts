import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger, withLogContext } from '../shared/logger.ts';
import { defaultSubmitDeps } from './deps.ts';
import { type SubmitDeps, submitUpload, type UploadedObject } from './submit-upload.ts';

/** The objects an S3 event notification (one SQS message) reports; empty for S3's own test event. */
export function uploadedObjects(record: SQSRecord): UploadedObject[] {
  const body = JSON.parse(record.body) as {
    Event?: string;
    Records?: {
      eventName?: string;
      s3?: { bucket?: { name?: string }; object?: { key?: string; size?: number; eTag?: string } };
    }[];
  };
  if (body.Event === 's3:TestEvent') return [];
  if (!Array.isArray(body.Records)) throw new Error('The message is not an S3 event notification');
  return body.Records.filter((entry) => entry.eventName?.startsWith('ObjectCreated:')).map((entry) => {
    const bucket = entry.s3?.bucket?.name;
    const key = entry.s3?.object?.key;
    if (!bucket || key === undefined) throw new Error('An S3 event record has no bucket or key');
    return {
      bucket,
      // S3 URL-encodes keys in events, with '+' for spaces.
      key: decodeURIComponent(key.replace(/\+/g, ' ')),
      size: entry.s3?.object?.size ?? 0,
      etag: entry.s3?.object?.eTag ?? '',
    };
  });
}

/**
 * SQS → submit: one transcode per uploaded object. A message that fails is reported on its own (partial batch
 * response) and comes back after the visibility timeout; after the queue's maxReceiveCount it goes to the
 * dead-letter queue.
 */
export const createHandler =
  (deps: SubmitDeps) =>
  async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        for (const object of uploadedObjects(record)) {
          const result = await submitUpload(deps, object);
          if (result.outcome === 'skipped')
            logger.info('upload skipped', { key: object.key, reason: result.reason });
        }
      } catch (error) {
        logger.error('submission failed; the message will be retried', {
          messageId: record.messageId,
          receiveCount: record.attributes.ApproximateReceiveCount,
          error,
        });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };

export const handler = withLogContext(createHandler(defaultSubmitDeps()));
