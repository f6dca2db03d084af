import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger: JSON lines with the request id and our domain ids. Never pass it a token, a stream
 * key or a presigned URL; the HTTP middleware logs only method, route and status.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'skycast' });
