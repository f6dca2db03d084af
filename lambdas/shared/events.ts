import type * as z from 'zod';
import { logger } from './logger.ts';

/**
 * Events parsed at the edge, as requests are: a handler gives its event to the schema of what AWS sends
 * (`#contract/events/*`) before a use case sees it, and a malformed one is refused by name.
 */

/** An event or message that is not what its schema says; the message names every field that is wrong. */
export class MalformedEventError extends Error {
  override name = 'MalformedEventError';
}

/** `detail.stream_id: Invalid input: expected string, received undefined; time: Invalid ISO datetime` */
export function describeProblems(error: z.ZodError): string {
  return error.issues
    .map(
      (issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`,
    )
    .join('; ');
}

/**
 * `value` as `schema` reads it, or a MalformedEventError saying it is not `what` (with its article: "an S3
 * event notification") and why.
 */
export function parseAs<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new MalformedEventError(`This is not ${what}: ${describeProblems(result.error)}`);
  return result.data;
}

/** A message body as JSON, or a MalformedEventError. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MalformedEventError(`This is not JSON: ${(error as Error).message}`);
  }
}

/**
 * An EventBridge event as `schema` reads it. A malformed one is logged (with its id, source and type, never
 * its detail, which may name people's files) and rejected: Lambda retries the asynchronous invocation, and
 * after the last attempt the pipeline's dead-letter queue keeps the event for a person to look at.
 */
export function parseEventBridgeEvent<S extends z.ZodType>(
  schema: S,
  event: unknown,
  what: string,
): z.output<S> {
  try {
    return parseAs(schema, event, what);
  } catch (error) {
    const envelope = (event ?? {}) as { id?: unknown; source?: unknown; 'detail-type'?: unknown };
    logger.error('malformed event rejected', {
      eventId: envelope.id,
      source: envelope.source,
      detailType: envelope['detail-type'],
      problems: (error as Error).message,
    });
    throw error;
  }
}
