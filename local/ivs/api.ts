/**
 * IVS's REST-JSON API on node:http, as `@aws-sdk/client-ivs` calls it: `POST /<Operation>` with a JSON
 * object (and `GET /tags/<arn>` for ListTagsForResource), answered 200 with the output (204 for the deletes, as IVS answers them), errors with their type in
 * `x-amzn-ErrorType` and their text in `message`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJsonBody, sendAwsJson } from '../rest-json.ts';
import { IvsApiError, validationError } from './errors.ts';
import type { IvsService } from './service.ts';

const MAX_BODY_BYTES = 1024 * 1024;

/** Operations whose success is 204 with no body, as IVS answers them. */
const NO_CONTENT = new Set(['DeleteChannel', 'DeleteStreamKey', 'DeleteRecordingConfiguration']);

/** The body of an IVS call: always a JSON object. */
async function readInput(request: IncomingMessage): Promise<Record<string, unknown>> {
  const value = await readJsonBody(request, MAX_BODY_BYTES, validationError);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationError('The request body is not a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** Handles one API request; never throws (unexpected failures are logged and become InternalServerException). */
export async function handleRequest(
  service: IvsService,
  log: (message: string, error?: unknown) => void,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  try {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    // ListTagsForResource is IVS's one GET: `/tags/<resource ARN>`.
    const tagged = /^\/tags\/(.+)$/.exec(path)?.[1];
    if (request.method === 'GET' && tagged) {
      const output = service.call('ListTagsForResource', { resourceArn: decodeURIComponent(tagged) });
      sendAwsJson(response, 200, output);
      return;
    }
    const operation = /^\/([A-Za-z]+)$/.exec(path)?.[1];
    if (request.method !== 'POST' || !operation)
      throw new IvsApiError('UnknownOperationException', 404, 'IVS operations are POST /<Operation>.');
    const input = await readInput(request);
    const output = service.call(operation, input);
    if (NO_CONTENT.has(operation)) {
      response.writeHead(204, { 'x-amzn-requestid': randomUUID() });
      response.end();
    } else sendAwsJson(response, 200, output);
  } catch (error) {
    const apiError =
      error instanceof IvsApiError
        ? error
        : new IvsApiError('InternalServerException', 500, 'The local IVS failed; see its log.');
    if (!(error instanceof IvsApiError)) log('API request failed', error);
    sendAwsJson(
      response,
      apiError.status,
      { message: apiError.message },
      { 'x-amzn-errortype': apiError.type },
    );
  }
}
