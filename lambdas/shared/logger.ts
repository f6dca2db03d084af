import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

/**
 * The one logger: JSON lines with the request id and our domain ids. Never pass it a token, a stream
 * key or a presigned URL; the HTTP middleware logs only method, route and status.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'skycast' });

/**
 * An event handler (SQS, EventBridge, function URL, custom resource) whose log lines carry its own invocation:
 * function name, request id and cold start, and no keys left over from the previous invocation. The HTTP
 * middleware does the same for API routes.
 */
export function withLogContext<E, R>(
  handler: (event: E) => Promise<R>,
): (event: E, context?: Context) => Promise<R> {
  return (event, context) => {
    logger.resetKeys();
    if (context) logger.addContext(context);
    return handler(event);
  };
}
