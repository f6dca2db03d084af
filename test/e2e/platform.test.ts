/**
 * The local platform's one origin, as a browser or script finds it: /config.json, /openapi.json, the web
 * app and the API's answers for routes it does not have.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningPlatform, startPlatform } from '../../local/platform.ts';
import { ensureWebBuild } from '../../scripts/web-build.ts';
import { callApi, fetchJson, rawGet, type WebConfig } from './support/client.ts';

describe('the local platform', () => {
  let platform: RunningPlatform;
  let origin: string;
  let config: WebConfig;

  before(async () => {
    ensureWebBuild();
    platform = await startPlatform({ port: 0, rtmpPort: 0, quiet: true });
    origin = platform.url;
    const { status, body } = await fetchJson(`${origin}/config.json`);
    assert.equal(status, 200);
    config = body;
  });
  after(() => platform?.stop());

  it('listens on 127.0.0.1 on the free port it was given', () => {
    assert.match(origin, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(new URL(origin).port, '0');
  });

  describe('/config.json', () => {
    it('names the region, the API, the user pool and its client, the media and the Cognito endpoint', () => {
      for (const key of [
        'region',
        'apiUrl',
        'userPoolId',
        'userPoolClientId',
        'mediaUrl',
        'cognitoEndpoint',
      ]) {
        assert.equal(typeof config[key as keyof WebConfig], 'string', key);
        assert.notEqual(config[key as keyof WebConfig], '', key);
      }
      assert.match(config.userPoolId, new RegExp(`^${config.region}_`));
    });

    it('points the API, the media and Cognito at the same origin', () => {
      for (const url of [config.apiUrl, config.mediaUrl, config.cognitoEndpoint]) {
        assert.equal(new URL(url).origin, origin, url);
      }
      assert.ok(!config.apiUrl.endsWith('/'), 'apiUrl has no trailing slash');
    });
  });

  describe('/openapi.json', () => {
    it('is an OpenAPI 3.1 document with getMe and updatePreferences, served at apiUrl', async () => {
      const { status, headers, body } = await fetchJson(`${origin}/openapi.json`);

      assert.equal(status, 200);
      assert.match(headers.get('content-type') ?? '', /^application\/json/);
      assert.match(body.openapi, /^3\.1\./);
      assert.deepEqual(body.servers, [{ url: config.apiUrl }]);
      const operationIds = Object.values(
        body.paths as Record<string, Record<string, { operationId: string }>>,
      )
        .flatMap((methods) => Object.values(methods))
        .map((operation) => operation.operationId);
      assert.ok(operationIds.includes('getMe'), operationIds.join());
      assert.ok(operationIds.includes('updatePreferences'), operationIds.join());
    });
  });

  describe('the web app', () => {
    it('serves the built index.html at / with its script and styles and their content types', async () => {
      const index = await fetch(`${origin}/`);
      const html = await index.text();
      assert.equal(index.status, 200);
      assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
      const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"><\/script>/.exec(
        html,
      )?.[1];
      const styles = /<link rel="stylesheet" crossorigin href="(\/assets\/[^"]+\.css)">/.exec(html)?.[1];
      assert.ok(script, `no module script in ${html}`);
      assert.ok(styles, `no stylesheet in ${html}`);

      const scriptResponse = await fetch(`${origin}${script}`);
      assert.equal(scriptResponse.status, 200);
      assert.match(scriptResponse.headers.get('content-type') ?? '', /^text\/javascript/);
      assert.match(await scriptResponse.text(), /\/config\.json/);

      const stylesResponse = await fetch(`${origin}${styles}`);
      assert.equal(stylesResponse.status, 200);
      assert.match(stylesResponse.headers.get('content-type') ?? '', /^text\/css/);
    });

    it("answers the app's own routes with index.html, which routes them", async () => {
      const index = await (await fetch(`${origin}/`)).text();
      for (const route of ['/studio', '/watch/video/abc', '/watch/live/xyz', '/signin']) {
        const response = await fetch(`${origin}${route}`);
        assert.equal(response.status, 200, route);
        assert.match(response.headers.get('content-type') ?? '', /^text\/html/, route);
        assert.equal(await response.text(), index, route);
      }
    });

    it('leaves the API, media and outbox paths to their own servers', async () => {
      assert.equal((await callApi(config, 'GET', '/no/such/route')).body.code, 'NOT_FOUND');
      // The media server answers (403: no playback cookies), not the app's index.html.
      const media = await fetch(`${config.mediaUrl}/videos/none/index.m3u8`);
      assert.ok([403, 404].includes(media.status), String(media.status));
      assert.doesNotMatch(media.headers.get('content-type') ?? '', /html/);
    });

    it('answers 404 for a file that is not there', async () => {
      assert.equal((await fetch(`${origin}/nothing-here.js`)).status, 404);
      assert.equal((await fetch(`${origin}/assets/nothing-here.js`)).status, 404);
    });

    it('never serves a file from outside web/dist', async () => {
      for (const target of [
        '/../package.json',
        '/%2e%2e/package.json',
        '/..%2fpackage.json',
        '/%2e%2e%2f%2e%2e%2fpackage.json',
        '/..\\package.json',
        '/index.html%00.js',
      ]) {
        const { status, body } = await rawGet(origin, target);
        assert.equal(status, 404, target);
        assert.doesNotMatch(body, /"name": "skycast"/, target);
      }
    });
  });

  describe('the API', () => {
    it('answers 404 with a code for a route it does not have', async () => {
      const { status, body } = await callApi(config, 'GET', '/no/such/route');

      assert.equal(status, 404);
      assert.equal(body.code, 'NOT_FOUND');
      assert.equal(typeof body.message, 'string');
    });

    it('answers 405 with the allowed methods for a known path and the wrong method', async () => {
      const { status, headers, body } = await callApi(config, 'DELETE', '/me');

      assert.equal(status, 405);
      assert.equal(headers.get('allow'), 'GET');
      assert.equal(body.code, 'METHOD_NOT_ALLOWED');
    });

    it('answers a CORS preflight from another origin without asking for a token', async () => {
      const response = await fetch(`${config.apiUrl}/me/preferences`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:5173',
          'access-control-request-method': 'PATCH',
          'access-control-request-headers': 'authorization, content-type',
        },
      });

      assert.equal(response.status, 204);
      // The dev server's origin is one the local API allows; it is echoed, not answered with '*'.
      assert.equal(response.headers.get('access-control-allow-origin'), 'http://localhost:5173');
      assert.match(response.headers.get('access-control-allow-methods') ?? '', /PATCH/);
      assert.match(response.headers.get('access-control-allow-headers') ?? '', /authorization/);
    });
  });
});
