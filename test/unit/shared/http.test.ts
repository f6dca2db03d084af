import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { z } from 'zod';
import { defineOperation } from '#contract/operation.ts';
import type { AccessTokenVerifier, AuthenticatedUser } from '../../../lambdas/shared/auth.ts';
import { NotFoundError, UnauthorizedError } from '../../../lambdas/shared/errors.ts';
import { type HttpDeps, httpHandler } from '../../../lambdas/shared/http.ts';
import { invoke } from '../../support/lambda.ts';

const GOOD_TOKEN = 'header.payload.signature-of-a-good-token';
const REVOKED_TOKEN = 'header.payload.signature-of-a-revoked-token';
const user: AuthenticatedUser = { sub: 'u-1', username: 'u-1', clientId: 'web', scopes: [], groups: [] };

/** Accepts exactly one token; the real verifier has its own tests against real keys. */
const verifier: AccessTokenVerifier = {
  async verify(token) {
    if (token === GOOD_TOKEN || token === REVOKED_TOKEN) return user;
    throw new UnauthorizedError('The access token is not valid.');
  },
};
const revocationChecks: string[] = [];
const deps: HttpDeps = {
  verifier,
  revocation: {
    async assertActive(token) {
      revocationChecks.push(token);
      if (token === REVOKED_TOKEN)
        throw new UnauthorizedError('The access token has been revoked. Sign in again.');
    },
  },
};

const echo = defineOperation({
  operationId: 'echo',
  method: 'POST',
  path: '/echo/{id}',
  tag: 'test',
  summary: 'Echo',
  auth: 'user',
  checkRevocation: true,
  params: z.object({ id: z.string().regex(/^[a-z]+$/) }),
  query: z.object({ repeat: z.coerce.number().int().min(1).max(3).default(1) }),
  body: z.object({ word: z.string().min(1) }).strict(),
  response: z.object({ words: z.array(z.string()), id: z.string(), caller: z.string() }),
  successStatus: 201,
  errors: [400, 401, 404],
});

const handler = httpHandler(echo, deps, async ({ body, params, query, user: caller }) => {
  if (body.word === 'missing') throw new NotFoundError('No such word.');
  if (body.word === 'boom') throw new Error('database password is hunter2');
  return { words: Array(query.repeat).fill(body.word), id: params.id, caller: caller.sub };
});

const request = (overrides: Parameters<typeof invoke>[1] = {}) =>
  invoke(handler, {
    method: 'POST',
    path: '/echo/abc',
    routeKey: 'POST /echo/{id}',
    token: GOOD_TOKEN,
    pathParameters: { id: 'abc' },
    query: { repeat: '2' },
    body: { word: 'hi' },
    ...overrides,
  });

describe('httpHandler', () => {
  let logged = '';
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  beforeEach(() => {
    logged = '';
    revocationChecks.length = 0;
    for (const stream of streams) {
      stream.write = ((chunk: string | Uint8Array) => {
        logged += chunk.toString();
        return true;
      }) as typeof stream.write;
    }
  });
  afterEach(() => {
    streams.forEach((stream, i) => {
      stream.write = writes[i] as typeof stream.write;
    });
  });

  it('hands the use case a validated body, params, query and caller, and answers with the success status', async () => {
    const response = await request();

    assert.equal(response.status, 201);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    assert.deepEqual(response.body, { words: ['hi', 'hi'], id: 'abc', caller: 'u-1' });
  });

  it('applies schema defaults', async () => {
    const response = await request({ query: {} });

    assert.deepEqual(response.body.words, ['hi']);
  });

  it('answers 401 with a code when there is no token, before validating anything', async () => {
    const response = await request({ token: undefined, body: 'not json' });

    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'UNAUTHORIZED');
    assert.ok(response.body.requestId);
  });

  it('checks revocation on routes that ask for it', async () => {
    const response = await request({ token: REVOKED_TOKEN });

    assert.equal(response.status, 401);
    assert.match(response.body.message, /revoked/);
    assert.deepEqual(revocationChecks, [REVOKED_TOKEN]);
  });

  it('rejects a body that is not JSON with 400 MALFORMED_JSON', async () => {
    const response = await request({ body: '{"word": ' });

    assert.equal(response.status, 400);
    assert.equal(response.body.code, 'MALFORMED_JSON');
  });

  it('rejects a body sent as another media type with 415', async () => {
    const response = await request({
      body: 'word=hi',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    assert.equal(response.status, 415);
    assert.equal(response.body.code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('names every invalid field in a 400 VALIDATION_FAILED', async () => {
    const response = await request({
      body: { word: '', extra: 1 },
      query: { repeat: '9' },
      pathParameters: { id: 'A1' },
    });

    assert.equal(response.status, 400);
    assert.equal(response.body.code, 'VALIDATION_FAILED');
    const paths = response.body.details.issues.map((issue: { path: string }) => issue.path).sort();
    assert.deepEqual(paths, ['body', 'body.word', 'path.id', 'query.repeat']);
  });

  it('gives each issue a code naming the rule it broke', async () => {
    const response = await request({ body: { word: '', extra: 1 }, query: { repeat: '1e-320' } });

    const codes = Object.fromEntries(
      response.body.details.issues.map((issue: { path: string; code: string }) => [issue.path, issue.code]),
    );
    assert.deepEqual(codes, {
      body: 'UNRECOGNIZED_KEYS',
      'body.word': 'TOO_SMALL',
      'query.repeat': 'INVALID_TYPE',
    });
  });

  it('rejects a missing body when one is required', async () => {
    const response = await request({ body: undefined });

    assert.equal(response.status, 400);
    assert.equal(response.body.code, 'VALIDATION_FAILED');
  });

  it('maps typed domain errors to their status and code', async () => {
    const response = await request({ body: { word: 'missing' } });

    assert.equal(response.status, 404);
    assert.deepEqual(
      { code: response.body.code, message: response.body.message },
      { code: 'NOT_FOUND', message: 'No such word.' },
    );
  });

  it('turns an unexpected error into a generic 500 whose detail goes only to the log', async () => {
    const response = await request({ body: { word: 'boom' } });

    assert.equal(response.status, 500);
    assert.equal(response.body.code, 'INTERNAL_ERROR');
    assert.doesNotMatch(JSON.stringify(response.body), /hunter2/);
    assert.match(logged, /hunter2/);
  });

  it('never writes the access token to the log', async () => {
    await request();
    await request({ token: REVOKED_TOKEN });
    await request({ body: { word: 'boom' } });

    assert.ok(logged.length > 0, 'the handler logs its requests');
    assert.doesNotMatch(logged, /signature-of-a/);
  });
});
