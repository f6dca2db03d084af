/**
 * Media path and cookie tricks against the local media server (CloudFront's stand-in), with cookies signed
 * as getVideo signs them: for one video's prefix, by the trusted key. Each trick is tried with real cookies
 * for video A on video B's media (another owner's prefix), and must never answer B's bytes.
 * The conformance of paths, ranges and signatures in general is test/integration/media-server.test.ts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type IncomingHttpHeaders, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { cookieHeader, signObjectUrl, signPlayback } from '../../lambdas/delivery/playback.ts';
import { emulatorClientConfig } from '../../local/emulator-clients.ts';
import { type RunningMediaServer, startMediaServer } from '../../local/media-server/index.ts';
import { startTestEmulator, type TestEmulator } from '../support/emulator.ts';
import { testPlaybackKeys } from '../support/playback.ts';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const A = 'videos/a1b2c3';
const B = 'videos/d4e5f6';
/** A video whose id starts with A's: a cookie for A's prefix must not reach it. */
const A_LONGER = 'videos/a1b2c3x';
const secretOfB = randomBytes(4096);
const { key, trusted } = testPlaybackKeys();

/** One request with the target sent exactly as given: no normalisation of dot segments or encodings. */
function send(
  base: string,
  target: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolveAnswer, reject) => {
    const req = request({ host: hostname, port, path: target, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolveAnswer({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe("media tricks: A's playback cookies never open B's media", () => {
  let aws: TestEmulator;
  let s3: S3Client;
  let media: RunningMediaServer;
  let mount: string;
  let cookiesOfA: string;

  before(async () => {
    aws = await startTestEmulator();
    s3 = new S3Client({
      ...emulatorClientConfig({ endpoint: aws.endpoint, region: aws.resources.region }),
      forcePathStyle: true,
    });
    const put = (path: string, body: Buffer | string) =>
      s3.send(new PutObjectCommand({ Bucket: aws.resources.bucketNames.media, Key: path, Body: body }));
    await Promise.all([
      put(`${A}/hls/index.m3u8`, '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nindex_720p.m3u8\n'),
      put(`${A}/poster/poster.0000001.jpg`, randomBytes(300)),
      ...[A_LONGER, B].flatMap((video) => [
        put(`${video}/hls/index.m3u8`, secretOfB),
        put(`${video}/hls/index_720p_00001.ts`, secretOfB),
        put(`${video}/poster/poster.0000001.jpg`, secretOfB),
      ]),
    ]);
    media = await startMediaServer({
      s3: { endpoint: aws.endpoint, region: aws.resources.region },
      buckets: { media: aws.resources.bucketNames.media, recordings: aws.resources.bucketNames.recordings },
      trustedKeys: trusted,
    });
    mount = new URL(media.url).pathname;
    cookiesOfA = cookieHeader(
      signPlayback(key, {
        mediaUrl: media.url,
        playbackPath: `${A}/hls/index.m3u8`,
        now: new Date(),
        ttlSeconds: 3600,
      }),
    );
  });
  after(async () => {
    await media?.stop();
    s3?.destroy();
    await aws?.stop();
  });

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    send(media.url, `${mount}/${path}`, { cookie: cookiesOfA, ...headers }, method);
  /** Refused with a 4xx, and nothing of B's in the answer, not even its length. */
  function assertNothingOfB(answer: Answer, what: string) {
    assert.ok(answer.status >= 400 && answer.status < 500, `${what}: ${answer.status}`);
    assert.ok(!answer.body.includes(secretOfB.subarray(0, 64)), `${what}: B's bytes`);
    assert.notEqual(answer.headers['content-length'], String(secretOfB.length), `${what}: B's length`);
    assert.equal(answer.headers['content-range'], undefined, what);
  }

  it("plays A's media with A's cookies, so every refusal below is earned", async () => {
    assert.equal((await get(`${A}/hls/index.m3u8`)).status, 200);
  });

  it("refuses B's media with A's cookies, and a video whose id merely starts with A's: 403", async () => {
    for (const path of [
      `${B}/hls/index.m3u8`,
      `${B}/hls/index_720p_00001.ts`,
      `${A_LONGER}/hls/index.m3u8`,
    ]) {
      const answer = await get(path);
      assert.equal(answer.status, 403, path);
      assertNothingOfB(answer, path);
    }
  });

  it("refuses dot segments out of A's prefix, plain, percent-encoded and double-encoded", async () => {
    const escapes = [
      '..',
      '%2e%2e',
      '%2E%2E',
      '.%2e',
      '%2e.',
      '%252e%252e',
      '..%2f..',
      '%2e%2e%2f%2e%2e',
      '..%5c..',
      '%c0%ae%c0%ae',
    ];
    for (const dots of escapes) {
      for (const path of [
        `${A}/${dots}/d4e5f6/hls/index.m3u8`,
        `${A}/hls/${dots}/${dots}/d4e5f6/hls/index.m3u8`,
      ]) {
        assertNothingOfB(await get(path), path);
      }
    }
  });

  it('refuses the cookies getVideo signed once they have expired', async () => {
    const expired = signPlayback(key, {
      mediaUrl: media.url,
      playbackPath: `${A}/hls/index.m3u8`,
      now: new Date(Date.now() - 7_200_000),
      ttlSeconds: 3600,
    });
    assert.equal((await get(`${A}/hls/index.m3u8`, { cookie: cookieHeader(expired) })).status, 403);
  });

  it('refuses a policy widened by editing it, whatever is widened: the resource or the expiry', async () => {
    const policyOf = (cookie: string) => /CloudFront-Policy=([^;]+)/.exec(cookie)?.[1] as string;
    const decoded = Buffer.from(
      policyOf(cookiesOfA).replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'),
      'base64',
    ).toString();
    const encode = (text: string) =>
      Buffer.from(text).toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
    const widened = [
      decoded.replace(`/${A}/*`, '/videos/*'),
      decoded.replace(`/${A}/*`, '/*'),
      decoded.replace(/"AWS:EpochTime":\d+/, '"AWS:EpochTime":4102444800'),
    ];
    for (const policy of widened) {
      assert.notEqual(policy, decoded);
      const cookie = cookiesOfA.replace(policyOf(cookiesOfA), encode(policy));
      assertNothingOfB(await get(`${B}/hls/index.m3u8`, { cookie }), policy);
      assert.equal((await get(`${A}/hls/index.m3u8`, { cookie })).status, 403, policy);
    }
  });

  it('refuses cookies with a part missing, or with the parts of two cookie sets mixed', async () => {
    const parts = cookiesOfA.split('; ');
    for (const missing of ['CloudFront-Key-Pair-Id', 'CloudFront-Signature', 'CloudFront-Policy']) {
      const cookie = parts.filter((part) => !part.startsWith(`${missing}=`)).join('; ');
      assert.equal((await get(`${A}/hls/index.m3u8`, { cookie })).status, 403, `without ${missing}`);
    }
    // B's policy (as getVideo would sign it for B) with A's signature.
    const cookiesOfB = cookieHeader(
      signPlayback(key, {
        mediaUrl: media.url,
        playbackPath: `${B}/hls/index.m3u8`,
        now: new Date(),
        ttlSeconds: 3600,
      }),
    );
    const mixed = [
      cookiesOfB.split('; ').find((part) => part.startsWith('CloudFront-Policy=')),
      ...parts.filter((part) => !part.startsWith('CloudFront-Policy=')),
    ].join('; ');
    assertNothingOfB(await get(`${B}/hls/index.m3u8`, { cookie: mixed }), 'mixed');
    // A canned-policy cookie (Expires) that claims the custom policy's signature.
    const canned = parts
      .filter((part) => !part.startsWith('CloudFront-Policy='))
      .concat('CloudFront-Expires=4102444800')
      .join('; ');
    assertNothingOfB(await get(`${B}/hls/index.m3u8`, { cookie: canned }), 'canned');
  });

  it("refuses a signed URL's query on any path but the one it signs, and with a parameter added", async () => {
    const signed = new URL(
      signObjectUrl(key, {
        mediaUrl: media.url,
        path: `${A}/poster/poster.0000001.jpg`,
        now: new Date(),
        ttlSeconds: 3600,
      }),
    );
    const own = await send(media.url, `${signed.pathname}${signed.search}`, {});
    assert.equal(own.status, 200);
    for (const path of [`${B}/poster/poster.0000001.jpg`, `${A}/hls/index.m3u8`]) {
      const answer = await send(media.url, `${mount}/${path}${signed.search}`, {});
      assert.equal(answer.status, 403, path);
      assertNothingOfB(answer, path);
    }
    const extra = await send(
      media.url,
      `${signed.pathname}${signed.search}&response-content-type=text/html`,
      {},
    );
    assert.equal(extra.status, 403);
  });

  it("answers HEAD, Range, If-Range and OPTIONS on B's media with nothing of B", async () => {
    const path = `${B}/hls/index_720p_00001.ts`;
    for (const [method, headers] of [
      ['HEAD', {}],
      ['GET', { range: 'bytes=0-15' }],
      ['GET', { range: 'bytes=-1' }],
      ['GET', { range: 'bytes=0-0,1-1' }],
      ['GET', { range: 'bytes=0-15', 'if-range': '"anything"' }],
      ['GET', { 'if-none-match': '*' }],
    ] as const) {
      assertNothingOfB(await get(path, headers, method), `${method} ${JSON.stringify(headers)}`);
    }
    // A preflight needs no signature, as on CloudFront, but carries no media either.
    const preflight = await get(
      path,
      { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
      'OPTIONS',
    );
    assert.ok(!preflight.body.includes(secretOfB.subarray(0, 64)));
    assert.notEqual(preflight.headers['content-length'], String(secretOfB.length));
  });
});
