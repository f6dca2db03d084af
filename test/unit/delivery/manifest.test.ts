import assert from 'node:assert/strict';
import { posix } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import HLS from 'hls-parser';
import { type Playlist, parseMediaPlaylist, parsePlaylist } from '../../../lambdas/contract/hls/index.ts';
import {
  generatePlaylist,
  type PlaylistSource,
  type SourceBucket,
} from '../../../lambdas/delivery/manifest.ts';
import {
  IVS_MULTIVARIANT,
  IVS_RECORDING_720P,
  MEDIACONVERT_720P,
  MEDIACONVERT_MULTIVARIANT,
} from './playlists.ts';

HLS.setOptions({ strictMode: true });

const REC = 'ivs/v1/123456789012/AbCdEf/2026/3/1/10/0/rec123/';

/** Playlists held as text, parsed on each read with our parser, and counting reads. */
class TextPlaylists implements PlaylistSource {
  reads = 0;
  constructor(private readonly files: Record<string, string>) {}
  async get(bucket: SourceBucket, key: string): Promise<Playlist | undefined> {
    this.reads += 1;
    const text = this.files[`${bucket}:${key}`];
    return text === undefined ? undefined : parsePlaylist(text);
  }
}

const renditionsOf = (names: string[]) =>
  Object.fromEntries(
    names.map((name) => [
      `media:videos/v1/hls/index_${name}.m3u8`,
      MEDIACONVERT_720P.replaceAll('720p', name),
    ]),
  );

const source = new TextPlaylists({
  'media:videos/v1/hls/index.m3u8': MEDIACONVERT_MULTIVARIANT,
  ...renditionsOf(['1080p', '720p', '480p', '360p']),
  [`recordings:${REC}media/hls/master.m3u8`]: IVS_MULTIVARIANT,
  ...Object.fromEntries(
    ['720p30', '480p30', '360p30'].map((name) => [
      `recordings:${REC}media/hls/${name}/playlist.m3u8`,
      IVS_RECORDING_720P,
    ]),
  ),
});

const generate = async (key: string, query = '') =>
  (await generatePlaylist(key, new URLSearchParams(query), source)).body;

describe('generatePlaylist', () => {
  it('filters the multivariant playlist for a phone, pointing back at the source renditions', async () => {
    const text = await generate('videos/v1/manifest/index.m3u8', 'device=phone');
    const parsed = HLS.parse(text) as HLS.types.MasterPlaylist;
    assert.deepEqual(
      parsed.variants.map((v) => [v.uri, v.resolution?.height]),
      [
        ['../hls/index_720p.m3u8', 720],
        ['../hls/index_480p.m3u8', 480],
        ['../hls/index_360p.m3u8', 360],
      ],
    );
    const capped = HLS.parse(
      await generate('videos/v1/manifest/index.m3u8', 'maxBitrate=1000000'),
    ) as HLS.types.MasterPlaylist;
    assert.deepEqual(
      capped.variants.map((v) => v.uri),
      ['../hls/index_360p.m3u8'],
    );
  });

  it('refuses limits it does not understand with 400, and paths it does not generate with 404', async () => {
    for (const query of ['device=toaster', 'maxHeight=-1', 'maxHeight=abc', 'maxBitrate=0']) {
      await assert.rejects(generate('videos/v1/manifest/index.m3u8', query), {
        status: 400,
        code: 'INVALID_VIEWER_LIMIT',
      });
    }
    await assert.rejects(generate('videos/v1/clips/abc/index.m3u8'), {
      status: 400,
      code: 'INVALID_CLIP_RANGE',
    });
    await assert.rejects(generate('videos/v1/clips/9000-1000/index_720p.m3u8'), { status: 400 });
    await assert.rejects(generate('videos/v1/clips/0-99000/index_720p.m3u8'), {
      status: 400,
      code: 'INVALID_CLIP_RANGE',
    });
    await assert.rejects(generate('videos/v1/clips/0-1000/index_999p.m3u8'), { status: 404 });
    await assert.rejects(generate('videos/v1/clips/0-1000/../hls/index.m3u8'), { status: 404 });
    await assert.rejects(generate('videos/v2/clips/0-1000/index.m3u8'), { status: 404 });
    await assert.rejects(generate('videos/v1/other.m3u8'), { status: 404 });
  });

  it("cuts a recording's renditions, keeping program date-times and discontinuities, URIs back to the source", async () => {
    const multivariant = HLS.parse(
      await generate(`${REC}clips/3000-9000/index.m3u8`),
    ) as HLS.types.MasterPlaylist;
    assert.deepEqual(
      multivariant.variants.map((v) => v.uri),
      ['720p30/playlist.m3u8', '480p30/playlist.m3u8', '360p30/playlist.m3u8'],
    );
    const text = await generate(`${REC}clips/3000-9000/720p30/playlist.m3u8`);
    const clip = HLS.parse(text) as HLS.types.MediaPlaylist;
    assert.deepEqual(
      clip.segments.map((s) => [s.uri, s.discontinuity ?? false]),
      [
        ['../../../media/hls/720p30/1.ts', false],
        ['../../../media/hls/720p30/2.ts', false],
        ['../../../media/hls/720p30/3.ts', true],
        ['../../../media/hls/720p30/4.ts', false],
      ],
    );
    assert.equal(clip.segments[0]?.programDateTime?.toISOString(), '2026-03-01T10:00:02.000Z');
    assert.equal(clip.targetDuration, 2);
    assert.equal(clip.endlist, true);
  });

  it('gives every clip range inside the source a playlist whose segments exist and cover the range', async () => {
    const sourceMedia = parseMediaPlaylist(MEDIACONVERT_720P);
    const total = sourceMedia.segments.reduce((sum, s) => sum + s.duration, 0);
    const existing = new Set(sourceMedia.segments.map((s) => posix.join('videos/v1/hls', s.uri)));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: Math.floor(total * 1000) - 1 }),
        fc.integer({ min: 1, max: Math.floor(total * 1000) }),
        async (a, b) => {
          const [startMs, endMs] = a < b ? [a, b] : [b, a];
          fc.pre(startMs < endMs);
          const key = `videos/v1/clips/${startMs}-${endMs}/index_720p.m3u8`;
          const clip = HLS.parse(await generate(key)) as HLS.types.MediaPlaylist;
          const uris = clip.segments.map((s) => posix.join(posix.dirname(key), s.uri));
          for (const uri of uris) assert.ok(existing.has(uri), uri);
          const first = sourceMedia.segments.findIndex((s) => posix.join('videos/v1/hls', s.uri) === uris[0]);
          const clipStart = sourceMedia.segments.slice(0, first).reduce((sum, s) => sum + s.duration, 0);
          const clipDuration = clip.segments.reduce((sum, s) => sum + s.duration, 0);
          assert.ok(clipStart <= startMs / 1000 + 1e-6);
          assert.ok(clipStart + clipDuration >= endMs / 1000 - 1e-6);
          assert.ok(clip.segments.every((s) => Math.round(s.duration) <= clip.targetDuration));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('the manifest handler (function URL)', () => {
  // The module reads its environment at init, as in Lambda; the deps passed here are what the test uses.
  Object.assign(process.env, { MEDIA_BUCKET_NAME: 'media', RECORDINGS_BUCKET_NAME: 'recordings' });
  const handler = async (e: never) =>
    (await import('../../../lambdas/delivery/manifest-handler.ts')).createHandler({ playlists: source })(e);
  const event = (rawPath: string, rawQueryString = '', method = 'GET') =>
    ({ rawPath, rawQueryString, requestContext: { http: { method } } }) as never;

  it("serves a clip playlist with HLS's type and the table's Cache-Control, ignoring other query parameters", async () => {
    const result = await handler(event('/videos/v1/clips/0-7000/index.m3u8', 'device=tv&Signature=x'));
    assert.equal(result.statusCode, 200);
    assert.equal(result.headers?.['content-type'], 'application/vnd.apple.mpegurl');
    assert.equal(result.headers?.['cache-control'], 'max-age=86400');
    assert.equal((HLS.parse(result.body as string) as HLS.types.MasterPlaylist).variants.length, 4);
  });

  it('answers 400 with the code for a bad range, 404 outside its paths, 405 for other methods', async () => {
    const bad = await handler(event('/videos/v1/clips/5-1/index.m3u8'));
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body as string, /^INVALID_CLIP_RANGE: /);
    assert.equal((await handler(event('/videos/v1/hls/index.m3u8'))).statusCode, 404);
    assert.equal((await handler(event('/videos/v1/clips/0-1000/index.m3u8', '', 'POST'))).statusCode, 405);
  });
});
