/**
 * The API's JWT authorizer, as API Gateway's works: tokens it must refuse get its own
 * `401 {"message":"Unauthorized"}` (the handler never runs), tokens it must pass reach the handler.
 * Tokens that should fail on one claim only are signed with the emulator's real key, so that the claim, not
 * the signature, is what stops them.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { decodeJwt, importJWK, type JWTPayload, SignJWT } from 'jose';
import { type RunningPlatform, startPlatform } from '../../local/platform.ts';
import { VENV } from '../../scripts/python-env.ts';
import { completeRsaPrivateJwk } from '../support/rsa-jwk.ts';
import { callApi, fetchJson, newSignedInUser, type SignedInUser, type WebConfig } from './support/client.ts';

/** The emulator's signing key: moto ships it with its Cognito implementation. */
function emulatorPrivateJwk() {
  const lib = join(VENV, 'lib');
  const python = readdirSync(lib).find((name) => name.startsWith('python'));
  const file = join(lib, python ?? '', 'site-packages/moto/cognitoidp/resources/jwks-private.json.gz');
  return completeRsaPrivateJwk(JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')));
}

const now = () => Math.floor(Date.now() / 1000);

describe('the JWT authorizer on auth: user routes', () => {
  let platform: RunningPlatform;
  let config: WebConfig;
  let user: SignedInUser;
  let claims: JWTPayload;
  let sign: (payload: JWTPayload) => Promise<string>;

  before(async () => {
    platform = await startPlatform({ port: 0, rtmpPort: 0, quiet: true });
    config = (await fetchJson(`${platform.url}/config.json`)).body;
    user = await newSignedInUser(platform.url, config);
    claims = decodeJwt(user.tokens.AccessToken);
    const jwk = emulatorPrivateJwk();
    const key = await importJWK(jwk, 'RS256');
    sign = (payload) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' }).sign(key);
  });
  after(() => platform?.stop());

  const getMe = (authorization: string) => callApi(config, 'GET', '/me', { authorization });

  async function refusedByAuthorizer(authorization: string) {
    const { status, body } = await getMe(authorization);
    assert.equal(status, 401);
    assert.deepEqual(body, { message: 'Unauthorized' });
  }

  it('passes the genuine access token, and the same claims signed with the same key (so each 401 below is earned)', async () => {
    assert.equal((await getMe(`Bearer ${user.tokens.AccessToken}`)).status, 200);
    assert.equal((await getMe(`Bearer ${await sign(claims)}`)).status, 200);
  });

  it('takes the token with or without the "Bearer " prefix, as API Gateway does', async () => {
    // Without the prefix the authorizer passes it; the handler then insists on the Bearer scheme.
    const { status, body } = await getMe(user.tokens.AccessToken);

    assert.equal(status, 401);
    assert.equal(body.code, 'UNAUTHORIZED');
  });

  it('refuses an Authorization header that is empty or only a scheme', async () => {
    await refusedByAuthorizer('');
    await refusedByAuthorizer('Bearer ');
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = user.tokens.AccessToken.split('.');
    const payload = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url');

    await refusedByAuthorizer(`Bearer ${header}.${payload}.${signature}`);
  });

  it('refuses an expired token', async () => {
    await refusedByAuthorizer(`Bearer ${await sign({ ...claims, iat: now() - 7200, exp: now() - 3600 })}`);
  });

  it('refuses a token that is not valid yet (nbf) or issued in the future (iat)', async () => {
    await refusedByAuthorizer(`Bearer ${await sign({ ...claims, nbf: now() + 3600 })}`);
    await refusedByAuthorizer(`Bearer ${await sign({ ...claims, iat: now() + 3600, exp: now() + 7200 })}`);
  });

  it('refuses a token without exp', async () => {
    const { exp: _exp, ...withoutExp } = claims;

    await refusedByAuthorizer(`Bearer ${await sign(withoutExp)}`);
  });

  it('refuses a token from another issuer', async () => {
    const issuer = `https://cognito-idp.${config.region}.amazonaws.com/${config.region}_SomeOtherPool`;

    await refusedByAuthorizer(`Bearer ${await sign({ ...claims, iss: issuer })}`);
  });

  it('refuses a token for another client, in client_id or in aud', async () => {
    await refusedByAuthorizer(`Bearer ${await sign({ ...claims, client_id: 'another-client' })}`);
    const { client_id: _clientId, ...withoutClientId } = claims;
    await refusedByAuthorizer(`Bearer ${await sign({ ...withoutClientId, aud: 'another-client' })}`);
  });

  it('judges aud, not client_id, when a token has both', async () => {
    await refusedByAuthorizer(`Bearer ${await sign({ ...claims, aud: 'another-client' })}`);
    const passed = await getMe(
      `Bearer ${await sign({ ...claims, client_id: 'another', aud: config.userPoolClientId })}`,
    );
    // Past the authorizer; the handler's own check (client_id) refuses it with a code.
    assert.equal(passed.status, 401);
    assert.equal(passed.body.code, 'UNAUTHORIZED');
  });
});
