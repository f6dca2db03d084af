import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

const template = JSON.parse(
  readFileSync(new URL('../fixtures/events/http-api-v2-get.json', import.meta.url), 'utf8'),
) as APIGatewayProxyEventV2;

export interface ApiRequest {
  method?: string;
  path?: string;
  routeKey?: string;
  token?: string;
  headers?: Record<string, string>;
  body?: unknown;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
}

/** An HTTP API (payload 2.0) event in the shape API Gateway documents, from a captured template. */
export function apiEvent(request: ApiRequest = {}): APIGatewayProxyEventV2 {
  const event = structuredClone(template);
  const method = request.method ?? 'GET';
  const path = request.path ?? '/me';
  event.routeKey = request.routeKey ?? `${method} ${path}`;
  event.rawPath = path;
  event.requestContext.http.method = method;
  event.requestContext.http.path = path;
  event.requestContext.routeKey = event.routeKey;
  event.requestContext.requestId = randomUUID();
  event.headers = { ...event.headers, ...request.headers };
  if (request.token !== undefined) event.headers.authorization = `Bearer ${request.token}`;
  if (request.body !== undefined) {
    event.body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
    event.headers['content-type'] ??= 'application/json';
  }
  if (request.query) {
    event.queryStringParameters = request.query;
    event.rawQueryString = new URLSearchParams(request.query).toString();
  }
  if (request.pathParameters) event.pathParameters = request.pathParameters;
  return event;
}

/** A Lambda context like the runtime passes, with a fresh request id. */
export function lambdaContext(functionName = 'skycast-test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/21/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A Lambda handler as middy builds it (middy passes an abort signal as a third argument). */
export type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
  options: { signal: AbortSignal },
) => Promise<unknown>;

/** Invokes an HTTP handler and parses its JSON body. */
export async function invoke(handler: Handler, request: ApiRequest = {}) {
  const result = (await handler(apiEvent(request), lambdaContext(), {
    signal: new AbortController().signal,
  })) as APIGatewayProxyStructuredResultV2;
  const body = result.body ? JSON.parse(result.body) : undefined;
  return { status: result.statusCode, headers: result.headers ?? {}, body };
}
