import * as z from 'zod';
import type { Operation } from '#contract/operation.ts';
import { routes as allRoutes, type Route } from './routes.ts';

const ErrorBody = z
  .object({
    code: z.string().describe('Machine-readable error code, e.g. VALIDATION_FAILED.'),
    message: z.string().describe('What went wrong and what to do about it.'),
    details: z.unknown().optional(),
    requestId: z.string().optional(),
  })
  .meta({ id: 'Error' });

/** What API Gateway's JWT authorizer answers, before any handler runs, to a missing or invalid token. */
const GatewayUnauthorized = z
  .object({ message: z.literal('Unauthorized') })
  .meta({ id: 'GatewayUnauthorized', description: "API Gateway's own answer to a missing or bad token." });

/** What API Gateway answers, before any handler runs, when a route's throttle (contract/api-edge.ts) is exceeded. */
const GatewayThrottled = z.object({ message: z.literal('Too Many Requests') }).meta({
  id: 'GatewayThrottled',
  description: "API Gateway's own answer when a route's rate limit is exceeded.",
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
  429: 'Too many: a per-user quota is used up, or the route is throttled',
};

type JsonSchema = Record<string, unknown>;
type IO = 'input' | 'output';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/**
 * The named schemas of one document. zod puts every schema with a `.meta({ id })` under `$defs`; here they move
 * to `components.schemas`. A schema is named by its id in its output form (what the API answers); its input
 * form (what a client sends) shares the name where the two are the same and is `<id>Input` where defaults or
 * transforms make them differ.
 */
class Components {
  readonly schemas: Record<string, JsonSchema> = {};

  /** `schema` as JSON Schema, with its named parts (itself too, if named) as `$ref`s into the components. */
  add(schema: z.ZodType, io: IO): JsonSchema {
    const {
      $schema: _dialect,
      $defs,
      ...root
    } = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'any',
    }) as JsonSchema & { $defs?: Record<string, JsonSchema> };
    const defs = $defs ?? {};
    const names = new Map<string, string>();
    const nameOf = (id: string): string => {
      const known = names.get(id);
      if (known) return known;
      names.set(id, id); // provisional, in case a schema refers to itself
      const rewritten = this.rewrite(defs[id] ?? {}, nameOf);
      const output = this.schemas[id];
      const name = io === 'output' || output === undefined || sameJson(output, rewritten) ? id : `${id}Input`;
      names.set(id, name);
      this.schemas[name] ??= rewritten;
      return name;
    };
    return this.rewrite(root, nameOf);
  }

  private rewrite(value: JsonSchema, nameOf: (id: string) => string): JsonSchema {
    return JSON.parse(JSON.stringify(value), (key, item) =>
      key === '$ref' && typeof item === 'string' && item.startsWith('#/$defs/')
        ? ref(nameOf(item.slice('#/$defs/'.length))).$ref
        : item,
    ) as JsonSchema;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function parameters(operation: Operation, components: Components) {
  const list: object[] = [];
  for (const [where, schema] of [
    ['path', operation.params],
    ['query', operation.query],
  ] as const) {
    if (!schema) continue;
    const root = components.add(schema, 'input');
    const named = typeof root.$ref === 'string' ? components.schemas[root.$ref.split('/').pop() ?? ''] : root;
    const shape = (named ?? {}) as { properties?: Record<string, object>; required?: string[] };
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

function errorResponse(operation: Operation, status: number) {
  const ours = ref('Error');
  // The gateway's authorizer turns away a bad token before our handler sees the request.
  const gatewayAnswer =
    status === 401 && operation.auth === 'user'
      ? 'GatewayUnauthorized'
      : status === 429
        ? 'GatewayThrottled'
        : undefined;
  const schema = gatewayAnswer ? { oneOf: [ours, ref(gatewayAnswer)] } : ours;
  return {
    description: STATUS_TEXT[status] ?? 'Error',
    // Quotas counted per hour say when the next window opens; those counting what is open now cannot.
    ...(status === 429
      ? {
          headers: {
            'Retry-After': {
              description: 'Seconds until the quota has room again, where a time window applies.',
              schema: { type: 'integer', minimum: 1 },
            },
          },
        }
      : {}),
    content: { 'application/json': { schema } },
  };
}

function describeOperation(operation: Operation, components: Components, response: JsonSchema | undefined) {
  const success = operation.successStatus ?? 200;
  const responses: Record<string, object> = {
    [success]: response
      ? { description: 'OK', content: { 'application/json': { schema: response } } }
      : { description: 'Done' },
  };
  for (const status of operation.errors) responses[status] = errorResponse(operation, status);
  if (operation.auth === 'user' && !operation.errors.includes(401)) {
    responses[401] = {
      description: STATUS_TEXT[401],
      content: { 'application/json': { schema: ref('GatewayUnauthorized') } },
    };
  }
  // Every route has a throttle at the gateway, whether or not the handler has a quota of its own.
  if (!operation.errors.includes(429)) {
    responses[429] = {
      description: 'Too many requests: the route is throttled',
      content: { 'application/json': { schema: ref('GatewayThrottled') } },
    };
  }
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: [operation.tag],
    ...(operation.auth === 'user' ? { security: [{ cognito: [] }] } : { security: [] }),
    parameters: parameters(operation, components),
    ...(operation.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: components.add(operation.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the API, generated from the same schemas that validate requests. */
export function buildOpenApiDocument(options: { serverUrl?: string; routes?: readonly Route[] } = {}) {
  const operations = (options.routes ?? allRoutes).map((route) => route.operation);
  const components = new Components();
  components.add(ErrorBody, 'output');
  components.add(GatewayUnauthorized, 'output');
  components.add(GatewayThrottled, 'output');
  // Output forms first, so that an input form is only named apart where it differs from one.
  const answers = new Map(
    operations.map((operation) => [
      operation,
      operation.successStatus === 204 ? undefined : components.add(operation.response, 'output'),
    ]),
  );
  const paths: Record<string, Record<string, object>> = {};
  for (const operation of operations) {
    paths[operation.path] ??= {};
    (paths[operation.path] as Record<string, object>)[operation.method.toLowerCase()] = describeOperation(
      operation,
      components,
      answers.get(operation),
    );
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
      schemas: components.schemas,
    },
    paths,
  };
}
