import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type Route, routeKey } from '#contract/routes.ts';
import type { JwtAuthorization, JwtAuthorizer } from './jwt-authorizer.ts';
import { type InvocationOutcome, invoke, type LocalFunction } from './lambda.ts';
import { createRouteThrottles, type RouteThrottleOptions } from './route-throttle.ts';

/** One HTTP request as the API sees it: the path is relative to the API's base URL. */
export interface ApiRequest {
  method: string;
  /** Percent-encoded, without the query string, e.g. `/videos/abc`. */
  rawPath: string;
  rawQueryString: string;
  /** Lower-cased names; repeated headers as several values. */
  headers: Record<string, string[]>;
  body: Buffer;
  sourceIp: string;
  protocol: string;
}

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

export interface HttpApiSettings {
  routes: readonly Route[];
  /** The function serving each route, by route key (`GET /me`). */
  functions: ReadonlyMap<string, LocalFunction>;
  authorizer: JwtAuthorizer;
  region: string;
  accountId: string;
  apiId: string;
  /**
   * API Gateway's route throttling (lambdas/contract/api-edge.ts), or `false` for none: tests and benchmarks
   * that measure the platform rather than its limits turn it off. @default the contract's limits
   */
  throttle?: RouteThrottleOptions | false;
  /** Called after each invocation that failed, for the console. */
  onFunctionError?: (functionName: string, outcome: Extract<InvocationOutcome, { ok: false }>) => void;
}

interface CompiledRoute {
  route: Route;
  key: string;
  pattern: RegExp;
  names: string[];
  /** Literal segments win over parameters, parameters over greedy ones, as in API Gateway. */
  specificity: number;
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  let specificity = 0;
  const segments = route.operation.path
    .split('/')
    .slice(1)
    .map((segment) => {
      const parameter = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
      if (!parameter) {
        specificity += 1000;
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
      names.push(parameter[1] as string);
      if (parameter[2]) return '(.+)';
      specificity += 1;
      return '([^/]+)';
    });
  return {
    route,
    key: routeKey(route),
    pattern: new RegExp(`^/${segments.join('/')}$`),
    names,
    specificity,
  };
}

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    cookies: [],
    body: Buffer.from(JSON.stringify(body)),
  };
}

/** API Gateway's own answers, byte for byte. */
const unauthorized = () => json(401, { message: 'Unauthorized' });
const internalServerError = () => json(500, { message: 'Internal Server Error' });
const serviceUnavailable = () => json(503, { message: 'Service Unavailable' });
const tooLarge = () => json(413, { message: 'Request Entity Too Large' });
const tooManyRequests = () => json(429, { message: 'Too Many Requests' });

/** API Gateway's payload limit for HTTP APIs. */
export const MAX_API_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** HTTP API passes these bodies as text; anything else arrives base64-encoded. */
function isTextBody(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/javascript'
  );
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** `12/Mar/2020:19:03:58 +0000`, the format of `requestContext.time`. */
function requestTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}

/**
 * API Gateway HTTP API in front of Lambda, in-process: the same route table, payload format 2.0 events, the
 * JWT authorizer on `auth: 'user'` routes, and Lambda results mapped back to HTTP the way API Gateway does.
 */
export function createHttpApi(settings: HttpApiSettings) {
  const compiled = settings.routes.map(compile);
  const throttles =
    settings.throttle === false ? undefined : createRouteThrottles(settings.routes, settings.throttle);

  function buildEvent(
    request: ApiRequest,
    match: { route: CompiledRoute; values: string[] },
    requestId: string,
    authorization: JwtAuthorization | undefined,
  ): APIGatewayProxyEventV2 {
    const now = new Date();
    const cookies = (request.headers.cookie ?? [])
      .flatMap((header) => header.split(';'))
      .map((cookie) => cookie.trim())
      .filter(Boolean);
    const headers: Record<string, string> = {};
    for (const [name, values] of Object.entries(request.headers)) {
      if (name === 'cookie') continue;
      headers[name] = values.join(',');
    }
    const host = headers.host ?? '127.0.0.1';
    const port = host.includes(':') ? host.slice(host.lastIndexOf(':') + 1) : '80';
    Object.assign(headers, {
      'x-forwarded-for': request.sourceIp,
      'x-forwarded-port': port,
      'x-forwarded-proto': 'http',
      'x-amzn-trace-id': `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`,
    });

    const query: Record<string, string> = {};
    for (const [name, value] of new URLSearchParams(request.rawQueryString)) {
      query[name] = name in query ? `${query[name]},${value}` : value;
    }
    const pathParameters = Object.fromEntries(
      match.route.names.map((name, index) => [name, decode(match.values[index] ?? '')]),
    );

    const hasBody = request.body.length > 0;
    const asText = isTextBody(headers['content-type']);
    const domainName = host.replace(/:\d+$/, '');
    return {
      version: '2.0',
      routeKey: match.route.key,
      rawPath: request.rawPath,
      rawQueryString: request.rawQueryString,
      ...(cookies.length > 0 ? { cookies } : {}),
      headers,
      ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
      requestContext: {
        accountId: settings.accountId,
        apiId: settings.apiId,
        ...(authorization ? { authorizer: authorization } : {}),
        domainName,
        domainPrefix: domainName.split('.')[0] ?? domainName,
        http: {
          method: request.method,
          path: request.rawPath,
          protocol: request.protocol,
          sourceIp: request.sourceIp,
          userAgent: headers['user-agent'] ?? '',
        },
        requestId,
        routeKey: match.route.key,
        stage: '$default',
        time: requestTime(now),
        timeEpoch: now.getTime(),
      },
      ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
      ...(hasBody ? { body: asText ? request.body.toString('utf8') : request.body.toString('base64') } : {}),
      isBase64Encoded: hasBody && !asText,
    } as APIGatewayProxyEventV2;
  }

  /** Payload 2.0 results: a `statusCode` means a structured response, anything else is a JSON body. */
  function toResponse(result: unknown): ApiResponse | undefined {
    if (result === null || typeof result !== 'object' || !('statusCode' in result)) {
      const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        cookies: [],
        body: Buffer.from(body),
      };
    }
    const structured = result as {
      statusCode: unknown;
      headers?: Record<string, unknown>;
      cookies?: unknown;
      body?: unknown;
      isBase64Encoded?: unknown;
    };
    const status = Number(structured.statusCode);
    if (!Number.isInteger(status) || status < 100 || status > 599) return undefined;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(structured.headers ?? {})) {
      if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
    }
    const cookies = Array.isArray(structured.cookies) ? structured.cookies.map(String) : [];
    const text = structured.body === undefined || structured.body === null ? '' : String(structured.body);
    const body = structured.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text);
    return { statusCode: status, headers, cookies, body };
  }

  function findRoute(request: ApiRequest) {
    const matches = compiled
      .map((route) => ({ route, values: route.pattern.exec(request.rawPath)?.slice(1) }))
      .filter((match): match is { route: CompiledRoute; values: string[] } => match.values !== undefined);
    const forMethod = matches
      .filter((match) => match.route.route.operation.method === request.method)
      .sort((a, b) => b.route.specificity - a.route.specificity);
    return {
      match: forMethod[0],
      allowed: [...new Set(matches.map((match) => match.route.route.operation.method))],
    };
  }

  return {
    /** The HTTP methods of the routes, for CORS preflights. */
    methods: settings.routes.map((route) => route.operation.method),
    async handle(request: ApiRequest): Promise<ApiResponse> {
      const requestId = randomBytes(11).toString('base64');
      const withRequestId = (response: ApiResponse): ApiResponse => ({
        ...response,
        headers: { ...response.headers, 'apigw-requestid': requestId },
      });

      const { match, allowed } = findRoute(request);
      if (!match) {
        if (allowed.length > 0) {
          return withRequestId(
            json(
              405,
              {
                code: 'METHOD_NOT_ALLOWED',
                message: `${request.method} is not supported on ${request.rawPath}; use ${allowed.join(' or ')}.`,
              },
              { allow: allowed.join(', ') },
            ),
          );
        }
        return withRequestId(
          json(404, {
            code: 'NOT_FOUND',
            message: `No API operation answers ${request.method} ${request.rawPath}. The operations are listed in /openapi.json.`,
          }),
        );
      }
      const key = match.route.key;
      // As in API Gateway, throttling comes first: a request over the route's limit never reaches the authorizer.
      if (throttles && !throttles.admit(key)) return withRequestId(tooManyRequests());
      if (request.body.length > MAX_API_PAYLOAD_BYTES) return withRequestId(tooLarge());

      let authorization: JwtAuthorization | undefined;
      if (match.route.route.operation.auth === 'user') {
        authorization = await settings.authorizer.authorize(request.headers.authorization?.[0]);
        if (!authorization) return withRequestId(unauthorized());
      }

      const fn = settings.functions.get(key);
      if (!fn) throw new Error(`No function is loaded for route ${key}`);
      const event = buildEvent(request, match, requestId, authorization);
      const outcome = await invoke(fn, event, settings.region);
      if (!outcome.ok) {
        settings.onFunctionError?.(fn.name, outcome);
        return withRequestId(outcome.timedOut ? serviceUnavailable() : internalServerError());
      }
      const response = toResponse(outcome.result);
      if (!response) {
        settings.onFunctionError?.(fn.name, {
          ok: false,
          error: new Error('The handler returned a statusCode API Gateway cannot use'),
          timedOut: false,
        });
        return withRequestId(internalServerError());
      }
      return withRequestId(response);
    },
  };
}
