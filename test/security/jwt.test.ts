/**
 * Forged and mangled JWTs against the local platform's real HTTP API: each is refused with 401, and the test
 * says which layer refuses it — the gateway's JWT authorizer (`{"message":"Unauthorized"}`, no handler runs)
 * or the handler's own verification (`code: UNAUTHORIZED`), for what API Gateway's authorizer lets through
 * (an ID token: its `aud` is the app client). Handler-level verification alone is
 * test/integration/jwt-attacks.test.ts; the authorizer's claim rules one by one, test/e2e/jwt-authorizer.test.ts.
 */
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { decodeJwt, importJWK, type JWTPayload, SignJWT } from 'jose';
import { type RunningPlatform, startPlatform } from '../../local/platform.ts';
import { VENV } from '../../scripts/python-env.ts';
import {
  callApi,
  fetchJson,
  newSignedInUser,
  type SignedInUser,
  type WebConfig,
} from '../e2e/support/client.ts';
import { completeRsaPrivateJwk } from '../support/rsa-jwk.ts';

/** The emulator's signing key: moto ships it with its Cognito implementation. */
function emulatorPrivateJwk() {
  const lib = join(VENV, 'lib');
  const python = readdirSync(lib).find((name) => name.startsWith('python'));
  const file = join(lib, python ?? '', 'site-packages/moto/cognitoidp/resources/jwks-private.json.gz');
  return completeRsaPrivateJwk(JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')));
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** Routes a token is tried on: a read, a change, and one that hands out playback credentials. */
const PROBES = [
  { method: 'GET', path: '/me' },
  { method: 'PATCH', path: '/me/preferences', body: { language: 'fr' } },
  { method: 'GET', path: '/videos?scope=public' },
] as const;

describe('forged and mangled JWTs on the local platform', () => {
  let platform: RunningPlatform;
  let config: WebConfig;
  let user: SignedInUser;
  let claims: JWTPayload;
  let jwk: ReturnType<typeof emulatorPrivateJwk>;
  let sign: (payload: JWTPayload, header?: Record<string, unknown>) => Promise<string>;

  before(async () => {
    platform = await startPlatform({ port: 0, rtmpPort: 0, quiet: true });
    config = (await fetchJson(`${platform.url}/config.json`)).body;
    user = await newSignedInUser(platform.url, config);
    claims = decodeJwt(user.tokens.AccessToken);
    jwk = emulatorPrivateJwk();
    const key = await importJWK(jwk, 'RS256');
    sign = (payload, header = {}) =>
      new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT', ...header })
        .sign(key);
  });
  after(() => platform?.stop());

  /** Which layer refused the token on every probe route: `authorizer`, `handler`, or what else happened. */
  async function refusedBy(token: string): Promise<string> {
    const verdicts = new Set<string>();
    for (const probe of PROBES) {
      const answer = await callApi(config, probe.method, probe.path, {
        authorization: `Bearer ${token}`,
        ...('body' in probe ? { body: probe.body } : {}),
      });
      if (answer.status === 401 && JSON.stringify(answer.body) === '{"message":"Unauthorized"}')
        verdicts.add('authorizer');
      else if (answer.status === 401 && answer.body?.code === 'UNAUTHORIZED') verdicts.add('handler');
      else verdicts.add(`${probe.method} ${probe.path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return [...verdicts].join(' | ');
  }

  it('passes the genuine token and the same claims re-signed with the same key, so each refusal is earned', async () => {
    for (const token of [user.tokens.AccessToken, await sign(claims)]) {
      const answer = await callApi(config, 'GET', '/me', { token });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
    }
  });

  const forgeries: [string, () => Promise<string>, 'authorizer' | 'handler'][] = [
    [
      'alg "none" and no signature',
      async () => `${b64url('{"alg":"none","typ":"JWT"}')}.${b64url(JSON.stringify(claims))}.`,
      'authorizer',
    ],
    [
      'HS256 with the public key as the HMAC secret',
      async () => {
        const pem = createPublicKey({ key: jwk, format: 'jwk' })
          .export({ type: 'spki', format: 'pem' })
          .toString();
        return new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256', kid: jwk.kid })
          .sign(new TextEncoder().encode(pem));
      },
      'authorizer',
    ],
    [
      'another issuer',
      () =>
        sign({
          ...claims,
          iss: `https://cognito-idp.${config.region}.amazonaws.com/${config.region}_Elsewhere`,
        }),
      'authorizer',
    ],
    ['another audience', () => sign({ ...claims, aud: 'another-app-client' }), 'authorizer'],
    ['another client id', () => sign({ ...claims, client_id: 'another-app-client' }), 'authorizer'],
    ['expired an hour ago', () => sign({ ...claims, iat: now() - 7200, exp: now() - 3600 }), 'authorizer'],
    ['not valid for another hour', () => sign({ ...claims, nbf: now() + 3600 }), 'authorizer'],
    ['the ID token instead of the access token', async () => user.tokens.IdToken, 'handler'],
    [
      'a payload changed under the original signature',
      async () => {
        const [header, , signature] = user.tokens.AccessToken.split('.');
        return `${header}.${b64url(JSON.stringify({ ...claims, sub: '00000000-0000-4000-8000-000000000000' }))}.${signature}`;
      },
      'authorizer',
    ],
    [
      'the kid of the pool signing with another key',
      async () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwk.kid }).sign(privateKey);
      },
      'authorizer',
    ],
    [
      'a kid the pool does not publish',
      async () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'attacker-key' }).sign(privateKey);
      },
      'authorizer',
    ],
  ];
  for (const [what, forge, layer] of forgeries) {
    it(`refuses ${what}: 401 from the ${layer}`, async () => {
      assert.equal(await refusedBy(await forge()), layer);
    });
  }

  it('refuses an oversized token before anything reads it: 431 or 401, never a 5xx', async () => {
    const padded = await sign({ ...claims, padding: 'x'.repeat(64 * 1024) });

    for (const probe of PROBES) {
      const answer = await fetch(`${config.apiUrl}${probe.path}`, {
        method: probe.method,
        headers: { authorization: `Bearer ${padded}` },
      }).catch((error: Error) => ({ status: `no answer: ${error.message}` }));
      assert.ok([401, 431].includes(answer.status as number), `${probe.path}: ${answer.status}`);
    }
  });
});
