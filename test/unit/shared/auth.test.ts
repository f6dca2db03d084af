import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { bearerToken, CognitoJwksFetcher, cognitoEndpointFromEnv } from '../../../lambdas/shared/auth.ts';
import { UnauthorizedError } from '../../../lambdas/shared/errors.ts';

describe('bearerToken', () => {
  it('reads the token from an Authorization header, any case of "Bearer"', () => {
    assert.equal(bearerToken({ authorization: 'Bearer abc.def.ghi' }), 'abc.def.ghi');
    assert.equal(bearerToken({ authorization: 'bearer abc.def.ghi' }), 'abc.def.ghi');
  });

  for (const [why, headers] of [
    ['no headers', undefined],
    ['no Authorization header', {}],
    ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['two tokens', { authorization: 'Bearer a b' }],
  ] as const) {
    it(`rejects ${why} with UnauthorizedError`, () => {
      assert.throws(() => bearerToken(headers), UnauthorizedError);
    });
  }
});

describe('cognitoEndpointFromEnv', () => {
  it('prefers the Cognito-specific endpoint, then the global one, else none', () => {
    assert.equal(
      cognitoEndpointFromEnv({
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://a',
        AWS_ENDPOINT_URL: 'http://b',
      }),
      'http://a',
    );
    assert.equal(cognitoEndpointFromEnv({ AWS_ENDPOINT_URL: 'http://b' }), 'http://b');
    assert.equal(cognitoEndpointFromEnv({}), undefined);
  });
});

describe('CognitoJwksFetcher', () => {
  const requested: string[] = [];
  const server = createServer((request, response) => {
    requested.push(request.url ?? '');
    if (request.url?.endsWith('/.well-known/jwks.json')) {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
    } else response.writeHead(404).end();
  });
  let endpoint = '';
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('fetches the pool JWKS from the configured endpoint, keeping the path', async () => {
    const fetcher = new CognitoJwksFetcher(endpoint);

    const body = await fetcher.fetch(
      'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc/.well-known/jwks.json',
    );

    assert.equal(new TextDecoder().decode(body), '{"keys":[]}');
    assert.equal(requested.at(-1), '/us-east-1_abc/.well-known/jwks.json');
  });

  it('fails loudly on an HTTP error instead of returning an empty key set', async () => {
    const fetcher = new CognitoJwksFetcher(endpoint);

    await assert.rejects(fetcher.fetch('https://cognito-idp.us-east-1.amazonaws.com/missing'), /HTTP 404/);
  });
});
