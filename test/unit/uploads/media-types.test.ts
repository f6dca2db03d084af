import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uploadKey } from '#contract/media-layout.ts';
import { AUDIO_EXTENSIONS, acceptedMediaContentType, VIDEO_EXTENSIONS } from '#contract/media-types.ts';

describe('acceptedMediaContentType', () => {
  it('keeps a video/* type as the browser gave it, without parameters', () => {
    assert.equal(acceptedMediaContentType('clip.mp4', 'video/mp4'), 'video/mp4');
    assert.equal(acceptedMediaContentType('clip', 'Video/QuickTime; codecs="avc1"'), 'video/quicktime');
    assert.equal(acceptedMediaContentType('notes.txt', 'video/x-anything'), 'video/x-anything');
  });

  it('accepts a known video extension whatever type the browser guessed, and stores its video type', () => {
    assert.equal(acceptedMediaContentType('holiday.MKV', ''), 'video/x-matroska');
    assert.equal(acceptedMediaContentType('stream.ts', 'application/typescript'), 'video/mp2t');
    assert.equal(acceptedMediaContentType('camera.mxf', 'application/octet-stream'), 'application/mxf');
  });

  it('accepts the audio files the pipeline makes audio-only videos of, by type or by extension', () => {
    assert.equal(acceptedMediaContentType('song.mp3', 'audio/mpeg'), 'audio/mpeg');
    assert.equal(acceptedMediaContentType('audio-only.m4a', 'audio/mp4'), 'audio/mp4');
    assert.equal(acceptedMediaContentType('take.WAV', 'Audio/Wav; codecs=1'), 'audio/wav');
    for (const [fileName, stored] of [
      ['voice.m4a', 'audio/mp4'],
      ['song.mp3', 'audio/mpeg'],
      ['take.wav', 'audio/wav'],
      ['master.flac', 'audio/flac'],
      ['podcast.ogg', 'audio/ogg'],
      ['memo.opus', 'audio/ogg'],
    ] as const) {
      assert.equal(acceptedMediaContentType(fileName, 'application/octet-stream'), stored, fileName);
      assert.equal(acceptedMediaContentType(fileName, ''), stored, fileName);
    }
  });

  it('refuses what is neither video/* nor audio/* nor a known extension', () => {
    for (const [fileName, contentType] of [
      ['photo.png', 'image/png'],
      ['notes.txt', 'text/plain'],
      ['archive', 'application/octet-stream'],
      ['clip', ''],
      ['clip', 'video'],
      ['report.pdf', 'video/'],
    ] as const) {
      assert.equal(acceptedMediaContentType(fileName, contentType), undefined, `${fileName} ${contentType}`);
    }
  });

  it('stores the original of every accepted extension with that extension', () => {
    for (const extension of [...Object.keys(VIDEO_EXTENSIONS), ...Object.keys(AUDIO_EXTENSIONS)]) {
      assert.ok(uploadKey('u', 'v', `clip.${extension}`).endsWith(`/source.${extension}`), extension);
    }
  });
});
