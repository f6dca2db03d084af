import * as z from 'zod';

/**
 * Amazon S3's event notifications, as S3 documents them
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html), and the
 * test event S3 sends once when a notification is configured. Skycast receives them as SQS message bodies.
 *
 * Object keys are URL-encoded, with `+` for spaces. The fields marked "not from every sender" are in AWS's
 * events but not in those of moto, which stands in for S3 locally; nothing in Skycast reads them.
 */

export const S3_TEST_EVENT = 's3:TestEvent';

const principal = z.object({ principalId: z.string() });

export const S3EventRecordSchema = z.object({
  eventVersion: z.string(),
  eventSource: z.literal('aws:s3'),
  awsRegion: z.string(),
  eventTime: z.iso.datetime(),
  /** `ObjectCreated:Put`, `ObjectCreated:CompleteMultipartUpload`, `ObjectRemoved:Delete`, … */
  eventName: z.string().min(1),
  /** Not from every sender. */
  userIdentity: principal.optional(),
  /** Not from every sender. */
  requestParameters: z.object({ sourceIPAddress: z.string() }).optional(),
  /** Not from every sender. */
  responseElements: z.object({ 'x-amz-request-id': z.string(), 'x-amz-id-2': z.string() }).optional(),
  s3: z.object({
    s3SchemaVersion: z.string(),
    configurationId: z.string(),
    bucket: z.object({
      name: z.string().min(1),
      /** Not from every sender. */
      ownerIdentity: principal.optional(),
      arn: z.string(),
    }),
    object: z.object({
      /** URL-encoded, `+` for spaces. */
      key: z.string().min(1),
      /** Absent on deletions. */
      size: z.number().int().nonnegative().optional(),
      /** Absent on deletions. */
      eTag: z.string().optional(),
      versionId: z.string().optional(),
      /** Not from every sender. */
      sequencer: z.string().optional(),
    }),
  }),
});

/** One notification: S3 sends one record per message today, but documents a list. */
export const S3EventNotificationSchema = z.object({ Records: z.array(S3EventRecordSchema).min(1) });

/** What S3 sends when a notification is configured, to check that it can deliver. */
export const S3TestEventSchema = z.object({
  Service: z.literal('Amazon S3'),
  Event: z.literal(S3_TEST_EVENT),
  Time: z.iso.datetime(),
  Bucket: z.string(),
  /** Not from every sender. */
  RequestId: z.string().optional(),
  /** Not from every sender. */
  HostId: z.string().optional(),
});

/** Any message S3 puts on a queue. */
export const S3NotificationMessageSchema = z.union([S3TestEventSchema, S3EventNotificationSchema]);

export type S3EventRecord = z.infer<typeof S3EventRecordSchema>;
export type S3EventNotification = z.infer<typeof S3EventNotificationSchema>;
export type S3TestEvent = z.infer<typeof S3TestEventSchema>;
