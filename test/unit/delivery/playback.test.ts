import assert from 'node:assert/strict';
import { createVerify, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import type { Playback } from '#contract/catalog.ts';
import {
  cookieHeader,
  MediaPrefixError,
  mediaPrefixOf,
  type PlaybackKey,
  signObjectUrl,
  signPlayback,
} from '../../../lambdas/delivery/playback.ts';
import { checkSignedRequest, decodeCloudFrontBase64, resourceMatches } from '../../../local/signed-access.ts';

const pair = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
const { publicKey, privateKey } = pair();
const other = pair();
const KEY: PlaybackKey = { keyPairId: 'K2JCJMDEHXQW5F', privateKey };
const trusted = new Map([[KEY.keyPairId, publicKey]]);

const NOW = new Date('2026-11-21T12:00:00Z');
const nowSeconds = NOW.getTime() / 1000;
const MEDIA = 'https://d111111abcdef8.cloudfront.net';

const sign = (playbackPath = 'videos/v1/hls/index.m3u8', key = KEY, ttlSeconds = 600) =>
  signPlayback(key, { mediaUrl: MEDIA, playbackPath, now: NOW, ttlSeconds });

const request = (target: string, playback?: Pick<Playback, 'cookies'>, cookie?: string) => ({
  scheme: 'https',
  host: 'd111111abcdef8.cloudfront.net',
  target,
  cookie: cookie ?? (playback ? cookieHeader(playback) : undefined),
  sourceIp: '192.0.2.10',
});

const cookieValue = (playback: Playback, name: string) => {
  const found = playback.cookies.find((cookie) => cookie.name === name);
  assert.ok(found, name);
  return found.value;
};

describe('mediaPrefixOf', () => {
  it("is a video's folder, or a recording's prefix before media/", () => {
    assert.equal(mediaPrefixOf('videos/abc/hls/index.m3u8'), 'videos/abc/');
    assert.equal(
      mediaPrefixOf('ivs/v1/123456789012/AbCd/2026/11/21/12/5/rec1/media/hls/master.m3u8'),
      'ivs/v1/123456789012/AbCd/2026/11/21/12/5/rec1/',
    );
    assert.equal(
      mediaPrefixOf('ivs/v1/123456789012/AbCd/2026/11/21/12/5/rec1/clips/0-1000/index.m3u8'),
      'ivs/v1/123456789012/AbCd/2026/11/21/12/5/rec1/',
    );
    assert.throws(() => mediaPrefixOf('elsewhere/index.m3u8'));
    assert.throws(() => mediaPrefixOf('ivs/v1/too/short/media/hls/master.m3u8'));
  });
});

describe('signPlayback', () => {
  it("writes the three cookies of a custom policy for the video's prefix, in CloudFront's documented format", () => {
    const playback = sign();
    assert.deepEqual(
      playback.cookies.map((cookie) => [cookie.name, cookie.path, cookie.expires]),
      [
        ['CloudFront-Policy', '/videos/v1/', '2026-11-21T12:10:00.000Z'],
        ['CloudFront-Signature', '/videos/v1/', '2026-11-21T12:10:00.000Z'],
        ['CloudFront-Key-Pair-Id', '/videos/v1/', '2026-11-21T12:10:00.000Z'],
      ],
    );
    assert.equal(playback.url, `${MEDIA}/videos/v1/hls/index.m3u8`);
    assert.equal(playback.expiresAt, '2026-11-21T12:10:00.000Z');
    assert.equal(cookieValue(playback, 'CloudFront-Key-Pair-Id'), KEY.keyPairId);

    // CloudFront's base64: only A-Z a-z 0-9 - _ ~ (https://docs.aws.amazon.com/AmazonCloudFront/latest/
    // DeveloperGuide/private-content-setting-signed-cookie-custom-policy.html), and the policy JSON without spaces.
    const policy = cookieValue(playback, 'CloudFront-Policy');
    const signature = cookieValue(playback, 'CloudFront-Signature');
    for (const value of [policy, signature]) assert.match(value, /^[A-Za-z0-9\-_~]+$/);
    const standard = (value: string) => value.replaceAll('-', '+').replaceAll('_', '=').replaceAll('~', '/');
    const policyText = Buffer.from(standard(policy), 'base64').toString('utf8');
    assert.equal(
      policyText,
      `{"Statement":[{"Resource":"${MEDIA}/videos/v1/*","Condition":{"DateLessThan":{"AWS:EpochTime":${
        nowSeconds + 600
      }}}}]}`,
    );
    // RSA-SHA1 over exactly those bytes, checked here with node:crypto alone.
    const verifier = createVerify('RSA-SHA1');
    verifier.update(policyText);
    assert.equal(verifier.verify(publicKey, Buffer.from(standard(signature), 'base64')), true);
  });

  it('puts the cookies on the media mount when media is served under a path (locally /media)', () => {
    const playback = signPlayback(KEY, {
      mediaUrl: 'http://127.0.0.1:3000/media/',
      playbackPath: 'videos/v2/hls/index.m3u8',
      now: NOW,
      ttlSeconds: 60,
    });
    assert.equal(playback.url, 'http://127.0.0.1:3000/media/videos/v2/hls/index.m3u8');
    assert.ok(playback.cookies.every((cookie) => cookie.path === '/media/videos/v2/'));
  });
});

describe('signObjectUrl', () => {
  const signObject = (path: string, mediaUrl = MEDIA) =>
    signObjectUrl(KEY, { mediaUrl, path, now: NOW, ttlSeconds: 600 });

  it('signs a canned-policy URL for that one object, until the playback TTL ends', () => {
    const url = signObject('videos/v1/poster.jpg');
    const query = new URL(url).search;

    assert.match(url, /^https:\/\/d111111abcdef8\.cloudfront\.net\/videos\/v1\/poster\.jpg\?Expires=/);
    assert.equal(new URL(url).searchParams.get('Expires'), String(nowSeconds + 600));
    assert.equal(new URL(url).searchParams.has('Policy'), false);
    assert.deepEqual(checkSignedRequest(request(`/videos/v1/poster.jpg${query}`), trusted, nowSeconds), {
      ok: true,
      via: 'url',
    });
    assert.equal(
      checkSignedRequest(request(`/videos/v1/thumb-0.jpg${query}`), trusted, nowSeconds).ok,
      false,
    );
    assert.equal(
      checkSignedRequest(request(`/videos/v1/poster.jpg${query}`), trusted, nowSeconds + 600).ok,
      false,
    );
  });

  it('keeps one URL for a while, so a browser caches the picture across list refreshes', () => {
    const at = (date: string) =>
      signObjectUrl(KEY, {
        mediaUrl: MEDIA,
        path: 'videos/v1/poster.jpg',
        now: new Date(date),
        ttlSeconds: 4 * 60 * 60,
      });
    const expiresOf = (url: string) => Number(new URL(url).searchParams.get('Expires'));

    // Steps of 15 minutes for a 4-hour lifetime.
    assert.equal(at('2026-11-21T12:01:00Z'), at('2026-11-21T12:14:59Z'));
    assert.notEqual(at('2026-11-21T12:14:59Z'), at('2026-11-21T12:15:00Z'));
    for (const date of ['2026-11-21T12:01:00Z', '2026-11-21T12:14:59Z', '2026-11-21T12:15:00Z']) {
      const left = expiresOf(at(date)) - new Date(date).getTime() / 1000;
      assert.ok(left > 3.75 * 60 * 60 && left <= 4 * 60 * 60, `${date}: ${left} s left`);
    }
  });

  it('signs under the media mount when media is served under a path (locally /media)', () => {
    const url = signObject('videos/v2/poster.jpg', 'http://127.0.0.1:3000/media/');

    assert.match(url, /^http:\/\/127\.0\.0\.1:3000\/media\/videos\/v2\/poster\.jpg\?Expires=/);
  });

  it('refuses a path outside the media prefixes, or one whose wildcard or query would widen a canned policy', () => {
    for (const path of [
      'elsewhere/poster.jpg',
      'videos/v1/*',
      'videos/v1/poster.jpg?x=1',
      'videos/v1/p?ster.jpg',
    ]) {
      assert.throws(() => signObject(path), MediaPrefixError, path);
    }
  });
});

describe('checkSignedRequest (the local stand-in for CloudFront)', () => {
  it("lets the video's playlists, segments, poster and generated playlists through, with any query", () => {
    const playback = sign();
    for (const target of [
      '/videos/v1/hls/index.m3u8',
      '/videos/v1/hls/index_720p_00001.ts',
      '/videos/v1/poster/poster.0000001.jpg',
      '/videos/v1/clips/1000-9000/index.m3u8',
      '/videos/v1/manifest/index.m3u8?device=phone',
    ]) {
      assert.deepEqual(checkSignedRequest(request(target, playback), trusted, nowSeconds), {
        ok: true,
        via: 'cookies',
      });
    }
  });

  it('refuses a request without cookies, for another video, or on another host', () => {
    const playback = sign();
    assert.equal(checkSignedRequest(request('/videos/v1/hls/index.m3u8'), trusted, nowSeconds).ok, false);
    assert.equal(
      checkSignedRequest(request('/videos/v10/hls/index.m3u8', playback), trusted, nowSeconds).ok,
      false,
    );
    assert.equal(
      checkSignedRequest(request('/videos/v2/hls/index.m3u8', playback), trusted, nowSeconds).ok,
      false,
    );
    const elsewhere = { ...request('/videos/v1/hls/index.m3u8', playback), host: 'evil.example.com' };
    assert.equal(checkSignedRequest(elsewhere, trusted, nowSeconds).ok, false);
  });

  it('refuses expired cookies, from the second DateLessThan names', () => {
    const playback = sign();
    const target = request('/videos/v1/hls/index.m3u8', playback);
    assert.equal(checkSignedRequest(target, trusted, nowSeconds + 599).ok, true);
    assert.deepEqual(checkSignedRequest(target, trusted, nowSeconds + 600), {
      ok: false,
      reason: 'the signature has expired',
    });
  });

  it('refuses a tampered policy, a tampered signature, an unknown key id and a key it does not trust', () => {
    const playback = sign();
    const policy = cookieValue(playback, 'CloudFront-Policy');
    const signature = cookieValue(playback, 'CloudFront-Signature');
    const decoded = decodeCloudFrontBase64(policy)?.toString('utf8') ?? '';
    // A later expiry, or a wider resource, re-encoded as CloudFront base64: the signature no longer matches.
    for (const forged of [
      decoded.replace(/"AWS:EpochTime":\d+/, `"AWS:EpochTime":${nowSeconds + 86_400}`),
      decoded.replace('/videos/v1/*', '/*'),
    ]) {
      const encoded = Buffer.from(forged)
        .toString('base64')
        .replaceAll('+', '-')
        .replaceAll('=', '_')
        .replaceAll('/', '~');
      const cookie = `CloudFront-Policy=${encoded}; CloudFront-Signature=${signature}; CloudFront-Key-Pair-Id=${KEY.keyPairId}`;
      assert.deepEqual(
        checkSignedRequest(request('/videos/v2/x.ts', undefined, cookie), trusted, nowSeconds),
        {
          ok: false,
          reason: 'the signature does not match the policy',
        },
      );
    }
    const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    const badSignature = `CloudFront-Policy=${policy}; CloudFront-Signature=${flipped}; CloudFront-Key-Pair-Id=${KEY.keyPairId}`;
    assert.equal(
      checkSignedRequest(request('/videos/v1/a.ts', undefined, badSignature), trusted, nowSeconds).ok,
      false,
    );
    const unknownId = `CloudFront-Policy=${policy}; CloudFront-Signature=${signature}; CloudFront-Key-Pair-Id=KUNKNOWN`;
    assert.deepEqual(
      checkSignedRequest(request('/videos/v1/a.ts', undefined, unknownId), trusted, nowSeconds),
      {
        ok: false,
        reason: 'the key pair id is not in a trusted key group',
      },
    );
    const otherKey = sign('videos/v1/hls/index.m3u8', {
      keyPairId: KEY.keyPairId,
      privateKey: other.privateKey,
    });
    assert.equal(checkSignedRequest(request('/videos/v1/a.ts', otherKey), trusted, nowSeconds).ok, false);
  });

  it("accepts the SDK's signed URLs, canned and custom, and judges them by the URL alone", () => {
    const url = `${MEDIA}/videos/v1/hls/index.m3u8`;
    const canned = new URL(
      getSignedUrl({
        url,
        keyPairId: KEY.keyPairId,
        privateKey,
        dateLessThan: new Date((nowSeconds + 60) * 1000),
      }),
    );
    assert.ok(canned.searchParams.has('Expires'));
    assert.deepEqual(checkSignedRequest(request(canned.pathname + canned.search), trusted, nowSeconds), {
      ok: true,
      via: 'url',
    });
    // Another path with the same signature, or after expiry: refused.
    assert.equal(
      checkSignedRequest(request(`/videos/v1/hls/other.m3u8${canned.search}`), trusted, nowSeconds).ok,
      false,
    );
    assert.equal(
      checkSignedRequest(request(canned.pathname + canned.search), trusted, nowSeconds + 60).ok,
      false,
    );

    const custom = new URL(
      getSignedUrl({
        url,
        keyPairId: KEY.keyPairId,
        privateKey,
        dateLessThan: new Date((nowSeconds + 60) * 1000),
        dateGreaterThan: new Date((nowSeconds + 10) * 1000),
        ipAddress: '192.0.2.0/24',
      }),
    );
    assert.ok(custom.searchParams.has('Policy'));
    const target = custom.pathname + custom.search;
    assert.deepEqual(checkSignedRequest(request(target), trusted, nowSeconds), {
      ok: false,
      reason: 'the signature is not valid yet',
    });
    assert.equal(checkSignedRequest(request(target), trusted, nowSeconds + 10).ok, true);
    assert.deepEqual(
      checkSignedRequest({ ...request(target), sourceIp: '198.51.100.1' }, trusted, nowSeconds + 10),
      {
        ok: false,
        reason: 'the client address is not allowed',
      },
    );
    // A signed URL with a bad signature is refused even when valid cookies come along: the URL decides.
    const forgedUrl = target.replace(/Signature=[^&]+/, 'Signature=AAAA');
    assert.equal(checkSignedRequest(request(forgedUrl, sign()), trusted, nowSeconds + 10).ok, false);
  });

  it("matches Resource wildcards as CloudFront does: '*' any run, '?' one character", () => {
    assert.equal(resourceMatches('https://h/videos/v1/*', 'https://h/videos/v1/hls/a.ts?x=1'), true);
    assert.equal(resourceMatches('https://h/videos/v?/a', 'https://h/videos/v1/a'), true);
    assert.equal(resourceMatches('https://h/videos/v?/a', 'https://h/videos/v12/a'), false);
    assert.equal(resourceMatches('https://h/videos/v1/*', 'https://h/videos/v1'), false);
  });
});
