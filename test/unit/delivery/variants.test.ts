import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import HLS from 'hls-parser';
import {
  type MultivariantPlaylist,
  parseMultivariantPlaylist,
  renderPlaylist,
  type VariantStream,
} from '../../../lambdas/contract/hls/index.ts';
import { InvalidViewerLimitError } from '../../../lambdas/delivery/errors.ts';
import {
  DEVICE_PROFILES,
  filterVariants,
  relativeUriRewriter,
  type ViewerLimits,
  viewerLimits,
} from '../../../lambdas/delivery/variants.ts';
import { MEDIACONVERT_FULL_MULTIVARIANT } from '../contract/hls-fixtures.ts';
import { IVS_MULTIVARIANT, MEDIACONVERT_MULTIVARIANT } from './playlists.ts';

HLS.setOptions({ strictMode: true });

const uris = (playlist: MultivariantPlaylist) => playlist.variants.map((v) => v.uri);

describe('viewerLimits', () => {
  it('takes a device profile from the table and the stricter of it and an explicit limit', () => {
    assert.deepEqual(viewerLimits({ profile: 'phone' }), DEVICE_PROFILES.phone);
    assert.deepEqual(viewerLimits({ profile: 'tv', maxHeight: 720 }), {
      maxHeight: 720,
      maxBitrate: DEVICE_PROFILES.tv.maxBitrate,
    });
    assert.deepEqual(viewerLimits({ maxBitrate: 2_000_000 }), { maxBitrate: 2_000_000 });
  });

  it('rejects an unknown profile and a limit that is not a positive integer', () => {
    assert.throws(() => viewerLimits({ profile: 'toaster' }), InvalidViewerLimitError);
    assert.throws(() => viewerLimits({ profile: 'toString' }), /Unknown device profile "toString"/);
    assert.throws(() => viewerLimits({ maxHeight: 0 }), /maxHeight must be a positive integer/);
    assert.throws(() => viewerLimits({ maxBitrate: 1.5 }), InvalidViewerLimitError);
  });
});

describe('filterVariants', () => {
  const source = parseMultivariantPlaylist(MEDIACONVERT_MULTIVARIANT);

  it('leaves out variants taller than the maximum height, keeping order and tags', () => {
    const filtered = filterVariants(source, { maxHeight: 720 });

    assert.deepEqual(uris(filtered), ['index_720p.m3u8', 'index_480p.m3u8', 'index_360p.m3u8']);
    assert.deepEqual(filtered.variants[0], source.variants[1]);
    assert.equal(filtered.independentSegments, true);
    assert.equal(filtered.version, 3);
  });

  it('leaves out variants whose peak bandwidth is above the maximum bitrate', () => {
    assert.deepEqual(uris(filterVariants(source, { maxBitrate: 1_700_000 })), [
      'index_480p.m3u8',
      'index_360p.m3u8',
    ]);
  });

  it('gives a phone at most 720p of an IVS recording', () => {
    const ivs = parseMultivariantPlaylist(IVS_MULTIVARIANT);

    assert.deepEqual(uris(filterVariants(ivs, viewerLimits({ profile: 'phone' }))), uris(ivs));
    assert.deepEqual(uris(filterVariants(source, viewerLimits({ profile: 'phone' }))), [
      'index_720p.m3u8',
      'index_480p.m3u8',
      'index_360p.m3u8',
    ]);
  });

  it('keeps the lowest variant when none fits', () => {
    assert.deepEqual(uris(filterVariants(source, { maxHeight: 144, maxBitrate: 100_000 })), [
      'index_360p.m3u8',
    ]);
  });

  it('rewrites variant and rendition URIs relative to where the playlist is served', () => {
    const withAudio = parseMultivariantPlaylist(
      '#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",URI="index_audio.m3u8"\n' +
        '#EXT-X-STREAM-INF:BANDWIDTH=1,AUDIO="a"\nindex_360p.m3u8\n' +
        '#EXT-X-STREAM-INF:BANDWIDTH=2\nhttps://cdn.example.com/x.m3u8\n',
    );
    const rewrite = relativeUriRewriter('videos/v1/hls/index.m3u8', 'manifests/v1/index.m3u8');

    const rendered = renderPlaylist(filterVariants(withAudio, {}, rewrite));

    assert.match(rendered, /\n\.\.\/\.\.\/videos\/v1\/hls\/index_360p\.m3u8\n/);
    assert.match(rendered, /URI="\.\.\/\.\.\/videos\/v1\/hls\/index_audio\.m3u8"/);
    assert.match(rendered, /\nhttps:\/\/cdn\.example\.com\/x\.m3u8\n/);
    assert.equal(
      relativeUriRewriter('videos/v1/hls/index.m3u8', 'videos/v1/hls/index.m3u8')('a.m3u8'),
      'a.m3u8',
    );
  });

  const variant = fc.record({
    height: fc.option(fc.integer({ min: 144, max: 2160 }), { nil: undefined }),
    bandwidth: fc.integer({ min: 64_000, max: 30_000_000 }),
  });
  const limits = fc.record(
    {
      maxHeight: fc.integer({ min: 100, max: 2500 }),
      maxBitrate: fc.integer({ min: 50_000, max: 40_000_000 }),
    },
    { requiredKeys: [] },
  );
  const fits = (v: VariantStream, l: ViewerLimits) =>
    (l.maxHeight === undefined || v.resolution === undefined || v.resolution.height <= l.maxHeight) &&
    (l.maxBitrate === undefined || v.bandwidth <= l.maxBitrate);

  it('filters I-frame playlists by the same limits and keeps session data and every EXT-X-MEDIA type', () => {
    const playlist = parseMultivariantPlaylist(MEDIACONVERT_FULL_MULTIVARIANT);

    const filtered = filterVariants(
      playlist,
      { maxHeight: 480 },
      relativeUriRewriter('videos/v1/hls/index.m3u8', 'videos/v1/manifest/index.m3u8'),
    );
    const text = renderPlaylist(filtered);

    assert.deepEqual(uris(filtered), ['../hls/index_360p.m3u8']);
    assert.deepEqual(
      filtered.iFrameStreams?.map((s) => s.uri),
      ['../hls/index_360p_iframes.m3u8'],
    );
    assert.match(text, /^#EXT-X-SESSION-DATA:DATA-ID="com.skycast.title",VALUE="Demo"$/m);
    const independent = HLS.parse(text) as HLS.types.MasterPlaylist;
    assert.deepEqual(
      independent.variants.map((v) => [v.uri, v.isIFrameOnly ?? false]),
      [
        ['../hls/index_360p.m3u8', false],
        ['../hls/index_360p_iframes.m3u8', true],
      ],
    );
    assert.deepEqual(
      [...(independent.variants[0]?.audio ?? []), ...(independent.variants[0]?.subtitles ?? [])].map(
        (r) => r.uri,
      ),
      ['../hls/index_audio.m3u8', '../hls/index_en.m3u8'],
    );
    assert.equal(independent.variants[0]?.closedCaptions[0]?.instreamId, 'CC1');
  });

  it('leaves the I-frame playlists out when none fits the limits', () => {
    const filtered = filterVariants(parseMultivariantPlaylist(MEDIACONVERT_FULL_MULTIVARIANT), {
      maxBitrate: 100_000,
    });

    assert.equal(filtered.iFrameStreams, undefined);
    assert.deepEqual(uris(filtered), ['index_360p.m3u8']);
  });

  it('never yields an empty playlist, nor a variant above the limits unless it is the lowest and only one', () => {
    fc.assert(
      fc.property(fc.array(variant, { minLength: 1, maxLength: 8 }), limits, (specs, l) => {
        const playlist: MultivariantPlaylist = {
          kind: 'multivariant',
          independentSegments: true,
          media: [],
          variants: specs.map((s, i) => ({
            uri: `index_${i}.m3u8`,
            bandwidth: s.bandwidth,
            ...(s.height === undefined ? {} : { resolution: { width: s.height * 2, height: s.height } }),
            otherAttributes: [],
          })),
        };

        const filtered = filterVariants(playlist, l);

        assert.ok(filtered.variants.length > 0);
        const indices = filtered.variants.map((v) => playlist.variants.findIndex((p) => p.uri === v.uri));
        assert.deepEqual(
          indices,
          [...indices].sort((a, b) => a - b),
          'order kept',
        );
        const over = filtered.variants.filter((v) => !fits(v, l));
        if (over.length > 0) {
          assert.equal(filtered.variants.length, 1);
          assert.ok(playlist.variants.every((v) => !fits(v, l)));
          assert.equal(over[0]?.bandwidth, Math.min(...playlist.variants.map((v) => v.bandwidth)));
        } else {
          assert.deepEqual(
            uris(filtered),
            playlist.variants.filter((v) => fits(v, l)).map((v) => v.uri),
          );
        }
        const independent = HLS.parse(renderPlaylist(filtered)) as HLS.types.MasterPlaylist;
        assert.deepEqual(
          independent.variants.map((v) => [v.uri, v.bandwidth, v.resolution?.height]),
          filtered.variants.map((v) => [v.uri, v.bandwidth, v.resolution?.height]),
        );
      }),
    );
  });
});
