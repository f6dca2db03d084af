import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uploadKey } from '#contract/media-layout.ts';
import { acceptedVideoContentType, VIDEO_EXTENSIONS } from '#contract/media-types.ts';

describe('acceptedVideoContentType', () => {
  it('keeps a video/* type as the browser gave it, without parameters', () => {
    assert.equal(acceptedVideoContentType('clip.mp4', 'video/mp4'), 'video/mp4');
    assert.equal(acceptedVideoContentType('clip', 'Video/QuickTime; codecs="avc1"'), 'video/quicktime');
    assert.equal(acceptedVideoContentType('notes.txt', 'video/x-anything'), 'video/x-anything');
  });

  it('accepts a known video extension whatever type the browser guessed, and stores its video type', () => {
    assert.equal(acceptedVideoContentType('holiday.MKV', ''), 'video/x-matroska');
    assert.equal(acceptedVideoContentType('stream.ts', 'application/typescript'), 'video/mp2t');
    assert.equal(acceptedVideoContentType('camera.mxf', 'application/octet-stream'), 'application/mxf');
  });

  it('refuses what is neither video/* nor a known video extension', () => {
    for (const [fileName, contentType] of [
      ['photo.png', 'image/png'],
      ['song.mp3', 'audio/mpeg'],
      ['archive', 'application/octet-stream'],
      ['clip', ''],
      ['clip', 'video'],
      ['report.pdf', 'video/'],
    ] as const) {
      assert.equal(acceptedVideoContentType(fileName, contentType), undefined, `${fileName} ${contentType}`);
    }
  });

  it('stores the original of every accepted extension with that extension', () => {
    for (const extension of Object.keys(VIDEO_EXTENSIONS)) {
      assert.ok(uploadKey('u', 'v', `clip.${extension}`).endsWith(`/source.${extension}`), extension);
    }
  });
});
