/**
 * Every way we know to get past token verification, each of which must end in 401 and nothing else.
 * Tokens that should fail only on a claim are signed with the emulator's real private key, so that the
 * claim check — not a bad signature — is what stops them.
 */
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { GlobalSignOutCommand } from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt, importJWK, type JWTPayload, SignJWT } from 'jose';
import { VENV } from '../../scripts/python-env.ts';
import { createSignedInUser, type SignedInUser } from '../support/accounts.ts';
import { startTestEmulator, type TestEmulator } from '../support/emulator.ts';
import { type Handler, invoke } from '../support/lambda.ts';
import { completeRsaPrivateJwk } from '../support/rsa-jwk.ts';

/** The emulator's signing key: moto ships it with its Cognito implementation. */
function emulatorPrivateJwk() {
  const lib = join(VENV, 'lib');
  const python = readdirSync(lib).find((name) => name.startsWith('python'));
  const file = join(lib, python ?? '', 'site-packages/moto/cognitoidp/resources/jwks-private.json.gz');
  return completeRsaPrivateJwk(JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')));
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const unsigned = (header: object, payload: object) =>
  `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;

describe('JWT attack suite: each attempt gets 401', () => {
  let emulator: TestEmulator;
  let getMe: Handler;
  let updatePreferences: Handler;
  let user: SignedInUser;
  let claims: JWTPayload;
  let signWithEmulatorKey: (payload: JWTPayload) => Promise<string>;
  let emulatorPublicPem: string;

  before(async () => {
    emulator = await startTestEmulator();
    getMe = (await import('../../lambdas/accounts/get-me.ts')).handler;
    updatePreferences = (await import('../../lambdas/accounts/update-preferences.ts')).handler;
    user = await createSignedInUser(emulator.cognito, {
      userPoolId: emulator.resources.userPoolId,
      clientId: emulator.resources.userPoolClientId,
    });
    claims = decodeJwt(user.accessToken);
    const jwk = emulatorPrivateJwk();
    const key = await importJWK(jwk, 'RS256');
    signWithEmulatorKey = (payload) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' }).sign(key);
    emulatorPublicPem = createPublicKey({ key: jwk, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
  });
  after(() => emulator.stop());

  const now = () => Math.floor(Date.now() / 1000);

  async function expect401(token: string | undefined, handler = getMe) {
    const response = await invoke(handler, { token, method: 'GET', path: '/me' });
    assert.equal(response.status, 401, JSON.stringify(response.body));
    assert.equal(response.body.code, 'UNAUTHORIZED');
  }

  it('accepts the genuine token (so every 401 below is earned)', async () => {
    assert.equal((await invoke(getMe, { token: user.accessToken })).status, 200);
    assert.equal((await invoke(getMe, { token: await signWithEmulatorKey(claims) })).status, 200);
  });

  it('no token', () => expect401(undefined));

  it('alg "none" with no signature', () =>
    expect401(`${unsigned({ alg: 'none', typ: 'JWT', kid: 'dummy' }, claims)}.`));

  it('HS256 signed with the public key as the HMAC secret', async () => {
    const secret = new TextEncoder().encode(emulatorPublicPem);
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'dummy' }).sign(secret);
    await expect401(forged);
  });

  it('tampered payload under the original signature', async () => {
    const [header, , signature] = user.accessToken.split('.');
    const payload = b64url(JSON.stringify({ ...claims, sub: '00000000-0000-4000-8000-000000000000' }));
    await expect401(`${header}.${payload}.${signature}`);
  });

  it('a key id the user pool does not publish', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'attacker-key' })
      .sign(privateKey);
    await expect401(forged);
  });

  it('expired', async () =>
    expect401(await signWithEmulatorKey({ ...claims, iat: now() - 7200, exp: now() - 3600 })));

  it('not valid before a time in the future', async () =>
    expect401(await signWithEmulatorKey({ ...claims, nbf: now() + 3600 })));

  it('issued by another user pool', async () =>
    expect401(
      await signWithEmulatorKey({
        ...claims,
        iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_SomeoneElse',
      }),
    ));

  it('issued to another app client', async () =>
    expect401(await signWithEmulatorKey({ ...claims, client_id: 'another-app-client' })));

  it('an ID token where an access token is required', () => expect401(user.idToken));

  it('no token_use claim', async () => {
    const { token_use: _dropped, ...rest } = claims;
    await expect401(await signWithEmulatorKey(rest));
  });

  it('no expiry at all', async () => {
    const { exp: _dropped, ...rest } = claims;
    await expect401(await signWithEmulatorKey(rest));
  });

  for (const [why, token] of [
    ['not a JWT at all', 'not-a-token'],
    ['three segments of garbage', 'a.b.c'],
    ['a header that is not JSON', `${b64url('{"alg":"RS256",')}.${b64url('{}')}.${b64url('sig')}`],
  ] as const) {
    it(`malformed: ${why}`, () => expect401(token));
  }

  it('a token used after sign-out, on a route that checks revocation', async () => {
    const other = await createSignedInUser(emulator.cognito, {
      userPoolId: emulator.resources.userPoolId,
      clientId: emulator.resources.userPoolClientId,
    });
    const patch = { method: 'PATCH', path: '/me/preferences', body: { language: 'fr' } } as const;
    assert.equal((await invoke(updatePreferences, { ...patch, token: other.accessToken })).status, 200);

    await emulator.cognito.send(new GlobalSignOutCommand({ AccessToken: other.accessToken }));

    const response = await invoke(updatePreferences, { ...patch, token: other.accessToken });
    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'UNAUTHORIZED');
  });
});
