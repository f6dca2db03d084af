import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod';
import type { Operation } from '#contract/operation.ts';
import { type AccessTokenVerifier, type AuthenticatedUser, bearerToken } from './auth.ts';
import { MalformedJsonError, SkycastError, UnsupportedMediaTypeError, ValidationError } from './errors.ts';
import { logger } from './logger.ts';
import type { TokenRevocationCheck } from './revocation.ts';

/** What every HTTP handler needs from outside, passed in so tests and the local platform can supply their own. */
export interface HttpDeps {
  verifier: AccessTokenVerifier;
  revocation: TokenRevocationCheck;
}

/** A validated request, as the use case sees it. */
export interface HttpRequest<Op extends Operation> {
  body: Op['body'] extends z.ZodType ? z.output<Op['body']> : undefined;
  query: Op['query'] extends z.ZodType ? z.output<Op['query']> : undefined;
  params: Op['params'] extends z.ZodType ? z.output<Op['params']> : undefined;
  /** Present on every `auth: 'user'` operation. */
  user: Op['auth'] extends 'user' ? AuthenticatedUser : undefined;
  requestId: string;
}

type Result = APIGatewayProxyStructuredResultV2;
/** What the middleware learns about a request and hands to the handler on the Lambda context. */
interface RequestState {
  requestId: string;
  user?: AuthenticatedUser;
  body?: unknown;
  query?: unknown;
  params?: unknown;
}
type HttpContext = Context & { skycast?: RequestState };

function stateOf(context: HttpContext): RequestState {
  context.skycast ??= { requestId: context.awsRequestId };
  return context.skycast;
}

type Mw = MiddlewareObj<APIGatewayProxyEventV2, Result, Error, HttpContext>;

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/** Bodies are capped well under API Gateway's 10 MB: our requests are small JSON documents. */
const MAX_BODY_BYTES = 64 * 1024;

function json(statusCode: number, body: unknown): Result {
  return { statusCode, headers: JSON_HEADERS, body: body === undefined ? '' : JSON.stringify(body) };
}

/** Maps typed errors to 4xx with a `code`; anything else becomes a generic 500 whose detail goes only to the log. */
function errorResponse(): Mw {
  return {
    onError: async (request) => {
      const requestId = request.context.awsRequestId;
      const error = request.error;
      if (error instanceof SkycastError) {
        if (error.status >= 500) logger.error('request failed', { error });
        else logger.info('request rejected', { code: error.code, status: error.status });
        const response = json(error.status, {
          code: error.code,
          message: error.message,
          ...(error.details === undefined ? {} : { details: error.details }),
          requestId,
        });
        request.response = { ...response, headers: { ...response.headers, ...error.headers } };
        return;
      }
      logger.error('unexpected error', { error });
      request.response = json(500, {
        code: 'INTERNAL_ERROR',
        message: 'Something went wrong on our side. Try again; if it keeps failing, report this request id.',
        requestId,
      });
    },
  };
}

function requestLogging(operation: Operation): Mw {
  return {
    before: async (request) => {
      logger.resetKeys();
      logger.addContext(request.context);
      logger.appendKeys({ operationId: operation.operationId });
    },
    after: async (request) => {
      logger.info('request handled', { status: request.response?.statusCode });
    },
  };
}

function authentication(operation: Operation, deps: HttpDeps): Mw {
  return {
    before: async (request) => {
      if (operation.auth !== 'user') return;
      const token = bearerToken(request.event.headers);
      const user = await deps.verifier.verify(token);
      if (operation.checkRevocation) await deps.revocation.assertActive(token);
      logger.appendKeys({ userId: user.sub });
      stateOf(request.context).user = user;
    },
  };
}

/** One thing wrong with a request, at `path` (`body.endSeconds`), and the rule it broke as a `code`. */
type Issue = { path: string; message: string; code?: string };

/**
 * The machine-readable rule an issue broke: the code a schema put in its params (the contract's text rule
 * does: TEXT_BIDI_CONTROL…), else zod's own in our spelling (TOO_BIG, TOO_SMALL, INVALID_TYPE…).
 */
function issueCode(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code !== 'custom') return issue.code.toUpperCase();
  const code = (issue.params as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Parses one part of the request, adding what is wrong with it to `issues`. */
function parse<T extends z.ZodType>(
  schema: T,
  value: () => unknown,
  where: string,
  issues: Issue[],
): z.output<T> {
  const result = schema.safeParse(value());
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const code = issueCode(issue);
    issues.push({
      path: [where, ...issue.path.map(String)].join('.'),
      message: issue.message,
      ...(code ? { code } : {}),
    });
  }
  return undefined as z.output<T>;
}

function readJsonBody(event: APIGatewayProxyEventV2): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const contentType = event.headers?.['content-type'] ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(contentType)) {
    throw new UnsupportedMediaTypeError(
      'Send the request body as JSON with "Content-Type: application/json".',
    );
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new ValidationError(`The request body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MalformedJsonError('The request body is not valid JSON.', { cause: error });
  }
}

function validation(operation: Operation): Mw {
  return {
    before: async (request) => {
      const { event } = request;
      const issues: Issue[] = [];
      const validated = {
        body: operation.body ? parse(operation.body, () => readJsonBody(event), 'body', issues) : undefined,
        query: operation.query
          ? parse(operation.query, () => event.queryStringParameters ?? {}, 'query', issues)
          : undefined,
        params: operation.params
          ? parse(operation.params, () => event.pathParameters ?? {}, 'path', issues)
          : undefined,
      };
      // Report every invalid field at once, so a caller can fix the request in one go.
      const [first] = issues;
      if (first) throw new ValidationError(`${first.path}: ${first.message}`, { details: { issues } });
      Object.assign(stateOf(request.context), validated);
    },
  };
}

/**
 * Builds an API Gateway (HTTP API, payload 2.0) handler: logging, error mapping, authentication, then
 * validation run as middy middleware; `useCase` receives the validated request and returns the body.
 */
export function httpHandler<Op extends Operation>(
  operation: Op,
  deps: HttpDeps,
  useCase: (request: HttpRequest<Op>) => Promise<z.input<Op['response']> | undefined>,
) {
  const status = operation.successStatus ?? 200;
  return middy<APIGatewayProxyEventV2, Result, Error, HttpContext>()
    .use(requestLogging(operation))
    .use(errorResponse())
    .use(authentication(operation, deps))
    .use(validation(operation))
    .handler(async (_event, context) => {
      const body = await useCase(stateOf(context) as unknown as HttpRequest<Op>);
      return json(status, status === 204 ? undefined : body);
    });
}
