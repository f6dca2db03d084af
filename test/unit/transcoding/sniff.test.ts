import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sniffContainer } from '../../../lambdas/transcoding/sniff.ts';

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(
    parts.flatMap((part) => (typeof part === 'string' ? [...Buffer.from(part, 'latin1')] : part)),
  );
const padded = (head: Uint8Array, length = 4096) => {
  const out = new Uint8Array(length);
  out.set(head);
  return out;
};

describe('sniffContainer', () => {
  for (const [name, head, format] of [
    ['an MP4', bytes([0, 0, 0, 0x20], 'ftypisom', [0, 0, 2, 0]), 'mp4'],
    ['an iPhone MOV', bytes([0, 0, 0, 0x14], 'ftypqt  ', [0, 0, 0, 0]), 'quicktime'],
    ['an old MOV starting with a wide atom', bytes([0, 0, 0, 8], 'wide', [0, 0, 0, 0]), 'quicktime'],
    [
      'a Matroska file',
      bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 1], 'B\u0082\u0088matroska'),
      'matroska',
    ],
    ['a WebM file', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 1], 'B\u0082\u0084webm'), 'webm'],
    ['an AVI', bytes('RIFF', [0, 0, 0, 0], 'AVI LIST'), 'avi'],
    ['an FLV', bytes('FLV', [1, 5, 0, 0, 0, 9, 0, 0, 0]), 'flv'],
    ['an MPEG program stream', bytes([0, 0, 1, 0xba, 0x44, 0, 4, 0, 4, 1, 1, 0x89]), 'mpegps'],
    ['an M4A (audio in MP4)', bytes([0, 0, 0, 0x1c], 'ftypM4A ', [0, 0, 2, 0]), 'mp4'],
    ['a WAV', bytes('RIFF', [0x24, 0, 0, 0], 'WAVEfmt '), 'wav'],
    ['an MP3 with an ID3 tag', bytes('ID3', [4, 0, 0, 0, 0, 0, 0]), 'mp3'],
    ['an MP3 starting with a frame header', bytes([0xff, 0xfb, 0x90, 0x64]), 'mp3'],
    ['a FLAC file', bytes('fLaC', [0, 0, 0, 0x22]), 'flac'],
    ['an Ogg (Opus or Vorbis)', bytes('OggS', [0, 2, 0, 0, 0, 0]), 'ogg'],
  ] as const) {
    it(`recognises ${name}`, () => {
      assert.deepEqual(sniffContainer(padded(head)), { supported: true, format });
    });
  }

  it('recognises an MPEG transport stream by its sync bytes', () => {
    const ts = new Uint8Array(188 * 5);
    for (let i = 0; i < 5; i++) ts[i * 188] = 0x47;

    assert.deepEqual(sniffContainer(ts), { supported: true, format: 'mpegts' });
  });

  it('refuses an empty file', () => {
    assert.deepEqual(sniffContainer(new Uint8Array()), { supported: false, reason: 'The file is empty.' });
  });

  for (const [name, head, says] of [
    ['a PNG', bytes([0x89], 'PNG\r\n\u001a\n'), 'a PNG image'],
    ['a JPEG', bytes([0xff, 0xd8, 0xff, 0xe0]), 'a JPEG image'],
    ['a PDF', bytes('%PDF-1.7'), 'a PDF document'],
  ] as const) {
    it(`refuses ${name}, saying what it looks like`, () => {
      const result = sniffContainer(padded(head));

      assert.equal(result.supported, false);
      assert.match(result.supported ? '' : result.reason, new RegExp(`looks like ${says}`));
    });
  }

  it('refuses text with a list of what it accepts', () => {
    const result = sniffContainer(padded(bytes('hello, this is not a video at all')));

    assert.deepEqual(result, {
      supported: false,
      reason:
        'This is not a video format we recognise, nor an audio one. ' +
        'Upload a video (MP4, MOV, MKV, WebM, AVI or MPEG-TS) or audio (M4A, MP3, WAV, FLAC or Ogg).',
    });
  });
});
