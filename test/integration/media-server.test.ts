/**
 * The local media server against moto: RFC 7233 (ranges) and RFC 7232 (conditional requests) conformance, the
 * delivery table's headers per path, CORS, methods and paths, checked over real HTTP with raw request targets;
 * every request signed (CloudFront signed cookies or URLs, as the media behaviours require), and refused with
 * 403 and no bytes when it is not; generated playlists from the manifest handler, invoked in-process.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedCookies, getSignedUrl } from '@aws-sdk/cloudfront-signer';
import HLS from 'hls-parser';
import { behaviourFor } from '#contract/delivery.ts';
import { playbackPolicy } from '../../lambdas/delivery/playback.ts';
import { S3PlaylistSource } from '../../lambdas/delivery/s3-playlist-source.ts';
import { emulatorClientConfig } from '../../local/emulator-clients.ts';
import {
  type FunctionUrlEvent,
  type FunctionUrlResult,
  type RunningMediaServer,
  startMediaServer,
} from '../../local/media-server/index.ts';
import { startTestEmulator, type TestEmulator } from '../support/emulator.ts';
import { testPlaybackKeys } from '../support/playback.ts';
import { MEDIACONVERT_720P, MEDIACONVERT_MULTIVARIANT } from '../unit/delivery/playlists.ts';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  reusedSocket: boolean;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

const keys = testPlaybackKeys();
/** Cookies for everything under /media on any local port, until `expires`. */
function cookiesUntil(expires: Date, resource = 'http://127.0.0.1:*/media/*'): string {
  const signed = getSignedCookies({
    keyPairId: keys.key.keyPairId,
    privateKey: keys.key.privateKey,
    policy: playbackPolicy(resource, expires),
  });
  return Object.entries(signed)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
}
/** What every request carries unless it says otherwise (`cookie: ''` for none). */
const signedCookie = cookiesUntil(new Date(Date.now() + 3_600_000));

/** One request with the target sent exactly as given (no normalisation of `..`, no added headers). */
function send(
  base: string,
  target: string,
  headers: Record<string, string> = {},
  method = 'GET',
  options: { agent?: Agent } = {},
): Promise<Answer> {
  const { hostname, port, pathname } = new URL(base);
  return new Promise((resolveAnswer, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        path: `${pathname}${target}`,
        method,
        headers: { cookie: signedCookie, ...headers },
        agent: options.agent ?? agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolveAnswer({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            reusedSocket: req.reusedSocket,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const VIDEO = 'videos/01JD3W6P0Q4G5V7X8Y9Z0ABCDE';
const RECORDING = 'ivs/v1/123456789012/AbCdEf123456/2026/11/21/10/30/k3yXr7Mq2Zp1';
const SEGMENT = `${VIDEO}/hls/index_720p_00001.ts`;
/** A video with real MediaConvert-shaped playlists, for clips. */
const CLIPPED = 'videos/clipped';
const LARGE = `${VIDEO}/hls/index_1080p_00002.ts`;
const segmentBytes = randomBytes(100_000);
const largeBytes = randomBytes(8 * 1024 * 1024 + 123);

describe('the local media server', () => {
  let aws: TestEmulator;
  let s3: S3Client;
  let media: RunningMediaServer;
  let listed: RunningMediaServer;
  let url: string;
  let segmentETag: string;
  let segmentLastModified: Date;

  const put = (bucket: 'media' | 'recordings', key: string, body: Buffer | string, extra = {}) =>
    s3.send(
      new PutObjectCommand({ Bucket: aws.resources.bucketNames[bucket], Key: key, Body: body, ...extra }),
    );

  before(async () => {
    aws = await startTestEmulator();
    s3 = new S3Client({
      ...emulatorClientConfig({ endpoint: aws.endpoint, region: aws.resources.region }),
      forcePathStyle: true,
    });
    await Promise.all([
      put('media', `${VIDEO}/hls/index.m3u8`, '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nindex_720p.m3u8\n'),
      put('media', `${VIDEO}/hls/index_720p.m3u8`, '#EXTM3U\n#EXT-X-ENDLIST\n'),
      put('media', SEGMENT, segmentBytes, { ContentType: 'application/octet-stream' }),
      put('media', LARGE, largeBytes),
      put('media', `${VIDEO}/hls/index_audio_00001.aac`, randomBytes(500)),
      put('media', `${VIDEO}/hls/empty.ts`, Buffer.alloc(0)),
      put('media', `${VIDEO}/hls/with space.ts`, 'spaced'),
      put('media', `${VIDEO}/hls/own-cache.m3u8`, '#EXTM3U\n', { CacheControl: 'no-cache' }),
      put('media', `${VIDEO}/thumbnails/thumb.0000000.jpg`, randomBytes(300)),
      put('media', `${VIDEO}/poster/poster.0000001.jpg`, randomBytes(300)),
      put('media', `${VIDEO}/notes/c1.xyz`, 'no known extension', { ContentType: 'text/x-notes' }),
      put('media', 'elsewhere/c1.ts', 'outside the media paths'),
      put('media', `${CLIPPED}/hls/index.m3u8`, MEDIACONVERT_MULTIVARIANT),
      ...['1080p', '720p', '480p', '360p'].map((name) =>
        put('media', `${CLIPPED}/hls/index_${name}.m3u8`, MEDIACONVERT_720P.replaceAll('720p', name)),
      ),
      put('recordings', `${RECORDING}/media/hls/720p30/playlist.m3u8`, '#EXTM3U\n'),
      put('recordings', `${RECORDING}/media/hls/720p30/0.ts`, randomBytes(200)),
      // Only in the recordings bucket: the table sends videos/ to the media bucket, so this is not found.
      put('recordings', `${VIDEO}/hls/stray.ts`, 'wrong bucket'),
    ]);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: aws.resources.bucketNames.media, Key: SEGMENT }),
    );
    segmentETag = head.ETag as string;
    segmentLastModified = head.LastModified as Date;
    const buckets = {
      media: aws.resources.bucketNames.media,
      recordings: aws.resources.bucketNames.recordings,
    };
    // Imported once the emulator's environment is in place, as Lambda loads a handler after its configuration.
    const { createHandler } = await import('../../lambdas/delivery/manifest-handler.ts');
    const manifest = createHandler({ playlists: new S3PlaylistSource(s3, buckets) });
    const options = {
      s3: { endpoint: aws.endpoint, region: aws.resources.region },
      buckets,
      trustedKeys: keys.trusted,
      manifest: async (event: FunctionUrlEvent) => (await manifest(event as never)) as FunctionUrlResult,
    };
    media = await startMediaServer(options);
    listed = await startMediaServer({ ...options, allowOrigins: ['https://app.example.com'] });
    url = media.url;
  });
  after(async () => {
    agent.destroy();
    await media?.stop();
    await listed?.stop();
    s3?.destroy();
    await aws?.stop();
  });

  const get = (target: string, headers: Record<string, string> = {}) => send(url, target, headers);
  const head = (target: string, headers: Record<string, string> = {}) => send(url, target, headers, 'HEAD');
  const segment = `/${SEGMENT}`;

  describe('GET and HEAD', () => {
    it('answers GET with 200, the whole object, its length, ETag, Last-Modified and Accept-Ranges', async () => {
      const answer = await get(segment);

      assert.equal(answer.status, 200);
      assert.ok(answer.body.equals(segmentBytes));
      assert.equal(answer.headers['content-length'], String(segmentBytes.length));
      assert.equal(answer.headers.etag, segmentETag);
      assert.equal(answer.headers['last-modified'], segmentLastModified.toUTCString());
      assert.equal(answer.headers['accept-ranges'], 'bytes');
      assert.equal(answer.headers['content-range'], undefined);
    });

    it('answers HEAD with the headers of GET and no body', async () => {
      const [got, headed] = await Promise.all([get(segment), head(segment)]);

      assert.equal(headed.status, 200);
      assert.equal(headed.body.length, 0);
      const { date: _getDate, ...getHeaders } = got.headers;
      const { date: _headDate, ...headHeaders } = headed.headers;
      assert.deepEqual(headHeaders, getHeaders);
    });

    it('ignores Range on HEAD, which only GET has (RFC 7233 §3.1)', async () => {
      const answer = await head(segment, { range: 'bytes=0-9' });

      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-length'], String(segmentBytes.length));
      assert.equal(answer.headers['content-range'], undefined);
    });

    it('streams an object of several MiB byte for byte', async () => {
      const answer = await get(`/${LARGE}`);

      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-length'], String(largeBytes.length));
      assert.ok(answer.body.equals(largeBytes));
    });

    it('keeps a viewer that hangs up mid-object from disturbing the next request', async () => {
      const { hostname, port, pathname } = new URL(url);
      await new Promise<void>((resolveAborted) => {
        const req = request({ host: hostname, port, path: `${pathname}/${LARGE}` }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolveAborted();
          });
        });
        req.on('error', () => {});
        req.end();
      });

      const answer = await get(segment, { range: 'bytes=0-99' });

      assert.equal(answer.status, 206);
      assert.ok(answer.body.equals(segmentBytes.subarray(0, 100)));
    });

    it('keeps the connection alive between requests', async () => {
      const single = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        await send(url, segment, {}, 'GET', { agent: single });
        const second = await send(url, segment, { range: 'bytes=0-0' }, 'GET', { agent: single });

        assert.equal(second.status, 206);
        assert.equal(second.reusedSocket, true);
      } finally {
        single.destroy();
      }
    });
  });

  describe('Range (RFC 7233)', () => {
    const size = segmentBytes.length;
    const partial = async (range: string, start: number, end: number) => {
      const answer = await get(segment, { range });
      assert.equal(answer.status, 206, range);
      assert.equal(answer.headers['content-range'], `bytes ${start}-${end}/${size}`, range);
      assert.equal(answer.headers['content-length'], String(end - start + 1), range);
      assert.ok(answer.body.equals(segmentBytes.subarray(start, end + 1)), range);
      assert.equal(answer.headers.etag, segmentETag, range);
      assert.equal(answer.headers['accept-ranges'], 'bytes', range);
    };
    const whole = async (range: string) => {
      const answer = await get(segment, { range });
      assert.equal(answer.status, 200, range);
      assert.equal(answer.headers['content-range'], undefined, range);
      assert.ok(answer.body.equals(segmentBytes), range);
    };
    const unsatisfiable = async (target: string, range: string, length: number) => {
      const answer = await get(target, { range });
      assert.equal(answer.status, 416, range);
      assert.equal(answer.headers['content-range'], `bytes */${length}`, range);
    };

    it('serves bytes=first-last as 206 with exactly those bytes', () => partial('bytes=100-1123', 100, 1123));

    it('serves bytes=first- to the end', () => partial('bytes=99000-', 99000, size - 1));

    it('serves bytes=-length as the last bytes', () => partial('bytes=-500', size - 500, size - 1));

    it('cuts a last byte past the end to the end, and a suffix longer than the object to all of it', async () => {
      await partial(`bytes=99990-${size + 1000}`, 99990, size - 1);
      await partial('bytes=0-99999999999999999999', 0, size - 1);
      await partial(`bytes=-${size * 2}`, 0, size - 1);
    });

    it('takes the unit in any case, and ignores empty list elements and spaces around them', async () => {
      await partial('BYTES=0-9', 0, 9);
      await partial('bytes=10-19, ,', 10, 19);
      await partial('bytes= 20-29 ', 20, 29);
    });

    it('answers 416 with Content-Range bytes */length when no byte is selected', async () => {
      await unsatisfiable(segment, `bytes=${size}-`, size);
      await unsatisfiable(segment, `bytes=${size + 10}-${size + 20}`, size);
      await unsatisfiable(segment, 'bytes=99999999999999999999-', size);
      await unsatisfiable(segment, 'bytes=-0', size);
      await unsatisfiable(`/${VIDEO}/hls/empty.ts`, 'bytes=0-', 0);
    });

    it('serves a suffix range of an empty object as 200 with the empty body: satisfiable, but no 206 holds 0 bytes', async () => {
      const answer = await get(`/${VIDEO}/hls/empty.ts`, { range: 'bytes=-1' });

      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-length'], '0');
      assert.equal(answer.body.length, 0);
    });

    it('serves the whole object for several ranges (which it may ignore)', async () => {
      await whole('bytes=0-9,20-29');
      await whole('bytes=0-9,-5');
    });

    it('ignores a header that is not a valid byte range, and serves the whole object', async () => {
      for (const range of [
        'bytes=20-10',
        'bytes=abc',
        'bytes=',
        'bytes=--5',
        'bytes=1-2-3',
        'bytes 0-9',
        'items=0-9',
        'bytes=0-9,10-5',
      ]) {
        await whole(range);
      }
    });
  });

  describe('conditional requests (RFC 7232)', () => {
    const expectNotModified = async (answer: Answer) => {
      assert.equal(answer.status, 304);
      assert.equal(answer.body.length, 0);
      assert.equal(answer.headers.etag, segmentETag);
      assert.equal(answer.headers['cache-control'], behaviourFor(SEGMENT).cacheControl);
    };
    const after = (seconds: number) => new Date(segmentLastModified.getTime() + seconds * 1000).toUTCString();

    it('answers If-None-Match with the ETag 304, with ETag and Cache-Control, to GET and HEAD', async () => {
      await expectNotModified(await get(segment, { 'if-none-match': segmentETag }));
      await expectNotModified(await head(segment, { 'if-none-match': segmentETag }));
    });

    it('compares If-None-Match weakly, in lists and for *', async () => {
      await expectNotModified(await get(segment, { 'if-none-match': `W/${segmentETag}` }));
      await expectNotModified(await get(segment, { 'if-none-match': `"other", ${segmentETag}` }));
      assert.equal((await get(segment, { 'if-none-match': '*' })).status, 304);
    });

    it('serves the object when If-None-Match names other tags', async () => {
      const answer = await get(segment, { 'if-none-match': '"other", W/"another"' });

      assert.equal(answer.status, 200);
      assert.ok(answer.body.equals(segmentBytes));
    });

    it('answers 304 before looking at the range', async () => {
      await expectNotModified(await get(segment, { 'if-none-match': segmentETag, range: 'bytes=0-9' }));
    });

    it('answers If-Modified-Since 304 from Last-Modified on, 200 before it; If-None-Match wins', async () => {
      assert.equal((await get(segment, { 'if-modified-since': after(0) })).status, 304);
      assert.equal((await get(segment, { 'if-modified-since': after(3600) })).status, 304);
      assert.equal((await get(segment, { 'if-modified-since': after(-1) })).status, 200);
      assert.equal((await get(segment, { 'if-modified-since': 'not a date' })).status, 200);
      const both = await get(segment, { 'if-none-match': '"other"', 'if-modified-since': after(3600) });
      assert.equal(both.status, 200);
    });

    it('answers 412 when If-Match or If-Unmodified-Since fails, and serves when they hold', async () => {
      assert.equal((await get(segment, { 'if-match': '"other"' })).status, 412);
      assert.equal(
        (await get(segment, { 'if-match': `W/${segmentETag}` })).status,
        412,
        'If-Match is strong',
      );
      assert.equal((await get(segment, { 'if-match': segmentETag })).status, 200);
      assert.equal((await get(segment, { 'if-match': '*' })).status, 200);
      assert.equal((await get(segment, { 'if-unmodified-since': after(-1) })).status, 412);
      assert.equal((await get(segment, { 'if-unmodified-since': after(0) })).status, 200);
      // If-Match comes before If-None-Match.
      assert.equal((await get(segment, { 'if-match': '"other"', 'if-none-match': segmentETag })).status, 412);
    });

    it('serves the range when If-Range holds the ETag or the exact Last-Modified', async () => {
      for (const ifRange of [segmentETag, segmentLastModified.toUTCString()]) {
        const answer = await get(segment, { range: 'bytes=0-9', 'if-range': ifRange });
        assert.equal(answer.status, 206, ifRange);
        assert.ok(answer.body.equals(segmentBytes.subarray(0, 10)), ifRange);
      }
    });

    it('serves the whole object when If-Range does not match: other tag, weak tag, other date, nonsense', async () => {
      for (const ifRange of ['"other"', `W/${segmentETag}`, after(-60), after(60), 'soon']) {
        const answer = await get(segment, { range: 'bytes=0-9', 'if-range': ifRange });
        assert.equal(answer.status, 200, ifRange);
        assert.ok(answer.body.equals(segmentBytes), ifRange);
      }
    });

    it('serves the whole object rather than 416 when If-Range does not match', async () => {
      const answer = await get(segment, { range: `bytes=${segmentBytes.length}-`, 'if-range': '"other"' });

      assert.equal(answer.status, 200);
      assert.ok(answer.body.equals(segmentBytes));
    });
  });

  describe('headers per path, from the delivery table', () => {
    const cases: [key: string, contentType: string][] = [
      [`${VIDEO}/hls/index.m3u8`, 'application/vnd.apple.mpegurl'],
      [`${VIDEO}/hls/index_720p.m3u8`, 'application/vnd.apple.mpegurl'],
      [SEGMENT, 'video/mp2t'],
      [`${VIDEO}/hls/index_audio_00001.aac`, 'audio/aac'],
      [`${VIDEO}/thumbnails/thumb.0000000.jpg`, 'image/jpeg'],
      [`${VIDEO}/poster/poster.0000001.jpg`, 'image/jpeg'],
      [`${RECORDING}/media/hls/720p30/playlist.m3u8`, 'application/vnd.apple.mpegurl'],
      [`${RECORDING}/media/hls/720p30/0.ts`, 'video/mp2t'],
      [`${VIDEO}/notes/c1.xyz`, 'text/x-notes'],
    ];

    it('sends each path the Cache-Control of its row and the content type of its extension', async () => {
      for (const [key, contentType] of cases) {
        for (const answer of [await get(`/${key}`), await head(`/${key}`)]) {
          assert.equal(answer.status, 200, key);
          assert.equal(answer.headers['cache-control'], behaviourFor(key).cacheControl, key);
          assert.equal(answer.headers['content-type'], contentType, key);
        }
      }
      // The rows really differ: segments a year, VOD playlists a day, recordings' playlists a second.
      const cacheControls = new Set(cases.map(([key]) => behaviourFor(key).cacheControl));
      assert.ok(cacheControls.size >= 4, [...cacheControls].join(' | '));
    });

    it("keeps an object's own Cache-Control, as the response headers policy does", async () => {
      const answer = await get(`/${VIDEO}/hls/own-cache.m3u8`);

      assert.equal(answer.headers['cache-control'], 'no-cache');
    });

    it('reads ivs/ paths from the recordings bucket and everything else from the media bucket', async () => {
      assert.equal((await get(`/${RECORDING}/media/hls/720p30/0.ts`)).status, 200);
      assert.equal((await get(`/${VIDEO}/hls/stray.ts`)).status, 404);
    });

    it('sends the security headers of the table', async () => {
      const answer = await get(segment);

      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
      assert.equal(answer.headers['x-frame-options'], 'DENY');
      assert.equal(answer.headers['referrer-policy'], 'strict-origin-when-cross-origin');
    });
  });

  describe('CORS', () => {
    const preflight = (base: string, headers: Record<string, string>) =>
      send(base, segment, { origin: 'https://app.example.com', ...headers }, 'OPTIONS');

    it('lets any origin read media and the range headers, errors included', async () => {
      for (const answer of [
        await get(segment, { origin: 'http://localhost:5173' }),
        await get(segment, { origin: 'http://localhost:5173', range: 'bytes=0-1' }),
        await get(`/${VIDEO}/missing.ts`, { origin: 'http://localhost:5173' }),
      ]) {
        assert.equal(answer.headers['access-control-allow-origin'], '*');
        assert.equal(
          answer.headers['access-control-expose-headers'],
          'Content-Range, Content-Length, ETag, Accept-Ranges',
        );
      }
    });

    it('answers a preflight for GET with Range and revalidation headers', async () => {
      const answer = await preflight(url, {
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'range, if-none-match',
      });

      assert.equal(answer.status, 204);
      assert.equal(answer.headers['access-control-allow-origin'], '*');
      assert.equal(answer.headers['access-control-allow-methods'], 'GET, HEAD, OPTIONS');
      assert.equal(
        answer.headers['access-control-allow-headers'],
        'Range, If-Range, If-None-Match, If-Modified-Since',
      );
      assert.equal(answer.headers['access-control-max-age'], '3600');
    });

    it('refuses a preflight for another method or another header', async () => {
      const put = await preflight(url, { 'access-control-request-method': 'PUT' });
      const custom = await preflight(url, {
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'range, x-secret',
      });

      for (const answer of [put, custom]) {
        assert.equal(answer.status, 403);
        assert.equal(answer.headers['access-control-allow-origin'], undefined);
      }
    });

    it('echoes only listed origins when given a list, and varies on Origin', async () => {
      const allowed = await send(listed.url, segment, { origin: 'https://app.example.com' });
      const other = await send(listed.url, segment, { origin: 'https://evil.example.net' });
      const refused = await preflight(listed.url, {
        origin: 'https://evil.example.net',
        'access-control-request-method': 'GET',
      });

      assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example.com');
      assert.match(allowed.headers.vary ?? '', /origin/i);
      assert.equal(other.status, 200);
      assert.equal(other.headers['access-control-allow-origin'], undefined);
      assert.match(other.headers.vary ?? '', /origin/i);
      assert.equal(refused.status, 403);
    });
  });

  describe('paths and methods', () => {
    it('answers 404 for a key that does not exist, in either bucket', async () => {
      assert.equal((await get(`/${VIDEO}/hls/index_4k.m3u8`)).status, 404);
      assert.equal((await get(`/${RECORDING}/media/hls/1080p60/playlist.m3u8`)).status, 404);
      assert.equal((await head(`/${VIDEO}/missing.ts`)).status, 404);
      assert.equal((await get('')).status, 404);
      assert.equal((await get('/')).status, 404);
    });

    it('answers 405 with Allow to methods other than GET, HEAD and OPTIONS', async () => {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const answer = await send(url, segment, {}, method);
        assert.equal(answer.status, 405, method);
        assert.equal(answer.headers.allow, 'GET, HEAD, OPTIONS', method);
      }
    });

    it('refuses traversal: dot segments, encoded slashes and backslashes, empty segments, NUL', async () => {
      for (const target of [
        `/${VIDEO}/../../etc/passwd`,
        `/${VIDEO}/hls/../hls/index.m3u8`,
        `/${VIDEO}/hls/./index.m3u8`,
        '/%2e%2e/%2e%2e/etc/passwd',
        `/${VIDEO}%2Fhls%2Findex.m3u8`,
        `/${VIDEO}/hls%5c..%5cindex.m3u8`,
        `/${VIDEO}//hls/index.m3u8`,
        `/${VIDEO}/hls/index.m3u8%00.jpg`,
        '/%E0%A4%A',
      ]) {
        const answer = await get(target);
        assert.equal(answer.status, 400, target);
        assert.ok(!answer.body.includes('#EXTM3U'), target);
      }
    });

    it('decodes a percent-encoded key once and ignores the query string, as the cache key does', async () => {
      const spaced = await get(`/${VIDEO}/hls/with%20space.ts`);
      const queried = await get(`/${SEGMENT}?v=2&token=abc`);

      assert.equal(spaced.status, 200);
      assert.equal(spaced.body.toString(), 'spaced');
      assert.equal(queried.status, 200);
      assert.ok(queried.body.equals(segmentBytes));
    });
  });

  describe('signed access (trusted key group) and generated playlists', () => {
    it('refuses a request without cookies, with expired ones or a tampered one: 403 and no bytes', async () => {
      const expired = cookiesUntil(new Date(Date.now() - 1000));
      const policy = /CloudFront-Policy=([^;]+)/.exec(signedCookie)?.[1] as string;
      const tampered = signedCookie.replace(policy, `${policy.slice(0, -6)}AAAAAA`);
      const narrow = cookiesUntil(new Date(Date.now() + 60_000), 'http://127.0.0.1:*/media/videos/other/*');
      for (const cookie of ['', expired, tampered, narrow]) {
        for (const answer of [
          await get(segment, { cookie }),
          await get(segment, { cookie, range: 'bytes=0-9' }),
          await head(segment, { cookie }),
        ]) {
          assert.equal(answer.status, 403, cookie);
          assert.equal(answer.body.includes(segmentBytes.subarray(0, 16)), false);
          assert.equal(answer.headers['content-range'], undefined);
        }
      }
    });

    it('accepts a signed URL instead, judged on the URL alone, as CloudFront does', async () => {
      const signed = new URL(
        getSignedUrl({
          url: `${url}${segment}`,
          keyPairId: keys.key.keyPairId,
          privateKey: keys.key.privateKey,
          dateLessThan: new Date(Date.now() + 60_000),
        }),
      );
      const ok = await get(`${segment}${signed.search}`, { cookie: '', range: 'bytes=10-19' });
      assert.equal(ok.status, 206);
      assert.ok(ok.body.equals(segmentBytes.subarray(10, 20)));
      const moved = await get(`/${VIDEO}/hls/index.m3u8${signed.search}`, { cookie: '' });
      assert.equal(moved.status, 403);
    });

    it('answers 404 outside the media paths, as the web distribution would not send them to media', async () => {
      assert.equal((await get('/elsewhere/c1.ts')).status, 404);
    });

    it("serves a clip's playlists from the manifest handler, which an independent parser accepts", async () => {
      const multivariant = await get(`/${CLIPPED}/clips/6500-13000/index.m3u8`);
      assert.equal(multivariant.status, 200);
      assert.equal(multivariant.headers['content-type'], 'application/vnd.apple.mpegurl');
      assert.equal(
        multivariant.headers['cache-control'],
        behaviourFor(`${CLIPPED}/clips/0-1/index.m3u8`).cacheControl,
      );
      const parsed = HLS.parse(multivariant.body.toString()) as HLS.types.MasterPlaylist;
      assert.equal(parsed.variants.length, 4);

      const rendition = await get(`/${CLIPPED}/clips/6500-13000/${parsed.variants[1]?.uri}`);
      const clip = HLS.parse(rendition.body.toString()) as HLS.types.MediaPlaylist;
      assert.deepEqual(
        clip.segments.map((segmentOf) => segmentOf.uri),
        // [6.5 s, 13 s) lies in the 6 s segments 6–12 and 12–18.
        ['../../hls/index_720p_00002.ts', '../../hls/index_720p_00003.ts'],
      );
      const headed = await head(`/${CLIPPED}/clips/6500-13000/index.m3u8`);
      assert.equal(headed.status, 200);
      assert.equal(headed.headers['content-length'], String(multivariant.body.length));
      assert.equal(headed.body.length, 0);

      const bad = await get(`/${CLIPPED}/clips/13000-6500/index.m3u8`);
      assert.equal(bad.status, 400);
      assert.match(bad.body.toString(), /INVALID_CLIP_RANGE/);
      assert.equal((await get(`/${CLIPPED}/clips/0-1000/index.m3u8`, { cookie: '' })).status, 403);
    });
  });
});
