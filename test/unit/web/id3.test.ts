import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { id3Tag } from '../../../local/ivs/timed-metadata.ts';
import { id3TextFrames } from '../../../web/src/player/id3.ts';

/** A v2.3 tag (plain frame sizes) with the given frames, as other encoders write them. */
function v23(frames: { id: string; body: Buffer }[]): Uint8Array {
  const bodies = frames.map(({ id, body }) => {
    const header = Buffer.alloc(10);
    header.write(id, 0, 'latin1');
    header.writeUInt32BE(body.length, 4);
    return Buffer.concat([header, body]);
  });
  const all = Buffer.concat(bodies);
  const size = all.length;
  const header = Buffer.from([
    0x49,
    0x44,
    0x33,
    3,
    0,
    0,
    (size >> 21) & 0x7f,
    (size >> 14) & 0x7f,
    (size >> 7) & 0x7f,
    size & 0x7f,
  ]);
  return Buffer.concat([header, all]);
}

describe("the web player's ID3 reader", () => {
  it('reads the TXXX value the local IVS writes, of any length and script', () => {
    for (const payload of ['{"v":1}', `{"text":"${'é'.repeat(400)}"}`, '🔥 «news» 中文'])
      assert.deepEqual(id3TextFrames(id3Tag(payload)), [payload]);
  });

  it('reads v2.3 tags, UTF-16 values and descriptions, and skips other frames', () => {
    const utf16 = Buffer.concat([
      Buffer.from([1, 0xff, 0xfe, 0x64, 0, 0, 0]),
      Buffer.from('\ufeffhello', 'utf16le'),
    ]);
    const tag = v23([
      { id: 'TIT2', body: Buffer.from('\u0003A title', 'latin1') },
      { id: 'TXXX', body: Buffer.concat([Buffer.from([3]), Buffer.from('desc\u0000value one', 'utf8')]) },
      { id: 'TXXX', body: utf16 },
    ]);
    assert.deepEqual(id3TextFrames(tag), ['value one', 'hello']);
  });

  it('gives what it could read of a truncated or foreign buffer, and nothing of garbage', () => {
    const whole = id3Tag('complete');
    assert.deepEqual(id3TextFrames(whole.subarray(0, whole.length - 3)), ['compl']);
    assert.deepEqual(id3TextFrames(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])), []);
    assert.deepEqual(id3TextFrames(new Uint8Array()), []);
  });
});
