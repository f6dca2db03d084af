import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildLadder,
  MAX_SIDE,
  type SourceMedia,
  UntranscodableSourceError,
} from '../../../lambdas/transcoding/ladder.ts';

const video = (
  width: number,
  height: number,
  rotation: 0 | 90 | 180 | 270 = 0,
  hasAudio = true,
): SourceMedia => ({
  video: { width, height, rotation },
  hasAudio,
});
const sizes = (source: SourceMedia) => buildLadder(source).renditions.map((r) => `${r.width}x${r.height}`);

describe('buildLadder', () => {
  it('gives a 4K source five rungs from 2160p down to 360p', () => {
    assert.deepEqual(sizes(video(3840, 2160)), ['3840x2160', '1920x1080', '1280x720', '852x480', '640x360']);
  });

  it('gives a 1080p source four rungs and never upscales', () => {
    assert.deepEqual(sizes(video(1920, 1080)), ['1920x1080', '1280x720', '852x480', '640x360']);
  });

  it('gives a 720p source three rungs', () => {
    assert.deepEqual(sizes(video(1280, 720)), ['1280x720', '852x480', '640x360']);
  });

  it('gives a 480p source two rungs', () => {
    assert.deepEqual(sizes(video(854, 480)), ['854x480', '640x360']);
  });

  it('keeps a 4:3 source at 4:3', () => {
    assert.deepEqual(sizes(video(1440, 1080)), ['1440x1080', '960x720', '640x480', '480x360']);
  });

  it('gives a portrait source portrait renditions sized by their short side', () => {
    const ladder = buildLadder(video(1080, 1920));

    assert.equal(ladder.orientation, 'portrait');
    assert.deepEqual(sizes(video(1080, 1920)), ['1080x1920', '720x1280', '480x852', '360x640']);
  });

  it('turns a phone video recorded sideways upright from its rotation metadata', () => {
    const ladder = buildLadder(video(1920, 1080, 90));

    assert.equal(ladder.orientation, 'portrait');
    assert.deepEqual(sizes(video(1920, 1080, 90)), sizes(video(1080, 1920)));
    assert.deepEqual(sizes(video(1920, 1080, 180)), sizes(video(1920, 1080)));
  });

  it('adds a rendition at the source size when it sits well above the best standard rung', () => {
    assert.deepEqual(sizes(video(2560, 1440)), ['2560x1440', '1920x1080', '1280x720', '852x480', '640x360']);
    // Just above a rung is not worth another rendition.
    assert.deepEqual(sizes(video(1920, 1088)), ['1904x1080', '1270x720', '846x480', '634x360']);
  });

  it('handles odd sizes with even dimensions no larger than the source', () => {
    const renditions = buildLadder(video(1001, 563)).renditions;

    assert.deepEqual(
      renditions.map((r) => `${r.width}x${r.height}`),
      ['1000x562', '852x480', '640x360'],
    );
    for (const r of renditions) {
      assert.equal(r.width % 2, 0);
      assert.equal(r.height % 2, 0);
      assert.ok(r.width <= 1001 && r.height <= 563);
    }
  });

  it('encodes a source smaller than the smallest rung once, at its own size', () => {
    assert.deepEqual(sizes(video(320, 240)), ['320x240']);
  });

  it('refuses a frame smaller than MediaConvert accepts, with a reason a person can read', () => {
    assert.throws(
      () => buildLadder(video(24, 24)),
      (error: Error) => {
        return error instanceof UntranscodableSourceError && /24×24 pixels/.test(error.message);
      },
    );
  });

  it('keeps every side within MediaConvert limits for an extreme aspect ratio', () => {
    for (const r of buildLadder(video(12000, 400)).renditions) {
      assert.ok(r.width <= MAX_SIDE && r.height >= 32, `${r.width}x${r.height}`);
    }
  });

  it('has a ladder without audio when the source has no sound', () => {
    const ladder = buildLadder(video(1920, 1080, 0, false));

    assert.equal(ladder.audio, undefined);
    assert.equal(ladder.renditions.length, 4);
  });

  it('has audio only for a source without a picture', () => {
    const ladder = buildLadder({ hasAudio: true });

    assert.deepEqual(ladder.renditions, []);
    assert.equal(ladder.audio?.codec, 'AAC');
  });

  it('caps bitrate lower for every step down the ladder', () => {
    const rates = buildLadder(video(3840, 2160)).renditions.map((r) => r.maxBitrate);

    assert.deepEqual(
      rates,
      [...rates].sort((a, b) => b - a),
    );
    assert.equal(new Set(rates).size, rates.length);
  });
});
