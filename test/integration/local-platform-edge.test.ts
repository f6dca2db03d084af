/**
 * The local platform's own surface, through its one origin: every socket it and its children listen on is on
 * loopback; the API throttles like API Gateway; CORS answers fixed lists to allowed origins only; the web app
 * comes with its Content-Security-Policy; and sign-in is locked after wrong passwords, as in Cognito.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { apiCors, DEFAULT_ROUTE_THROTTLE } from '#contract/api-edge.ts';
import { contentSecurityPolicy } from '#contract/content-security.ts';
import { type RunningPlatform, startPlatform } from '../../local/platform.ts';
import { emulatorClientConfig } from '../../local/provision.ts';
import { buildWeb, WEB_DIST } from '../../scripts/web-build.ts';
import { createSignedInUser } from '../support/accounts.ts';
import { isLoopback, listeningSockets, processTree } from '../support/listening-sockets.ts';

describe('the local platform at its edge', () => {
  let platform: RunningPlatform;
  const portOf = (url: string) => Number(new URL(url).port);

  before(async () => {
    if (!existsSync(join(WEB_DIST, 'index.html'))) buildWeb();
    platform = await startPlatform({ port: 0, rtmpPort: 0, quiet: true });
  });
  after(() => platform?.stop());

  it('listens on loopback only: the origin, RTMP, moto and the emulators', {
    skip: process.platform !== 'linux' && 'reads /proc',
  }, () => {
    const sockets = listeningSockets(processTree(process.pid));
    const ports = new Set(sockets.map((socket) => socket.port));

    for (const url of [
      platform.url,
      platform.motoEndpoint,
      platform.mediaConvertEndpoint,
      platform.ivs.endpoint,
    ]) {
      assert.ok(ports.has(portOf(url)), `nothing found listening for ${url}`);
    }
    assert.ok(ports.has(platform.ivs.rtmpPort), 'the RTMP ingest');
    if (platform.iam) assert.ok(ports.has(portOf(platform.iam.endpoint)), 'the IAM gateway');
    const exposed = sockets.filter((socket) => !isLoopback(socket.address));
    assert.deepEqual(exposed, [], 'sockets reachable from other machines');
  });

  describe('API throttling', () => {
    it('answers 429 {"message":"Too Many Requests"} to most of 300 requests at once on one route', async () => {
      const answers = await Promise.all(
        Array.from({ length: 300 }, async () => {
          const response = await fetch(`${platform.config.apiUrl}/me`);
          return { status: response.status, body: await response.json() };
        }),
      );

      const refused = answers.filter((answer) => answer.status === 429);
      assert.ok(refused.length >= 150, `${refused.length} of 300 refused`);
      assert.deepEqual(refused[0]?.body, { message: 'Too Many Requests' });
      const through = answers.filter((answer) => answer.status !== 429);
      assert.ok(through.every((answer) => answer.status === 401));
      assert.ok(through.length >= DEFAULT_ROUTE_THROTTLE.burstLimit / 2);
    });
  });

  describe('CORS', () => {
    const preflight = (path: string, origin: string, headers: string) =>
      fetch(`${platform.url}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': headers,
        },
      });

    it('answers a preflight with the fixed header list, never echoing what was asked', async () => {
      const response = await preflight(
        '/api/uploads',
        'http://localhost:5173',
        'authorization, x-evil-header',
      );

      assert.equal(response.status, 204);
      assert.equal(response.headers.get('access-control-allow-origin'), 'http://localhost:5173');
      assert.equal(response.headers.get('access-control-allow-headers'), apiCors.allowHeaders.join(', '));
      assert.doesNotMatch(response.headers.get('access-control-allow-headers') ?? '', /x-evil/);
    });

    it('gives an origin it does not know no CORS headers, on preflights and answers alike', async () => {
      const response = await preflight('/api/uploads', 'https://evil.example', 'authorization');
      const answer = await fetch(`${platform.config.apiUrl}/me`, {
        headers: { origin: 'https://evil.example' },
      });
      const cognito = await preflight('/cognito/', 'https://evil.example', 'x-amz-target');

      for (const headers of [response.headers, answer.headers, cognito.headers]) {
        assert.equal(headers.get('access-control-allow-origin'), null);
        assert.equal(headers.get('access-control-allow-headers'), null);
      }
    });

    it("lets the web app's pages on localhost call the Cognito endpoint with its own headers", async () => {
      const origin = `http://localhost:${portOf(platform.url)}`;
      const response = await preflight('/cognito/', origin, 'content-type, x-amz-target');

      assert.equal(response.headers.get('access-control-allow-origin'), origin);
      assert.match(response.headers.get('access-control-allow-headers') ?? '', /x-amz-target/);
    });
  });

  it("serves the web app's pages with the contract's Content-Security-Policy", async () => {
    const expected = contentSecurityPolicy({
      connect: [new URL(platform.config.apiUrl).origin, new URL(platform.config.cognitoEndpoint).origin],
      media: [new URL(platform.config.mediaUrl).origin],
      uploads: [new URL(platform.iam?.endpoint ?? platform.motoEndpoint).origin],
    });
    for (const path of ['/', '/studio']) {
      const response = await fetch(`${platform.url}${path}`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-security-policy'), expected);
      assert.equal(response.headers.get('x-frame-options'), 'DENY');
    }
    assert.doesNotMatch(expected, /'unsafe-inline'|'unsafe-eval'/);
  });

  it('locks sign-in after wrong passwords, with "Password attempts exceeded"', async () => {
    const cognito = new CognitoIdentityProviderClient(
      emulatorClientConfig({ endpoint: platform.motoEndpoint, region: platform.config.region }),
    );
    const user = await createSignedInUser(cognito, {
      userPoolId: platform.config.userPoolId,
      clientId: platform.config.userPoolClientId,
    });
    cognito.destroy();
    const signIn = async () => {
      const response = await fetch(platform.config.cognitoEndpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
        },
        body: JSON.stringify({
          ClientId: platform.config.userPoolClientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: user.email, PASSWORD: 'Wrong-password-1!' },
        }),
      });
      return (await response.json()) as { __type?: string; message?: string };
    };

    const answers = [];
    // Five failures are free; from then on each one locks for longer (1 s, 2 s, 4 s, …), so however slow
    // the machine, an attempt lands in a lockout within a few more.
    for (let i = 0; i < 12; i += 1) {
      const answer = await signIn();
      answers.push(answer);
      if (answer.message === 'Password attempts exceeded') break;
    }

    assert.ok(answers.slice(0, 5).every((answer) => answer.__type?.endsWith('NotAuthorizedException')));
    assert.ok(answers.slice(0, 5).every((answer) => answer.message !== 'Password attempts exceeded'));
    assert.equal(answers.at(-1)?.message, 'Password attempts exceeded');
  });
});
