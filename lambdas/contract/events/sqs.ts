import * as z from 'zod';

/**
 * The event Lambda's SQS event source hands a function, as Lambda documents it
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html). The body is the message as sent, a string;
 * `attributes` are SQS's system attributes, of which Lambda always asks for the four required here.
 */

const messageAttribute = z.object({
  stringValue: z.string().optional(),
  binaryValue: z.string().optional(),
  stringListValues: z.array(z.string()),
  binaryListValues: z.array(z.string()),
  dataType: z.string(),
});

export const SqsRecordSchema = z.object({
  messageId: z.string().min(1),
  receiptHandle: z.string(),
  body: z.string(),
  attributes: z
    .object({
      /** "1" on the first delivery; the message is dead-lettered after the queue's maxReceiveCount. */
      ApproximateReceiveCount: z.string(),
      SentTimestamp: z.string(),
      SenderId: z.string(),
      ApproximateFirstReceiveTimestamp: z.string(),
    })
    .catchall(z.string()),
  messageAttributes: z.record(z.string(), messageAttribute),
  md5OfBody: z.string(),
  md5OfMessageAttributes: z.string().optional(),
  eventSource: z.literal('aws:sqs'),
  eventSourceARN: z.string(),
  awsRegion: z.string(),
});

export const SqsEventSchema = z.object({ Records: z.array(SqsRecordSchema) });

export type SqsRecord = z.infer<typeof SqsRecordSchema>;
export type SqsEvent = z.infer<typeof SqsEventSchema>;
