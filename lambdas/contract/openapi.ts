import * as z from 'zod';
import type { Operation } from '#contract/operation.ts';
import { routes as allRoutes, type Route } from './routes.ts';

const ErrorBody = z.object({
  code: z.string().describe('Machine-readable error code, e.g. VALIDATION_FAILED.'),
  message: z.string().describe('What went wrong and what to do about it.'),
  details: z.unknown().optional(),
  requestId: z.string().optional(),
});

const STATUS_TEXT: Record<number, string> = {
  400: 'The request is not valid',
  401: 'No valid access token',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflicts with the current state',
  410: 'Gone: it expired',
  413: 'Too large',
  415: 'Unsupported media type',
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): object {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  });
  return rest;
}

function parameters(operation: Operation) {
  const list: object[] = [];
  for (const [where, schema] of [
    ['path', operation.params],
    ['query', operation.query],
  ] as const) {
    if (!schema) continue;
    const shape = jsonSchema(schema, 'input') as unknown as {
      properties?: Record<string, object>;
      required?: string[];
    };
    for (const [name, property] of Object.entries(shape.properties ?? {})) {
      list.push({
        name,
        in: where,
        required: where === 'path' || !!shape.required?.includes(name),
        schema: property,
      });
    }
  }
  return list;
}

function describeOperation(operation: Operation) {
  const success = operation.successStatus ?? 200;
  const responses: Record<string, object> = {
    [success]:
      success === 204
        ? { description: 'Done' }
        : {
            description: 'OK',
            content: { 'application/json': { schema: jsonSchema(operation.response, 'output') } },
          },
  };
  for (const status of operation.errors) {
    responses[status] = {
      description: STATUS_TEXT[status] ?? 'Error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: [operation.tag],
    ...(operation.auth === 'user' ? { security: [{ cognito: [] }] } : { security: [] }),
    parameters: parameters(operation),
    ...(operation.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(operation.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the API, generated from the same schemas that validate requests. */
export function buildOpenApiDocument(options: { serverUrl?: string; routes?: readonly Route[] } = {}) {
  const paths: Record<string, Record<string, object>> = {};
  for (const { operation } of options.routes ?? allRoutes) {
    paths[operation.path] ??= {};
    (paths[operation.path] as Record<string, object>)[operation.method.toLowerCase()] =
      describeOperation(operation);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Skycast API',
      version: '1.0.0',
      description:
        'Live and on-demand video. Errors are JSON with a machine-readable `code` and a `message`.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    components: {
      securitySchemes: {
        cognito: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A Cognito user pool access token.',
        },
      },
      schemas: { Error: jsonSchema(ErrorBody, 'output') },
    },
    paths,
  };
}
