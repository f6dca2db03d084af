import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import HLS from 'hls-parser';
import { recordingKeyPrefix } from '../../../../lambdas/contract/media-layout.ts';
import {
  readSegments,
  renderLivePlaylist,
  renderMultivariant,
  renderRecordingPlaylist,
} from '../../../../local/ivs/hls-playlist.ts';
import { checkPlaybackToken, importPlaybackPublicKey } from '../../../../local/ivs/playback-token.ts';

const CHANNEL = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdef1G2hij';
const pair = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();

function token(payload: Record<string, unknown>, alg = 'ES384', key = pair.privateKey): string {
  const head = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = sign('sha384', Buffer.from(`${head}.${body}`), {
    key: createPrivateKey(key.export({ type: 'pkcs8', format: 'pem' })),
    dsaEncoding: 'ieee-p1363',
  });
  return `${head}.${body}.${signature.toString('base64url')}`;
}

describe('playback tokens', () => {
  const keys = [importPlaybackPublicKey(publicPem)];
  const now = 1_800_000_000;

  it('accepts an ES384 token for the channel that has not expired', () => {
    assert.deepEqual(
      checkPlaybackToken(token({ 'aws:channel-arn': CHANNEL, exp: now + 60 }), CHANNEL, keys, now),
      { ok: true },
    );
  });

  it('refuses no token, another channel, an expired token, another key and a tampered payload', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const good = token({ 'aws:channel-arn': CHANNEL, exp: now + 60 });
    const [head, , signature] = good.split('.');
    const tampered = `${head}.${Buffer.from(JSON.stringify({ 'aws:channel-arn': `${CHANNEL}x`, exp: now + 60 })).toString('base64url')}.${signature}`;
    for (const [what, candidate, channel] of [
      ['none', undefined, CHANNEL],
      ['other channel', token({ 'aws:channel-arn': `${CHANNEL}x`, exp: now + 60 }), CHANNEL],
      ['expired', token({ 'aws:channel-arn': CHANNEL, exp: now - 1 }), CHANNEL],
      ['other key', token({ 'aws:channel-arn': CHANNEL, exp: now + 60 }, 'ES384', other.privateKey), CHANNEL],
      ['tampered', tampered, `${CHANNEL}x`],
      ['not a jwt', 'abc', CHANNEL],
    ] as const) {
      assert.equal(checkPlaybackToken(candidate, channel, keys, now).ok, false, what);
    }
  });

  it('only imports P-384 keys', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    assert.throws(() =>
      importPlaybackPublicKey(rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    );
  });
});

describe('live and recording playlists', () => {
  const ffmpegPlaylist =
    '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXTINF:1.000000,\n0.ts\n#EXTINF:1.000000,\n1.ts\n#EXTINF:0.966667,\n2.ts\n';

  it('reads the segments ffmpeg listed', () => {
    assert.deepEqual(readSegments(ffmpegPlaylist), [
      { index: 0, durationSeconds: 1 },
      { index: 1, durationSeconds: 1 },
      { index: 2, durationSeconds: 0.966667 },
    ]);
  });

  it('serves a sliding window whose media sequence is its first segment', () => {
    const segments = Array.from({ length: 10 }, (_, index) => ({ index, durationSeconds: 1 }));
    const live = renderLivePlaylist(segments, 3, '?token=t');
    assert.match(live, /#EXT-X-MEDIA-SEQUENCE:7\n/);
    assert.match(live, /\n9\.ts\?token=t\n$/);
    assert.doesNotMatch(live, /ENDLIST/);
  });

  it('ends a recording playlist, with a discontinuity where a reconnect joined it', () => {
    const text = renderRecordingPlaylist(
      [
        { index: 0, durationSeconds: 1 },
        { index: 1, durationSeconds: 1, discontinuity: true },
      ],
      true,
    );
    assert.match(text, /#EXT-X-DISCONTINUITY\n#EXTINF:1\.000,\n1\.ts/);
    assert.match(text, /#EXT-X-ENDLIST\n$/);
  });

  it('writes playlists the independent parser reads as the same segments and variants', () => {
    HLS.setOptions({ strictMode: true });
    const segments = [
      { index: 4, durationSeconds: 1 },
      { index: 5, durationSeconds: 0.966667, discontinuity: true },
    ];

    const live = HLS.parse(renderLivePlaylist(segments, 5, '?token=t')) as HLS.types.MediaPlaylist;
    const recording = HLS.parse(renderRecordingPlaylist(segments, true)) as HLS.types.MediaPlaylist;
    // Not strict for this one: each variant names a VIDEO group for which the emulator writes no EXT-X-MEDIA
    // (as before this module), which hls-parser's strict mode refuses.
    HLS.setOptions({ strictMode: false });
    const multivariant = HLS.parse(
      renderMultivariant([
        { name: '360p30', width: 640, height: 360, bandwidth: 630_000, codecs: 'avc1.4D401E' },
      ]),
    ) as HLS.types.MasterPlaylist;

    assert.equal(live.mediaSequenceBase, 4);
    assert.deepEqual(
      live.segments.map((s) => [s.uri, s.duration, s.discontinuity ?? false]),
      [
        ['4.ts?token=t', 1, false],
        ['5.ts?token=t', 0.967, true],
      ],
    );
    assert.equal(recording.endlist, true);
    assert.equal(recording.playlistType, 'VOD');
    assert.deepEqual(
      multivariant.variants.map((v) => [v.uri, v.bandwidth, v.resolution?.height, v.codecs]),
      [['360p30/playlist.m3u8', 630_000, 360, 'avc1.4D401E']],
    );
  });

  it('reads no segments from a playlist caught half-written', () => {
    assert.deepEqual(readSegments('#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.000000,\n'), []);
  });

  it('names recordings as IVS does: unpadded date parts', () => {
    assert.equal(
      recordingKeyPrefix({
        accountId: '123456789012',
        channelId: 'AbCdef1G2hij',
        startedAt: new Date('2026-01-02T03:04:05Z'),
        recordingId: 'j8Z9O91ndcVs',
      }),
      'ivs/v1/123456789012/AbCdef1G2hij/2026/1/2/3/4/j8Z9O91ndcVs',
    );
  });
});
