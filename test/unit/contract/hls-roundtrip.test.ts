import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import HLS from 'hls-parser';
import {
  type MediaPlaylist,
  type MediaSegment,
  parseMediaPlaylist,
  parseMultivariantPlaylist,
  parsePlaylist,
  renderPlaylist,
} from '../../../lambdas/contract/hls/index.ts';
import { IVS_MULTIVARIANT, MEDIACONVERT_720P, MEDIACONVERT_MULTIVARIANT } from '../delivery/playlists.ts';
import {
  IVS_LIVE_WITH_CUES,
  IVS_RECORDING_WITH_RECONNECT,
  MEDIACONVERT_CMAF_720P,
  MEDIACONVERT_FULL_MULTIVARIANT,
  MEDIACONVERT_IFRAMES_720P,
} from './hls-fixtures.ts';

/** The independent parser, strict, so that whatever we write must be valid to it. */
const independent = (text: string) => {
  HLS.setOptions({ strictMode: true });
  return HLS.parse(text);
};

/** Tags our module interprets; every other tag must come back verbatim and in place. */
const INTERPRETED = new Set([
  'EXTM3U',
  'EXT-X-VERSION',
  'EXT-X-TARGETDURATION',
  'EXT-X-MEDIA-SEQUENCE',
  'EXT-X-DISCONTINUITY-SEQUENCE',
  'EXT-X-PLAYLIST-TYPE',
  'EXT-X-INDEPENDENT-SEGMENTS',
  'EXT-X-ENDLIST',
  'EXTINF',
  'EXT-X-DISCONTINUITY',
  'EXT-X-PROGRAM-DATE-TIME',
  'EXT-X-BYTERANGE',
  'EXT-X-MAP',
  'EXT-X-STREAM-INF',
  'EXT-X-MEDIA',
  'EXT-X-I-FRAME-STREAM-INF',
]);

/** Each uninterpreted tag line of `text`, with how many URI lines come before it (its place among segments). */
function uninterpretedTags(text: string): [string, number][] {
  const found: [string, number][] = [];
  let uris = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (!line.startsWith('#')) uris += 1;
    else if (!INTERPRETED.has(line.slice(1).split(':')[0] as string)) found.push([line, uris]);
  }
  return found;
}

/** hls-parser's segments; it holds tags after the last URI on an extra segment without one, left out here. */
const segmentsOf = (playlist: HLS.types.MediaPlaylist) =>
  playlist.segments
    .filter((s) => s.uri !== '')
    .map((s) => ({
      uri: s.uri,
      duration: s.duration,
      discontinuity: s.discontinuity ?? false,
      map: s.map?.uri,
      byteRange: s.byterange ? `${s.byterange.length}@${s.byterange.offset}` : undefined,
    }));

const ourSegmentsOf = (playlist: MediaPlaylist) =>
  playlist.segments.map((s) => ({
    uri: s.uri,
    duration: s.duration,
    discontinuity: s.discontinuity,
    map: s.map?.uri,
    byteRange: s.byteRange ? `${s.byteRange.length}@${s.byteRange.offset}` : undefined,
  }));

describe('HLS round trip of real-looking media playlists', () => {
  for (const [name, text] of [
    ['an IVS live playlist with ad cues and date ranges', IVS_LIVE_WITH_CUES],
    ['an IVS recording with a reconnect', IVS_RECORDING_WITH_RECONNECT],
    ['a MediaConvert fMP4 rendition', MEDIACONVERT_CMAF_720P],
    ['a MediaConvert I-frame playlist', MEDIACONVERT_IFRAMES_720P],
    ['a MediaConvert TS rendition', MEDIACONVERT_720P],
  ] as const) {
    it(`keeps the uninterpreted tags of ${name} in place, and hls-parser reads the same segments`, () => {
      const playlist = parseMediaPlaylist(text);

      const rendered = renderPlaylist(playlist);

      assert.deepEqual(uninterpretedTags(rendered), uninterpretedTags(text));
      const source = independent(text) as HLS.types.MediaPlaylist;
      const ours = independent(rendered) as HLS.types.MediaPlaylist;
      assert.equal(ours.isMasterPlaylist, false);
      assert.deepEqual(segmentsOf(ours), segmentsOf(source));
      assert.deepEqual(segmentsOf(ours), ourSegmentsOf(playlist));
      assert.equal(ours.targetDuration, source.targetDuration);
      assert.equal(ours.mediaSequenceBase ?? 0, source.mediaSequenceBase ?? 0);
      assert.equal(ours.endlist, source.endlist);
      assert.equal(ours.isIFrame, source.isIFrame);
      assert.deepEqual(parseMediaPlaylist(rendered), playlist);
    });
  }

  it('reads the ad cues and date ranges of a live playlist on the segments they precede', () => {
    const playlist = parseMediaPlaylist(IVS_LIVE_WITH_CUES);

    const rendered = independent(renderPlaylist(playlist)) as HLS.types.MediaPlaylist;

    assert.deepEqual(
      playlist.segments.map((s) => s.tags ?? []),
      [
        [],
        [
          '#EXT-X-DATERANGE:ID="ad-1",CLASS="com.skycast.ad",START-DATE="2026-03-01T10:34:46.000Z",PLANNED-DURATION=4',
          '#EXT-X-CUE-OUT:4',
        ],
        ['#EXT-X-CUE-OUT-CONT:ElapsedTime=2,Duration=4'],
        ['#EXT-X-CUE-IN', '#EXT-X-SKYCAST-FUTURE:REASON="not invented yet"'],
      ],
    );
    assert.deepEqual(playlist.endTags, [
      '#EXT-X-DATERANGE:ID="news-7",START-DATE="2026-03-01T10:34:52.000Z",X-SKYCAST-TEXT="after the last segment"',
    ]);
    assert.equal(rendered.segments[1]?.dateRange?.id, 'ad-1');
    assert.equal(rendered.segments[1]?.markers?.[0]?.type, 'OUT');
    assert.equal(rendered.segments[3]?.markers?.[0]?.type, 'IN');
    assert.deepEqual(
      rendered.segments.filter((s) => s.uri !== '').map((s) => s.programDateTime?.toISOString()),
      playlist.segments.map((s) => s.programDateTime?.toISOString()),
    );
  });

  it('keeps playlist-wide tags (EXT-X-START, EXT-X-I-FRAMES-ONLY) in the header', () => {
    assert.deepEqual(parseMediaPlaylist(IVS_RECORDING_WITH_RECONNECT).tags, [
      '#EXT-X-START:TIME-OFFSET=0,PRECISE=YES',
    ]);
    assert.deepEqual(parseMediaPlaylist(MEDIACONVERT_IFRAMES_720P).tags, ['#EXT-X-I-FRAMES-ONLY']);
  });
});

describe('HLS round trip of real-looking multivariant playlists', () => {
  for (const [name, text] of [
    ['MediaConvert’s, with every EXT-X-MEDIA type and I-frame playlists', MEDIACONVERT_FULL_MULTIVARIANT],
    ['MediaConvert’s ladder', MEDIACONVERT_MULTIVARIANT],
    ['an IVS recording’s', IVS_MULTIVARIANT],
  ] as const) {
    it(`renders ${name} so that hls-parser reads the same variants, renditions and tags`, () => {
      const playlist = parseMultivariantPlaylist(text);

      const rendered = renderPlaylist(playlist);

      assert.deepEqual(uninterpretedTags(rendered), uninterpretedTags(text));
      const variants = (p: HLS.types.MasterPlaylist) =>
        p.variants.map((v) => ({
          uri: v.uri,
          iFrame: v.isIFrameOnly ?? false,
          bandwidth: v.bandwidth,
          averageBandwidth: v.averageBandwidth,
          codecs: v.codecs,
          resolution: v.resolution,
          frameRate: v.frameRate,
          renditions: [...v.audio, ...v.subtitles, ...v.closedCaptions].map((r) => [
            r.type,
            r.groupId,
            r.name,
            r.uri,
            r.language,
            r.instreamId,
          ]),
        }));
      const source = independent(text) as HLS.types.MasterPlaylist;
      const ours = independent(rendered) as HLS.types.MasterPlaylist;
      assert.equal(ours.isMasterPlaylist, true);
      assert.deepEqual(variants(ours), variants(source));
      assert.deepEqual(
        ours.sessionDataList.map((d) => [d.id, d.value]),
        source.sessionDataList.map((d) => [d.id, d.value]),
      );
      assert.deepEqual(parseMultivariantPlaylist(rendered), playlist);
    });
  }

  it('types the I-frame playlists and keeps EXT-X-MEDIA of every type', () => {
    const playlist = parseMultivariantPlaylist(MEDIACONVERT_FULL_MULTIVARIANT);

    assert.deepEqual(
      playlist.iFrameStreams?.map((s) => [s.uri, s.bandwidth, s.resolution?.height]),
      [
        ['index_720p_iframes.m3u8', 412000, 720],
        ['index_360p_iframes.m3u8', 120000, 360],
      ],
    );
    assert.deepEqual(
      playlist.media.map((m) => m.attributes.find((a) => a.name === 'TYPE')?.value),
      ['AUDIO', 'SUBTITLES', 'CLOSED-CAPTIONS'],
    );
    assert.deepEqual(playlist.tags, ['#EXT-X-SESSION-DATA:DATA-ID="com.skycast.title",VALUE="Demo"']);
  });
});

const uninterpretedTag = fc.oneof(
  fc.constant('#EXT-X-CUE-IN'),
  fc.integer({ min: 1, max: 120 }).map((s) => `#EXT-X-CUE-OUT:${s}`),
  fc
    .tuple(fc.stringMatching(/^[a-z0-9-]{1,12}$/), fc.integer({ min: 0, max: 86_400 }))
    .map(
      ([id, s]) =>
        `#EXT-X-DATERANGE:ID="${id}",START-DATE="${new Date(Date.UTC(2026, 2, 1) + s * 1000).toISOString()}"`,
    ),
  fc.stringMatching(/^[A-Z]{1,10}$/).map((name) => `#EXT-X-SKYCAST-${name}:V=1`),
);

const mediaPlaylist: fc.Arbitrary<MediaPlaylist> = fc
  .record({
    mediaSequence: fc.integer({ min: 0, max: 100_000 }),
    fmp4: fc.boolean(),
    segments: fc.array(
      fc.record({
        duration: fc.integer({ min: 1, max: 10_000_000 }).map((us) => us / 1_000_000),
        discontinuity: fc.boolean(),
        pdt: fc.option(fc.integer({ min: 0, max: 10 ** 9 }), { nil: undefined }),
        tags: fc.array(uninterpretedTag, { maxLength: 2 }),
      }),
      { minLength: 1, maxLength: 20 },
    ),
    endTags: fc.array(uninterpretedTag, { maxLength: 2 }),
    endList: fc.boolean(),
  })
  .map((spec) => {
    // hls-parser keeps one EXT-X-DATERANGE per segment, so a segment gets at most one.
    const oneDateRange = (tags: string[]) =>
      tags.filter(
        (tag, i) =>
          !tag.startsWith('#EXT-X-DATERANGE') ||
          tags.findIndex((t) => t.startsWith('#EXT-X-DATERANGE')) === i,
      );
    const segments = spec.segments.map((s, i): MediaSegment => {
      const tags = oneDateRange(s.tags);
      return {
        uri: `seg_${i}.${spec.fmp4 ? 'm4s' : 'ts'}`,
        duration: s.duration,
        discontinuity: s.discontinuity,
        // RFC 8216 §4.3.2.7: a playlist with EXT-X-DATERANGE has an EXT-X-PROGRAM-DATE-TIME; the first has one.
        ...(s.pdt === undefined && i > 0
          ? {}
          : { programDateTime: new Date(Date.UTC(2026, 0, 1) + (s.pdt ?? 0)) }),
        ...(spec.fmp4 ? { map: { uri: 'init.mp4' } } : {}),
        ...(tags.length > 0 ? { tags } : {}),
      };
    });
    return {
      kind: 'media',
      version: spec.fmp4 ? 6 : 3,
      targetDuration: Math.max(1, ...segments.map((s) => Math.round(s.duration))),
      mediaSequence: spec.mediaSequence,
      discontinuitySequence: 0,
      independentSegments: false,
      endList: spec.endList,
      segments,
      ...(spec.endTags.length > 0 ? { endTags: spec.endTags } : {}),
    };
  });

describe('renderPlaylist, for any media playlist', () => {
  it('writes what our parser reads back unchanged and hls-parser reads as the same segments and cues', () => {
    fc.assert(
      fc.property(mediaPlaylist, (playlist) => {
        const text = renderPlaylist(playlist);

        assert.deepEqual(parsePlaylist(text), playlist);
        const theirs = independent(text) as HLS.types.MediaPlaylist;
        assert.deepEqual(segmentsOf(theirs), ourSegmentsOf(playlist));
        assert.equal(theirs.mediaSequenceBase ?? 0, playlist.mediaSequence);
        assert.equal(theirs.endlist, playlist.endList);
        playlist.segments.forEach((segment, i) => {
          const their = theirs.segments[i];
          if (segment.programDateTime) {
            assert.equal(their?.programDateTime?.getTime(), segment.programDateTime.getTime());
          }
          const dateRange = segment.tags?.find((tag) => tag.startsWith('#EXT-X-DATERANGE'));
          assert.equal(their?.dateRange?.id, dateRange ? /ID="([^"]*)"/.exec(dateRange)?.[1] : undefined);
          const cues = (segment.tags ?? []).filter((tag) => tag.startsWith('#EXT-X-CUE-'));
          assert.deepEqual(
            (their?.markers ?? []).map((m) => m.type),
            cues.map((tag) => (tag === '#EXT-X-CUE-IN' ? 'IN' : 'OUT')),
          );
        });
      }),
      { numRuns: 200 },
    );
  });
});
