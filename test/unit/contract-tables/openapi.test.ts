import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildOpenApiDocument } from '#contract/openapi.ts';
import { routeKey, routes } from '#contract/routes.ts';

/** The operationIds the API contract fixes (DESIGN.md): clients and tests find operations by them. */
const CONTRACT = new Set([
  'getMe',
  'updatePreferences',
  'startStream',
  'endStream',
  'watchStream',
  'listStreams',
  'getStreamKey',
  'rotateStreamKey',
  'sendReaction',
  'postAnnouncement',
  'scheduleAdBreak',
  'createUpload',
  'listUploadParts',
  'completeUpload',
  'abortUpload',
  'listVideos',
  'getVideo',
  'deleteVideo',
  'createClip',
  'getClip',
  'recordView',
  'getRecommendations',
]);

/**
 * Operations Skycast adds to the contract, each for a reason; a new one is added here on purpose, so a
 * misspelt contract id (`getVideos`) cannot slip in as an "addition".
 */
const ADDITIONS = new Map([
  [
    'updateVideo',
    "the studio changes a video's title and visibility (public, unlisted, private) after upload",
  ],
]);

describe('the route table', () => {
  it('uses operationIds from the API contract or its listed additions, each once', () => {
    const ids = routes.map((route) => route.operation.operationId);

    assert.deepEqual(
      ids.filter((id) => !CONTRACT.has(id) && !ADDITIONS.has(id)),
      [],
    );
    for (const id of ADDITIONS.keys())
      assert.ok(ids.includes(id), `${id} is listed as an addition but has no route`);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('has one route per method and path', () => {
    const keys = routes.map(routeKey);

    assert.equal(new Set(keys).size, keys.length);
  });

  it('names path parameters that exist in the path', () => {
    for (const { operation } of routes) {
      const inPath = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
      const declared = Object.keys((operation.params as { shape?: object } | undefined)?.shape ?? {}).sort();
      assert.deepEqual(declared, inPath, operation.operationId);
    }
  });
});

describe('buildOpenApiDocument', () => {
  const document = buildOpenApiDocument({ serverUrl: 'https://api.example.com' });

  it('is OpenAPI 3.1 with the server it was given', () => {
    assert.equal(document.openapi, '3.1.0');
    assert.deepEqual(document.servers, [{ url: 'https://api.example.com' }]);
  });

  it('describes every route under its operationId, with bearer auth on user routes', () => {
    for (const { operation } of routes) {
      const described = document.paths[operation.path]?.[operation.method.toLowerCase()] as
        | { operationId: string; security: unknown[] }
        | undefined;
      assert.equal(described?.operationId, operation.operationId);
      assert.deepEqual(described?.security, operation.auth === 'user' ? [{ cognito: [] }] : []);
    }
  });

  it('documents the request body from the validating schema', () => {
    const patch = document.paths['/me/preferences']?.patch as {
      requestBody: { content: { 'application/json': { schema: { $ref: string } } } };
    };
    const named = patch.requestBody.content['application/json'].schema.$ref.split('/').pop() ?? '';
    const schema = document.components.schemas[named] as { properties: Record<string, unknown> };

    assert.deepEqual(Object.keys(schema.properties).sort(), ['categories', 'language', 'tags']);
  });

  it('documents error responses with the shared error shape', () => {
    const getVideo = document.paths['/videos/{videoId}']?.get as {
      responses: Record<string, { content?: unknown }>;
    };

    assert.deepEqual(getVideo.responses['404']?.content, {
      'application/json': { schema: { $ref: '#/components/schemas/Error' } },
    });
  });

  it("documents a 401 as our error shape or API Gateway's own body", () => {
    const getMe = document.paths['/me']?.get as { responses: Record<string, { content?: unknown }> };

    assert.deepEqual(getMe.responses['401']?.content, {
      'application/json': {
        schema: {
          oneOf: [
            { $ref: '#/components/schemas/Error' },
            { $ref: '#/components/schemas/GatewayUnauthorized' },
          ],
        },
      },
    });
  });
});
