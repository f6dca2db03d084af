import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import HLS from 'hls-parser';
import {
  HlsParseError,
  parseAttributes,
  parseMediaPlaylist,
  parseMultivariantPlaylist,
  parsePlaylist,
  renderPlaylist,
} from '../../../lambdas/contract/hls/index.ts';
import {
  FMP4_PLAYLIST,
  IVS_RECORDING_720P,
  MALFORMED_PLAYLISTS,
  MEDIACONVERT_720P,
  MEDIACONVERT_MULTIVARIANT,
} from '../delivery/playlists.ts';

HLS.setOptions({ strictMode: true });

const parseError = (text: string, message: RegExp) =>
  assert.throws(
    () => parsePlaylist(text),
    (error) =>
      error instanceof HlsParseError &&
      message.test(error.message) &&
      error.message.startsWith(`Line ${error.line}: `),
  );

describe('parseAttributes', () => {
  it('keeps commas inside quoted strings', () => {
    const attributes = parseAttributes('BANDWIDTH=1,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720');

    assert.deepEqual(attributes, [
      { name: 'BANDWIDTH', value: '1', quoted: false },
      { name: 'CODECS', value: 'avc1.64001f,mp4a.40.2', quoted: true },
      { name: 'RESOLUTION', value: '1280x720', quoted: false },
    ]);
  });

  it('rejects an unterminated quoted string, a duplicate name and a trailing comma', () => {
    assert.throws(() => parseAttributes('CODECS="avc1'), /unterminated quoted string in CODECS/);
    assert.throws(() => parseAttributes('A=1,A=2'), /attribute A appears twice/);
    assert.throws(() => parseAttributes('A=1,'), /ends with a comma/);
    assert.throws(() => parseAttributes('a=1'), /"a" is not an attribute name/);
  });
});

describe('parseMultivariantPlaylist', () => {
  it('reads the variants MediaConvert writes, with every typed attribute', () => {
    const playlist = parseMultivariantPlaylist(MEDIACONVERT_MULTIVARIANT);

    assert.equal(playlist.version, 3);
    assert.equal(playlist.independentSegments, true);
    assert.deepEqual(
      playlist.variants.map((v) => v.uri),
      ['index_1080p.m3u8', 'index_720p.m3u8', 'index_480p.m3u8', 'index_360p.m3u8'],
    );
    assert.deepEqual(playlist.variants[1], {
      uri: 'index_720p.m3u8',
      bandwidth: 3605448,
      averageBandwidth: 2801233,
      codecs: 'avc1.64001f,mp4a.40.2',
      resolution: { width: 1280, height: 720 },
      frameRate: 30,
      otherAttributes: [],
    });
  });

  it('keeps EXT-X-MEDIA renditions and other STREAM-INF attributes', () => {
    const text = `#EXTM3U
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="English",DEFAULT=YES,URI="index_audio.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360,AUDIO="aac"
index_360p.m3u8
`;
    const playlist = parseMultivariantPlaylist(text);

    assert.equal(playlist.media.length, 1);
    assert.deepEqual(playlist.variants[0]?.otherAttributes, [{ name: 'AUDIO', value: 'aac', quoted: true }]);
    assert.equal(renderPlaylist(playlist), text);
  });

  it('rejects a STREAM-INF without BANDWIDTH or without its URI, naming the line', () => {
    parseError(
      '#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=1x1\na.m3u8\n',
      /^Line 2: EXT-X-STREAM-INF without BANDWIDTH/,
    );
    parseError(
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n#EXT-X-VERSION:3\n',
      /^Line 2: .*followed by its URI/,
    );
    parseError(
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=avc1\na.m3u8\n',
      /CODECS must be a quoted string/,
    );
  });
});

describe('parseMediaPlaylist', () => {
  it('reads a MediaConvert VOD rendition', () => {
    const playlist = parseMediaPlaylist(MEDIACONVERT_720P);

    assert.equal(playlist.targetDuration, 6);
    assert.equal(playlist.mediaSequence, 1);
    assert.equal(playlist.playlistType, 'VOD');
    assert.equal(playlist.endList, true);
    assert.deepEqual(
      playlist.segments.map((s) => [s.uri, s.duration]),
      [
        ['index_720p_00001.ts', 6],
        ['index_720p_00002.ts', 6],
        ['index_720p_00003.ts', 6],
        ['index_720p_00004.ts', 6],
        ['index_720p_00005.ts', 3.2],
      ],
    );
  });

  it('reads date-times and discontinuities of an IVS recording on the segments they precede', () => {
    const playlist = parseMediaPlaylist(IVS_RECORDING_720P);

    assert.equal(playlist.segments[0]?.programDateTime?.toISOString(), '2026-03-01T10:00:00.000Z');
    assert.equal(playlist.segments[1]?.programDateTime, undefined);
    assert.equal(playlist.segments[3]?.discontinuity, true);
    assert.equal(playlist.segments[3]?.programDateTime?.toISOString(), '2026-03-01T10:05:00.000Z');
    assert.equal(playlist.segments.filter((s) => s.discontinuity).length, 1);
  });

  it('resolves byte ranges without an offset and carries the map in effect to each segment', () => {
    const playlist = parseMediaPlaylist(FMP4_PLAYLIST);

    assert.deepEqual(
      playlist.segments.map((s) => s.byteRange),
      [
        { length: 1000, offset: 720 },
        { length: 1200, offset: 1720 },
        { length: 800, offset: 2920 },
        undefined,
        undefined,
      ],
    );
    assert.deepEqual(
      playlist.segments.map((s) => s.map?.uri),
      ['init_a.mp4', 'init_a.mp4', 'init_a.mp4', 'init_b.mp4', 'init_b.mp4'],
    );
    assert.deepEqual(playlist.segments[0]?.map?.byteRange, { length: 720, offset: 0 });
  });

  it('rejects malformed playlists with the line and the reason', () => {
    for (const [text, message] of MALFORMED_PLAYLISTS) parseError(text, message);
  });
});

describe('renderPlaylist', () => {
  for (const [name, text] of [
    ['a MediaConvert rendition', MEDIACONVERT_720P],
    ['an IVS recording', IVS_RECORDING_720P],
    ['an fMP4 playlist', FMP4_PLAYLIST],
  ] as const) {
    it(`renders ${name} so that it parses back to the same model, and the independent parser agrees`, () => {
      const playlist = parseMediaPlaylist(text);

      const rendered = renderPlaylist(playlist);

      assert.deepEqual(parseMediaPlaylist(rendered), playlist);
      const independent = HLS.parse(rendered) as HLS.types.MediaPlaylist;
      assert.equal(independent.isMasterPlaylist, false);
      assert.deepEqual(
        independent.segments.map((s) => [s.uri, s.duration, s.discontinuity ?? false, s.map?.uri]),
        playlist.segments.map((s) => [s.uri, s.duration, s.discontinuity, s.map?.uri]),
      );
    });
  }

  it('raises EXT-X-VERSION to what EXT-X-MAP needs', () => {
    const playlist = parseMediaPlaylist(FMP4_PLAYLIST.replace('#EXT-X-VERSION:7', '#EXT-X-VERSION:3'));

    assert.match(renderPlaylist(playlist), /#EXT-X-VERSION:6\n/);
  });
});
