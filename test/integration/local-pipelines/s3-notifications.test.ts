/**
 * S3 → SQS → function on the local platform: the uploads bucket's notification (as the wiring table
 * configures it) really puts S3 events on the queue, for single PUTs and completed multipart uploads, and the
 * SQS event source hands them to the function. Events are compared with the structure AWS documents
 * (fixtures/s3-documented-*.json), apart from the fields moto leaves out, named in MOTO_OMITS. moto also
 * encodes '/' in keys as %2F, where AWS leaves it; decoding the key, as AWS says to, gives the same key.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod';
import { S3EventNotificationSchema, S3TestEventSchema } from '#contract/events/s3.ts';
import { SqsRecordSchema } from '#contract/events/sqs.ts';
import { queues } from '#contract/pipelines.ts';
import { describeProblems } from '../../../lambdas/shared/events.ts';
import { emulatorClientConfig } from '../../../local/provision.ts';
import { invocations } from './fixtures/recording-handler.ts';
import { eventually, probeQueue, startTestbed, type Testbed } from './testbed.ts';

const documented = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

/**
 * Fields of AWS's documented messages that moto 5.2 does not send. Handlers must not depend on them.
 * Everything else must be there, with the documented type.
 */
const MOTO_OMITS = [
  'Records.0.userIdentity',
  'Records.0.requestParameters',
  'Records.0.responseElements',
  'Records.0.s3.bucket.ownerIdentity',
  'Records.0.s3.object.sequencer',
  'RequestId',
  'HostId',
];

/** Where `actual` differs in structure from `reference`: missing fields and fields of another type. */
function structuralDifferences(reference: unknown, actual: unknown, path = ''): string[] {
  const typeOf = (value: unknown) =>
    Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (typeOf(reference) !== typeOf(actual)) {
    return [`${path || '(root)'}: ${typeOf(actual)} instead of ${typeOf(reference)}`];
  }
  if (typeOf(reference) !== 'object' && typeOf(reference) !== 'array') return [];
  const entries = Object.entries(reference as Record<string, unknown>);
  return entries.flatMap(([name, value]) => {
    const at = path ? `${path}.${name}` : name;
    const present = (actual as Record<string, unknown>)[name];
    if (present === undefined) return MOTO_OMITS.includes(at) ? [] : [`${at}: missing`];
    return structuralDifferences(value, present, at);
  });
}

/** The bodies of every SQS message the function received from the queue, parsed. */
function deliveredBodies(queueArn: string): { record: SQSRecord; body: Record<string, unknown> }[] {
  return (invocations as SQSEvent[])
    .filter((event) => event.Records?.[0]?.eventSourceARN === queueArn)
    .flatMap((event) => event.Records)
    .map((record) => ({ record, body: JSON.parse(record.body) }));
}

interface S3Record {
  eventName: string;
  eventTime: string;
  awsRegion: string;
  s3: {
    configurationId: string;
    bucket: { name: string; arn: string };
    object: { key: string; size: number; eTag: string };
  };
}

/** What the contract's schema finds wrong with what the local platform delivered: '' for nothing. */
function schemaProblems(schema: z.ZodType, value: unknown): string {
  const result = schema.safeParse(value);
  return result.success ? '' : describeProblems(result.error);
}

/** S3 URL-encodes keys in events, with '+' for spaces. */
const decodeKey = (key: string) => decodeURIComponent(key.replace(/\+/g, ' '));

const uploadsQueue = queues.find((queue) => queue.s3Source?.bucket === 'uploads');

describe('S3 notifications on the local platform', () => {
  let bed: Testbed;
  let s3: S3Client;
  let bucket: string;
  let queueArn: string;

  before(async () => {
    assert.ok(uploadsQueue?.s3Source, 'the wiring table has a queue fed by the uploads bucket');
    bed = await startTestbed({ queues: [probeQueue('uploads', { s3Source: uploadsQueue.s3Source })] });
    s3 = new S3Client({ ...emulatorClientConfig(bed), forcePathStyle: true });
    bucket = bed.resources.bucketNames.uploads;
    queueArn = bed.queue('uploads').arn;
    await bed.startPollers({ queues: ['uploads'] });
  });
  after(async () => {
    s3?.destroy();
    await bed?.stop();
  });

  /** The S3 event record the function received for `key`, once it has. */
  function recordFor(key: string, eventName: string): Promise<{ message: SQSRecord; event: unknown }> {
    return eventually(`an ${eventName} event for ${key}`, () => {
      for (const { record, body } of deliveredBodies(queueArn)) {
        const s3Record = (body.Records as S3Record[] | undefined)?.[0];
        if (s3Record?.eventName === eventName && decodeKey(s3Record.s3.object.key) === key) {
          return { message: record, event: body };
        }
      }
      return undefined;
    });
  }

  it('delivers the s3:TestEvent that S3 sends when the notification is configured', async () => {
    const { body } = await eventually('the test event', () =>
      deliveredBodies(queueArn).find(({ body }) => body.Event === 's3:TestEvent'),
    );

    assert.deepEqual(structuralDifferences(documented('s3-documented-test-event.json'), body), []);
    assert.equal(schemaProblems(S3TestEventSchema, body), '');
    assert.equal(body.Service, 'Amazon S3');
    assert.equal(body.Bucket, bucket);
  });

  it('delivers ObjectCreated:Put for an object under the prefix, in the documented shape', async () => {
    const prefix = uploadsQueue?.s3Source?.prefix ?? '';
    const outside = 'elsewhere/ignored.mp4';
    const key = `${prefix}owner-1/video-1/a clip ü.mp4`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: outside, Body: 'not for the queue' }));
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'hello, video' }));

    const { event, message } = await recordFor(key, 'ObjectCreated:Put');

    assert.deepEqual(structuralDifferences(documented('s3-documented-event.json'), event), []);
    assert.equal(schemaProblems(S3EventNotificationSchema, event), '');
    assert.equal(schemaProblems(SqsRecordSchema, message), '');
    const [record] = (event as { Records: S3Record[] }).Records;
    assert.ok(record);
    assert.equal(record.awsRegion, bed.region);
    assert.match(record.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(record.s3.configurationId, `${bed.resources.application}-uploads`);
    assert.deepEqual(record.s3.bucket.name, bucket);
    assert.equal(record.s3.bucket.arn, `arn:aws:s3:::${bucket}`);
    assert.equal(record.s3.object.size, Buffer.byteLength('hello, video'));
    assert.equal(record.s3.object.eTag, put.ETag?.replace(/"/g, ''));
    assert.equal(message.attributes.ApproximateReceiveCount, '1');
    const keys = deliveredBodies(queueArn).flatMap(({ body }) =>
      ((body.Records as S3Record[] | undefined) ?? []).map((entry) => decodeKey(entry.s3.object.key)),
    );
    assert.ok(!keys.includes(outside), `no event for ${outside}, which is outside the prefix`);
  });

  it('delivers ObjectCreated:CompleteMultipartUpload when a multipart upload completes', async () => {
    const key = `${uploadsQueue?.s3Source?.prefix}owner-2/video-2/source.mp4`;
    const parts = [Buffer.alloc(5 * 1024 * 1024, 1), Buffer.alloc(1000, 2)];
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const etags: string[] = [];
    for (const [index, body] of parts.entries()) {
      const part = await s3.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: index + 1, Body: body }),
      );
      etags.push(part.ETag ?? '');
    }
    const completed = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
      }),
    );

    const { event } = await recordFor(key, 'ObjectCreated:CompleteMultipartUpload');

    assert.deepEqual(structuralDifferences(documented('s3-documented-event.json'), event), []);
    const [record] = (event as { Records: S3Record[] }).Records;
    const etag = completed.ETag?.replace(/"/g, '');
    assert.equal(record?.s3.object.size, parts[0]!.length + parts[1]!.length);
    assert.equal(record?.s3.object.eTag, etag);
    assert.match(record?.s3.object.eTag ?? '', /-2$/);
    // AWS sends this one event. moto 5.2 also sends an ObjectCreated:Put for the same object just before it
    // (its CompleteMultipartUpload stores the object through PutObject); consumers must be idempotent anyway.
    const forKey = deliveredBodies(queueArn)
      .flatMap(({ body }) => (body.Records as S3Record[] | undefined) ?? [])
      .filter((entry) => decodeKey(entry.s3.object.key) === key);
    const completions = forKey.filter((entry) => entry.eventName === 'ObjectCreated:CompleteMultipartUpload');
    const others = forKey.filter((entry) => entry.eventName !== 'ObjectCreated:CompleteMultipartUpload');
    assert.equal(completions.length, 1);
    for (const other of others) {
      assert.deepEqual([other.eventName, other.s3.object.eTag], ['ObjectCreated:Put', etag]);
    }
  });
});
