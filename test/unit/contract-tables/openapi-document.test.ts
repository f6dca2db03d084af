import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as z from 'zod';
import { buildOpenApiDocument } from '#contract/openapi.ts';
import { defineOperation } from '#contract/operation.ts';
import { routes } from '#contract/routes.ts';
import { userIdTokens } from '../../support/http-deps.ts';
import { resolvePointer, schemaProblems } from '../../support/json-schema.ts';
import { type Handler, invoke } from '../../support/lambda.ts';
import { testPlaybackIssuer } from '../../support/playback.ts';
import { InMemoryVideoCatalog } from '../catalog/in-memory.ts';

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** What breaks the structure OpenAPI 3.1 asks of a document, for the parts our document uses. */
function structuralProblems(document: Json): string[] {
  const problems: string[] = [];
  const allowedTop = ['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components'];
  for (const key of Object.keys(document)) {
    if (![...allowedTop, 'security', 'tags', 'externalDocs'].includes(key) && !key.startsWith('x-'))
      problems.push(`unknown top-level field ${key}`);
  }
  if (!/^3\.1\.\d+$/.test(String(document.openapi))) problems.push('openapi is not 3.1.x');
  const info = document.info as Json | undefined;
  if (typeof info?.title !== 'string' || typeof info.version !== 'string')
    problems.push('info lacks title/version');
  const components = (document.components ?? {}) as Json;
  const schemes = (components.securitySchemes ?? {}) as Json;
  for (const name of Object.keys((components.schemas ?? {}) as Json)) {
    if (!/^[a-zA-Z0-9._-]+$/.test(name)) problems.push(`component name ${name} is not allowed`);
  }
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries((document.paths ?? {}) as Record<string, Json>)) {
    if (!path.startsWith('/')) problems.push(`path ${path} does not start with /`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]).sort();
    for (const [method, value] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!METHODS.includes(method)) {
        problems.push(`${where}: not an HTTP method`);
        continue;
      }
      const operation = value as Json;
      const id = operation.operationId as string;
      if (operationIds.has(id)) problems.push(`${where}: operationId ${id} used twice`);
      operationIds.add(id);
      const parameters = (operation.parameters ?? []) as Json[];
      for (const parameter of parameters) {
        if (typeof parameter.name !== 'string') problems.push(`${where}: a parameter has no name`);
        if (!['path', 'query', 'header', 'cookie'].includes(parameter.in as string))
          problems.push(`${where}: parameter ${parameter.name} is in ${parameter.in}`);
        if (parameter.in === 'path' && parameter.required !== true)
          problems.push(`${where}: path parameter ${parameter.name} is not required`);
        if (!('schema' in parameter) === !('content' in parameter))
          problems.push(`${where}: parameter ${parameter.name} needs a schema or content, not both`);
      }
      const inPath = parameters
        .filter((parameter) => parameter.in === 'path')
        .map((parameter) => parameter.name);
      if (JSON.stringify(inPath.sort()) !== JSON.stringify(templated))
        problems.push(`${where}: path parameters ${inPath} differ from the template's ${templated}`);
      const body = operation.requestBody as Json | undefined;
      if (body && typeof body.content !== 'object') problems.push(`${where}: requestBody has no content`);
      const responses = (operation.responses ?? {}) as Record<string, Json>;
      if (Object.keys(responses).length === 0) problems.push(`${where}: no responses`);
      for (const [status, response] of Object.entries(responses)) {
        if (!/^([1-5](\d\d|XX)|default)$/.test(status)) problems.push(`${where}: status ${status}`);
        if (typeof response.description !== 'string') problems.push(`${where} ${status}: no description`);
        for (const [type, media] of Object.entries((response.content ?? {}) as Record<string, Json>)) {
          if (typeof media.schema !== 'object') problems.push(`${where} ${status} ${type}: no schema`);
        }
      }
      for (const requirement of (operation.security ?? []) as Json[]) {
        for (const scheme of Object.keys(requirement)) {
          if (!(scheme in schemes)) problems.push(`${where}: security scheme ${scheme} is not defined`);
        }
      }
    }
  }
  return problems;
}

/** Every `$ref` in the document, with where it was found. */
function refsOf(value: unknown, at = '#'): { ref: string; at: string }[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key === '$ref' && typeof item === 'string' ? [{ ref: item, at }] : refsOf(item, `${at}/${key}`),
  );
}

const document = buildOpenApiDocument({ serverUrl: 'https://api.example.com' }) as unknown as Json & {
  components: { schemas: Record<string, Json> };
  paths: Record<string, Record<string, { responses: Record<string, { content?: Json }> }>>;
};

/** The schema the document gives an operation's answer with this status. */
function responseSchema(path: string, method: string, status: number): Json {
  const content = document.paths[path]?.[method]?.responses[status]?.content as
    | { 'application/json': { schema: Json } }
    | undefined;
  assert.ok(content, `${method} ${path} documents no ${status}`);
  return content['application/json'].schema;
}

describe('the OpenAPI document', () => {
  it('has the structure OpenAPI 3.1 asks for', () => {
    assert.deepEqual(structuralProblems(document), []);
  });

  it('resolves every $ref inside the document', () => {
    const refs = refsOf(document);
    const dangling = refs.filter(({ ref }) => resolvePointer(document, ref) === undefined);

    assert.ok(refs.length > 20, 'operations refer to named schemas');
    assert.deepEqual(dangling, []);
  });

  it('names the schemas of the API under components.schemas', () => {
    const names = Object.keys(document.components.schemas);
    for (const name of [
      'Error',
      'GatewayUnauthorized',
      'GatewayThrottled',
      'Video',
      'ListedVideo',
      'WatchableVideo',
      'VideoPage',
      'Playback',
      'StreamView',
      'StreamPage',
      'UploadTicket',
      'UploadProgress',
      'CreateClipRequest',
      'Profile',
      'Preferences',
    ])
      assert.ok(names.includes(name), `${name} is named`);
    assert.deepEqual(responseSchema('/videos/{videoId}', 'get', 200), {
      $ref: '#/components/schemas/WatchableVideo',
    });
  });

  it("describes API Gateway's own 401 body on every operation that needs a user", () => {
    for (const { operation } of routes) {
      if (operation.auth !== 'user') continue;
      const schema = responseSchema(operation.path, operation.method.toLowerCase(), 401);
      assert.deepEqual(
        schemaProblems({ message: 'Unauthorized' }, schema, document),
        [],
        operation.operationId,
      );
      assert.notDeepEqual(
        schemaProblems({ message: 'Forbidden' }, schema, document),
        [],
        operation.operationId,
      );
    }
  });

  it("describes API Gateway's own 429 body on every operation: every route has a throttle", () => {
    for (const { operation } of routes) {
      const schema = responseSchema(operation.path, operation.method.toLowerCase(), 429);
      assert.deepEqual(
        schemaProblems({ message: 'Too Many Requests' }, schema, document),
        [],
        operation.operationId,
      );
      const quota = { code: 'QUOTA_EXCEEDED', message: 'At most 10 open uploads.' };
      assert.equal(
        schemaProblems(quota, schema, document).length === 0,
        operation.errors.includes(429),
        `${operation.operationId}: a quota's 429 only where the operation has a quota`,
      );
    }
  });

  it('names an input form apart only where its forms differ from the output form', () => {
    const WithDefault = z.object({ count: z.number().default(1) }).meta({ id: 'TestWithDefault' });
    // Strict, so that both forms refuse other fields: a loose object's input form allows them, its output not.
    const Plain = z.strictObject({ name: z.string() }).meta({ id: 'TestPlain' });
    const operation = defineOperation({
      operationId: 'testEcho',
      method: 'POST',
      path: '/echo',
      summary: 'Echo',
      tag: 'test',
      auth: 'public',
      body: z.object({ withDefault: WithDefault, plain: Plain }),
      response: z.object({ withDefault: WithDefault, plain: Plain }),
      errors: [],
    });
    const built = buildOpenApiDocument({ routes: [{ operation, entry: 'echo.ts', access: {} }] });
    const schemas = built.components.schemas as Record<string, Json>;

    assert.deepEqual(
      Object.keys(schemas)
        .filter((name) => name.startsWith('Test'))
        .sort(),
      ['TestPlain', 'TestWithDefault', 'TestWithDefaultInput'],
    );
    assert.deepEqual((schemas.TestWithDefault as Json).required, ['count']);
    assert.equal((schemas.TestWithDefaultInput as Json).required, undefined);
    assert.deepEqual(
      refsOf(built.paths['/echo'])
        .map(({ ref }) => ref.split('/').pop())
        .filter((name) => name?.startsWith('Test'))
        .sort(),
      ['TestPlain', 'TestPlain', 'TestWithDefault', 'TestWithDefaultInput'],
    );
  });
});

describe('answers of real handlers against the document', () => {
  const catalog = new InMemoryVideoCatalog();
  let getVideo: Handler;
  let listVideos: Handler;

  before(async () => {
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      USER_POOL_ID: 'eu-west-1_example',
      USER_POOL_CLIENT_ID: 'client',
      CATALOG_TABLE_NAME: 'catalog',
      PLAYBACK_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:playback-key',
      PLAYBACK_KEY_PAIR_ID: 'KTESTPLAYBACK1',
      MEDIA_URL: 'https://media.test',
    });
    const deps = { ...userIdTokens, catalog, playback: testPlaybackIssuer() };
    getVideo = (await import('../../../lambdas/catalog/get-video.ts')).createHandler(deps);
    listVideos = (await import('../../../lambdas/catalog/list-videos.ts')).createHandler(deps);
    await catalog.create({
      videoId: 'v-ready',
      ownerId: 'user-alice',
      title: 'Ready to play',
      visibility: 'public',
      status: 'READY',
      source: { kind: 'upload', fileName: 'a.mp4', size: 10, contentType: 'video/mp4' },
      durationSeconds: 12.5,
      playbackPath: 'videos/v-ready/hls/index.m3u8',
      posterPath: 'videos/v-ready/poster.jpg',
      renditions: [
        { name: '720p', width: 1280, height: 720, bitrate: 3_000_000, playlistPath: 'hls/720p.m3u8' },
      ],
      createdAt: '2026-11-21T09:00:00.000Z',
      updatedAt: '2026-11-21T09:05:00.000Z',
      sourceKey: 'uploads/user-alice/v-ready/source.mp4',
    });
  });

  const watch = (videoId: string, token?: string) =>
    invoke(getVideo, {
      path: `/videos/${videoId}`,
      routeKey: 'GET /videos/{videoId}',
      pathParameters: { videoId },
      ...(token ? { token } : {}),
    });

  it("getVideo's answer, with playback cookies, matches WatchableVideo", async () => {
    const response = await watch('v-ready', 'user-alice');

    assert.equal(response.status, 200);
    assert.ok(response.body.playback, 'a READY video comes with playback');
    const schema = responseSchema('/videos/{videoId}', 'get', 200);
    assert.deepEqual(schemaProblems(response.body, schema, document), []);
    assert.notDeepEqual(
      schemaProblems({ ...response.body, status: 'PLAYING' }, schema, document),
      [],
      'the check can fail',
    );
  });

  it("listVideos' answer matches VideoPage", async () => {
    const response = await invoke(listVideos, {
      path: '/videos',
      routeKey: 'GET /videos',
      token: 'user-alice',
      query: { scope: 'public' },
    });

    assert.equal(response.status, 200);
    assert.ok(response.body.items.some((item: Json) => typeof item.posterUrl === 'string'));
    assert.deepEqual(schemaProblems(response.body, responseSchema('/videos', 'get', 200), document), []);
  });

  it("getVideo's 404 and 401 match the documented error bodies", async () => {
    const missing = await watch('v-none', 'user-alice');
    const unsigned = await watch('v-ready');

    assert.equal(missing.status, 404);
    assert.deepEqual(
      schemaProblems(missing.body, responseSchema('/videos/{videoId}', 'get', 404), document),
      [],
    );
    assert.equal(unsigned.status, 401);
    assert.deepEqual(
      schemaProblems(unsigned.body, responseSchema('/videos/{videoId}', 'get', 401), document),
      [],
    );
  });
});
