import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type Amf0Value, decodeAmf0, encodeAmf0 } from '../../../../local/ivs/amf0.ts';
import { flvTag, scriptTagData } from '../../../../local/ivs/flv.ts';
import {
  ChunkReader,
  MESSAGE_TYPE,
  type RtmpMessage,
  RtmpProtocolError,
  writeChunks,
} from '../../../../local/ivs/rtmp-chunks.ts';

const amfValue: fc.Arbitrary<Amf0Value> = fc.letrec<{ value: Amf0Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.double({ noNaN: true }),
    fc.boolean(),
    fc.string(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), tie('value'), {
      maxKeys: 4,
      noNullPrototype: true,
    }),
  ),
})).value;

describe('AMF0', () => {
  it('decodes what it encodes, for any sequence of values', () => {
    fc.assert(
      fc.property(fc.array(amfValue, { maxLength: 5 }), (values) => {
        assert.deepEqual(decodeAmf0(encodeAmf0(...values)), values);
      }),
    );
  });

  it('reads a connect command as ffmpeg sends it (bytes written by hand from the AMF0 specification)', () => {
    const bytes = Buffer.concat([
      Buffer.from([0x02, 0x00, 0x07]),
      Buffer.from('connect'),
      Buffer.from([0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0]), // 1.0
      Buffer.from([0x03, 0x00, 0x03]),
      Buffer.from('app'),
      Buffer.from([0x02, 0x00, 0x03]),
      Buffer.from('app'),
      Buffer.from([0x00, 0x00, 0x09]),
    ]);
    assert.deepEqual(decodeAmf0(bytes), ['connect', 1, { app: 'app' }]);
  });

  it('refuses a value cut short', () => {
    const bytes = encodeAmf0('publish', 0, null, 'streamkey');
    assert.throws(() => decodeAmf0(bytes.subarray(0, bytes.length - 3)), /cut short/);
  });
});

const message: fc.Arbitrary<RtmpMessage> = fc.record({
  chunkStreamId: fc.oneof(fc.integer({ min: 2, max: 63 }), fc.integer({ min: 64, max: 65599 })),
  timestamp: fc.oneof(fc.integer({ min: 0, max: 0xfffffe }), fc.integer({ min: 0xffffff, max: 0xffffffff })),
  typeId: fc.constantFrom(
    MESSAGE_TYPE.audio,
    MESSAGE_TYPE.video,
    MESSAGE_TYPE.dataAmf0,
    MESSAGE_TYPE.commandAmf0,
  ),
  messageStreamId: fc.integer({ min: 0, max: 10 }),
  payload: fc.uint8Array({ minLength: 0, maxLength: 3000 }).map((bytes) => Buffer.from(bytes)),
});

describe('RTMP chunk stream', () => {
  it('reassembles messages from chunks of any size, whatever the bytes are split into', () => {
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 20 }),
        (messages, chunkSize, splits) => {
          const reader = new ChunkReader();
          reader.chunkSize = chunkSize;
          const bytes = Buffer.concat(messages.map((m) => writeChunks(m, chunkSize)));
          const got: RtmpMessage[] = [];
          let offset = 0;
          let i = 0;
          while (offset < bytes.length) {
            const size = splits[i % splits.length] as number;
            got.push(...reader.push(bytes.subarray(offset, offset + size)));
            offset += size;
            i += 1;
          }
          assert.deepEqual(
            got.map((m) => ({ ...m, payload: m.payload.toString('hex') })),
            messages.map((m) => ({ ...m, payload: m.payload.toString('hex') })),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('applies Set Chunk Size to the chunks that follow it', () => {
    const reader = new ChunkReader();
    const size = Buffer.alloc(4);
    size.writeUInt32BE(4096, 0);
    const video: RtmpMessage = {
      chunkStreamId: 6,
      timestamp: 40,
      typeId: MESSAGE_TYPE.video,
      messageStreamId: 1,
      payload: Buffer.alloc(5000, 7),
    };
    const bytes = Buffer.concat([
      writeChunks(
        {
          chunkStreamId: 2,
          timestamp: 0,
          typeId: MESSAGE_TYPE.setChunkSize,
          messageStreamId: 0,
          payload: size,
        },
        128,
      ),
      writeChunks(video, 4096),
    ]);
    const messages = reader.push(bytes);
    assert.equal(reader.chunkSize, 4096);
    assert.equal(messages.length, 2);
    assert.equal(messages[1]?.payload.length, 5000);
  });

  it('adds type 1 and type 2 header deltas to the previous timestamp (RTMP specification 5.3.1.2)', () => {
    const reader = new ChunkReader();
    // Type 0: ts 1000, length 1, audio, stream 1; then type 2 (delta 20) and type 3 (delta again).
    const type0 = Buffer.from([0x04, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x01, 0x08, 0x01, 0, 0, 0, 0xaa]);
    const type2 = Buffer.from([0x84, 0x00, 0x00, 0x14, 0xbb]);
    const type3 = Buffer.from([0xc4, 0xcc]);
    const messages = reader.push(Buffer.concat([type0, type2, type3]));
    assert.deepEqual(
      messages.map((m) => m.timestamp),
      [1000, 1020, 1040],
    );
  });

  it('refuses a chunk stream that starts without a full header', () => {
    assert.throws(() => new ChunkReader().push(Buffer.from([0xc4, 0x00])), RtmpProtocolError);
  });
});

describe('FLV', () => {
  it('writes a tag with its 24+8-bit timestamp and the previous tag size after it', () => {
    const tag = flvTag(9, 0x01020304, Buffer.from([1, 2, 3]));
    assert.equal(tag[0], 9);
    assert.equal(tag.readUIntBE(1, 3), 3);
    assert.equal(tag.readUIntBE(4, 3), 0x020304);
    assert.equal(tag[7], 0x01);
    assert.equal(tag.readUInt32BE(tag.length - 4), 14);
  });

  it('turns @setDataFrame into the onMetaData script data', () => {
    const data = scriptTagData(encodeAmf0('@setDataFrame', 'onMetaData', { width: 1280 }));
    assert.deepEqual(decodeAmf0(data), ['onMetaData', { width: 1280 }]);
  });
});
