import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import HLS from 'hls-parser';
import {
  type MediaPlaylist,
  type MediaSegment,
  parseMediaPlaylist,
  parseMultivariantPlaylist,
} from '../../../lambdas/contract/hls/index.ts';
import {
  clipRange,
  cutMediaPlaylist,
  playlistDuration,
  renderClipMultivariant,
  renderClipPlaylist,
} from '../../../lambdas/delivery/clips.ts';
import { ClipTooLongError, InvalidClipRangeError } from '../../../lambdas/delivery/errors.ts';
import { IVS_LIVE_WITH_CUES, MEDIACONVERT_FULL_MULTIVARIANT } from '../contract/hls-fixtures.ts';
import {
  FMP4_PLAYLIST,
  IVS_RECORDING_720P,
  MEDIACONVERT_720P,
  MEDIACONVERT_MULTIVARIANT,
} from './playlists.ts';

HLS.setOptions({ strictMode: true });

const uris = (playlist: MediaPlaylist) => playlist.segments.map((s) => s.uri);

describe('clipRange', () => {
  const source = { durationSeconds: 27.2, maxClipSeconds: 20 };

  it('returns a range inside the source and within the length limit', () => {
    assert.deepEqual(clipRange({ start: 3, end: 21.5 }, source), { start: 3, end: 21.5 });
  });

  it('rejects a range that is reversed, negative, not a number or past the end, saying why', () => {
    const invalid = (asked: { start: unknown; end: unknown }, message: RegExp) =>
      assert.throws(
        () => clipRange(asked, source),
        (e) =>
          e instanceof InvalidClipRangeError && e.code === 'INVALID_CLIP_RANGE' && message.test(e.message),
      );
    invalid({ start: 5, end: 5 }, /Clip end \(5 s\) must be after its start \(5 s\)/);
    invalid({ start: -1, end: 5 }, /start must be a number of seconds of at least 0, got -1/);
    invalid({ start: '1', end: 5 }, /start must be/);
    invalid({ start: 1, end: Number.NaN }, /end must be a number of seconds, got NaN/);
    invalid({ start: 10, end: 27.3 }, /past the end of the source \(27.2 s\)/);
  });

  it('rejects a clip longer than the limit with its own code', () => {
    assert.throws(
      () => clipRange({ start: 0, end: 20.5 }, source),
      (e) => e instanceof ClipTooLongError && e.code === 'CLIP_TOO_LONG' && /at most 20 s/.test(e.message),
    );
  });
});

describe('renderClipPlaylist', () => {
  it('snaps a MediaConvert rendition outward to whole 6 s segments, as a VOD playlist', () => {
    const clip = parseMediaPlaylist(
      renderClipPlaylist(parseMediaPlaylist(MEDIACONVERT_720P), { start: 7, end: 12 }),
    );

    assert.deepEqual(uris(clip), ['index_720p_00002.ts']);
    assert.equal(clip.mediaSequence, 2);
    assert.equal(clip.targetDuration, 6);
    assert.equal(clip.playlistType, 'VOD');
    assert.equal(clip.endList, true);
  });

  it('keeps the last short segment and a target duration from the kept segments only', () => {
    const source = parseMediaPlaylist(MEDIACONVERT_720P);

    const clip = cutMediaPlaylist(source, { start: 24, end: playlistDuration(source) });

    assert.deepEqual(uris(clip), ['index_720p_00005.ts']);
    assert.equal(clip.targetDuration, 4);
  });

  it('moves the date-time of an IVS recording on by the skipped segments', () => {
    const clip = parseMediaPlaylist(
      renderClipPlaylist(parseMediaPlaylist(IVS_RECORDING_720P), { start: 4.2, end: 8 }),
    );

    assert.deepEqual(uris(clip), ['2.ts', '3.ts', '4.ts']);
    assert.equal(clip.segments[0]?.programDateTime?.toISOString(), '2026-03-01T10:00:04.000Z');
    assert.equal(clip.segments[1]?.discontinuity, true);
    assert.equal(clip.segments[1]?.programDateTime?.toISOString(), '2026-03-01T10:05:00.000Z');
    assert.equal(clip.discontinuitySequence, 0);
    assert.equal(clip.mediaSequence, 2);
    assert.equal(clip.targetDuration, 2);
  });

  it('starting at a discontinuity, counts it in EXT-X-DISCONTINUITY-SEQUENCE instead of repeating it', () => {
    const clip = parseMediaPlaylist(
      renderClipPlaylist(parseMediaPlaylist(IVS_RECORDING_720P), { start: 5.6, end: 9 }),
    );

    assert.deepEqual(uris(clip), ['3.ts', '4.ts']);
    assert.equal(clip.segments[0]?.discontinuity, false);
    assert.equal(clip.discontinuitySequence, 1);
    assert.equal(clip.segments[0]?.programDateTime?.toISOString(), '2026-03-01T10:05:00.000Z');
  });

  it('keeps the EXT-X-MAP in effect and resolved byte ranges when the clip starts mid-resource', () => {
    const text = renderClipPlaylist(parseMediaPlaylist(FMP4_PLAYLIST), { start: 7, end: 17 });
    const clip = parseMediaPlaylist(text);

    assert.match(text, /#EXT-X-MAP:URI="init_a.mp4",BYTERANGE="720@0"\n/);
    assert.match(text, /#EXT-X-BYTERANGE:1200@1720\n/);
    assert.deepEqual(
      clip.segments.map((s) => [s.uri, s.map?.uri, s.discontinuity]),
      [
        ['main_a.mp4', 'init_a.mp4', false],
        ['main_a.mp4', 'init_a.mp4', false],
        ['b_1.m4s', 'init_b.mp4', true],
      ],
    );
    assert.equal(clip.targetDuration, 7);
    assert.equal(clip.mediaSequence, 11);
    const independent = HLS.parse(text) as HLS.types.MediaPlaylist;
    assert.deepEqual(
      independent.segments.map((s) => [s.uri, s.map?.uri, s.byterange?.offset]),
      [
        ['main_a.mp4', 'init_a.mp4', 1720],
        ['main_a.mp4', 'init_a.mp4', 2920],
        ['b_1.m4s', 'init_b.mp4', undefined],
      ],
    );
  });

  it('keeps the ad cues and date ranges on the segments it keeps, and those after the end only with the last', () => {
    const source = parseMediaPlaylist(IVS_LIVE_WITH_CUES);

    const middle = parseMediaPlaylist(renderClipPlaylist(source, { start: 2, end: 4 }));
    const tail = parseMediaPlaylist(renderClipPlaylist(source, { start: 6.5, end: 7.9 }));

    assert.deepEqual(uris(middle), ['1043.ts']);
    assert.deepEqual(middle.segments[0]?.tags, source.segments[1]?.tags);
    assert.equal(middle.endTags, undefined);
    assert.deepEqual(uris(tail), ['1045.ts']);
    assert.deepEqual(tail.segments[0]?.tags, [
      '#EXT-X-CUE-IN',
      '#EXT-X-SKYCAST-FUTURE:REASON="not invented yet"',
    ]);
    assert.deepEqual(tail.endTags, source.endTags);
  });

  it('leaves the I-frame playlists out of a clip’s multivariant playlist, keeping its other tags', () => {
    const text = renderClipMultivariant(
      parseMultivariantPlaylist(MEDIACONVERT_FULL_MULTIVARIANT),
      (uri) => uri,
    );

    assert.doesNotMatch(text, /I-FRAME/);
    assert.match(text, /#EXT-X-SESSION-DATA:/);
    assert.equal(parseMultivariantPlaylist(text).media.length, 3);
  });

  it('refuses a range that no segment covers', () => {
    assert.throws(
      () => cutMediaPlaylist(parseMediaPlaylist(MEDIACONVERT_720P), { start: 30, end: 31 }),
      InvalidClipRangeError,
    );
  });
});

describe('renderClipMultivariant', () => {
  it('points every variant at its clip sub-playlist, and aligned renditions cut to the same times', () => {
    const multivariant = parseMultivariantPlaylist(MEDIACONVERT_MULTIVARIANT);
    const range = { start: 5, end: 13 };

    const text = renderClipMultivariant(multivariant, (uri) => `clip-abc/${uri}`);

    const independent = HLS.parse(text) as HLS.types.MasterPlaylist;
    assert.deepEqual(
      independent.variants.map((v) => v.uri),
      multivariant.variants.map((v) => `clip-abc/${v.uri}`),
    );
    const cuts = ['720p', '1080p'].map((name) =>
      cutMediaPlaylist(parseMediaPlaylist(MEDIACONVERT_720P.replaceAll('720p', name)), range),
    );
    assert.deepEqual(
      cuts.map((c) => [c.mediaSequence, c.segments.map((s) => s.duration)]),
      [
        [1, [6, 6, 6]],
        [1, [6, 6, 6]],
      ],
    );
  });
});

/** A source playlist with random segment durations, discontinuities, date-times and init sections. */
const sourcePlaylist = fc
  .array(
    fc.record({
      duration: fc.integer({ min: 100, max: 6000 }).map((ms) => ms / 1000),
      discontinuity: fc.boolean(),
      pdt: fc.boolean(),
      newMap: fc.boolean(),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .chain((specs) =>
    fc.record({
      specs: fc.constant(specs),
      mediaSequence: fc.integer({ min: 0, max: 1000 }),
      fmp4: fc.boolean(),
    }),
  )
  .map(({ specs, mediaSequence, fmp4 }): MediaPlaylist => {
    let map: MediaSegment['map'];
    const segments = specs.map((spec, i): MediaSegment => {
      if (fmp4 && (i === 0 || spec.newMap)) map = { uri: `init_${i}.mp4` };
      return {
        uri: `seg_${i}.${fmp4 ? 'm4s' : 'ts'}`,
        duration: spec.duration,
        discontinuity: i > 0 && spec.discontinuity,
        ...(i === 0 || spec.pdt ? { programDateTime: new Date(Date.UTC(2026, 2, 1, 10, 0, i)) } : {}),
        ...(map ? { map } : {}),
      };
    });
    return {
      kind: 'media',
      version: 3,
      targetDuration: Math.ceil(Math.max(...segments.map((s) => s.duration))),
      mediaSequence,
      discontinuitySequence: 0,
      playlistType: 'VOD',
      independentSegments: false,
      endList: true,
      segments,
    };
  });

const sourceAndRange = sourcePlaylist.chain((source) => {
  const total = playlistDuration(source);
  return fc
    .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([a, b]) => [Math.min(a, b) * total, Math.max(a, b) * total] as const)
    .filter(([start, end]) => start < end && end <= total)
    .map(([start, end]) => ({ source, start, end }));
});

describe('renderClipPlaylist, for any range inside the source', () => {
  it('covers [start, end) within one segment on each side, with source segments in order', () => {
    fc.assert(
      fc.property(sourceAndRange, ({ source, start, end }) => {
        const clip = parseMediaPlaylist(renderClipPlaylist(source, { start, end }));

        const first = clip.mediaSequence - source.mediaSequence;
        const expected = source.segments.slice(first, first + clip.segments.length);
        assert.deepEqual(
          clip.segments.map((s) => [s.uri, s.duration, s.map?.uri]),
          expected.map((s) => [s.uri, s.duration, s.map?.uri]),
        );
        const clipStart = playlistDuration({ ...source, segments: source.segments.slice(0, first) });
        const clipEnd = clipStart + playlistDuration(clip);
        const epsilon = 1e-6;
        assert.ok(
          clipStart <= start + epsilon && start - clipStart < (clip.segments[0]?.duration ?? 0) + epsilon,
        );
        assert.ok(
          clipEnd >= end - epsilon && clipEnd - end < (clip.segments.at(-1)?.duration ?? 0) + epsilon,
        );
        for (const segment of clip.segments) assert.ok(clip.targetDuration >= Math.round(segment.duration));
        assert.ok(clip.endList && clip.playlistType === 'VOD');
      }),
      { numRuns: 300 },
    );
  });

  it('keeps discontinuities between kept segments, the date-time in effect, and parses alike in hls-parser', () => {
    fc.assert(
      fc.property(sourceAndRange, ({ source, start, end }) => {
        const text = renderClipPlaylist(source, { start, end });
        const clip = parseMediaPlaylist(text);

        const first = clip.mediaSequence - source.mediaSequence;
        const kept = source.segments.slice(first, first + clip.segments.length);
        assert.deepEqual(
          clip.segments.slice(1).map((s) => s.discontinuity),
          kept.slice(1).map((s) => s.discontinuity),
        );
        const before = source.segments.slice(0, first + 1).filter((s) => s.discontinuity).length;
        assert.equal(clip.discontinuitySequence, source.discontinuitySequence + before);
        // The source's first segment always has a date-time; the clip's first one is derived from the last
        // one written, plus the durations between.
        const written = source.segments.findLastIndex((s, i) => i <= first && s.programDateTime);
        const between = playlistDuration({ ...source, segments: source.segments.slice(written, first) });
        const derived =
          (source.segments[written]?.programDateTime?.getTime() ?? 0) + Math.round(between * 1000);
        assert.equal(clip.segments[0]?.programDateTime?.getTime(), derived);

        const independent = HLS.parse(text) as HLS.types.MediaPlaylist;
        assert.equal(independent.isMasterPlaylist, false);
        assert.equal(independent.mediaSequenceBase, clip.mediaSequence);
        assert.equal(independent.discontinuitySequenceBase, clip.discontinuitySequence);
        assert.equal(independent.targetDuration, clip.targetDuration);
        assert.equal(independent.endlist, true);
        assert.deepEqual(
          independent.segments.map((s) => [s.uri, s.duration, s.discontinuity ?? false, s.map?.uri]),
          clip.segments.map((s) => [s.uri, s.duration, s.discontinuity, s.map?.uri]),
        );
      }),
      { numRuns: 300 },
    );
  });
});
