/**
 * RTMP's chunk stream (the RTMP specification, section 5.3): messages are cut into chunks of at most the
 * peer's chunk size, interleaved by chunk stream id, each with a header that may leave out what it shares
 * with the previous chunk of its chunk stream. `ChunkReader` reassembles messages from any split of the
 * bytes; `writeChunks` cuts one message into chunks. Pure: no sockets here.
 */

/** A whole RTMP message. */
export interface RtmpMessage {
  chunkStreamId: number;
  /** Milliseconds, 32-bit wrapping. */
  timestamp: number;
  typeId: number;
  messageStreamId: number;
  payload: Buffer;
}

export const MESSAGE_TYPE = {
  setChunkSize: 1,
  abort: 2,
  acknowledgement: 3,
  userControl: 4,
  windowAckSize: 5,
  setPeerBandwidth: 6,
  audio: 8,
  video: 9,
  dataAmf3: 15,
  commandAmf3: 17,
  dataAmf0: 18,
  commandAmf0: 20,
} as const;

export class RtmpProtocolError extends Error {
  override name = 'RtmpProtocolError';
}

/** The largest message we accept: a keyframe of a 4K stream fits many times over. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const EXTENDED = 0xffffff;

interface ChunkStreamState {
  timestamp: number;
  /** The header's timestamp field as last sent (absolute for type 0, a delta otherwise). */
  timestampField: number;
  extended: boolean;
  length: number;
  typeId: number;
  messageStreamId: number;
  /** The message being assembled, if one is under way. */
  parts: Buffer[];
  received: number;
}

/** Reassembles RTMP messages from bytes as they come off a socket. */
export class ChunkReader {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly streams = new Map<number, ChunkStreamState>();
  /** The peer's chunk size: 128 until it sends Set Chunk Size. */
  chunkSize = 128;

  /** Adds bytes; returns every message they complete. Set Chunk Size applies at once to what follows. */
  push(bytes: Buffer): RtmpMessage[] {
    this.buffer = this.buffer.length === 0 ? bytes : Buffer.concat([this.buffer, bytes]);
    const messages: RtmpMessage[] = [];
    for (;;) {
      const message = this.readChunk();
      if (message === null) break;
      if (message === undefined) continue;
      if (message.typeId === MESSAGE_TYPE.setChunkSize) {
        if (message.payload.length < 4) throw new RtmpProtocolError('Set Chunk Size without a size');
        const size = message.payload.readUInt32BE(0) & 0x7fffffff;
        if (size < 1) throw new RtmpProtocolError('Set Chunk Size of 0');
        this.chunkSize = size;
      } else if (message.typeId === MESSAGE_TYPE.abort && message.payload.length >= 4) {
        const aborted = this.streams.get(message.payload.readUInt32BE(0));
        if (aborted) {
          aborted.parts = [];
          aborted.received = 0;
        }
      }
      messages.push(message);
    }
    return messages;
  }

  /** One chunk: null if the buffer holds no whole chunk yet, undefined if it did not complete a message. */
  private readChunk(): RtmpMessage | null | undefined {
    const data = this.buffer;
    if (data.length < 1) return null;
    const first = data[0] as number;
    const fmt = first >> 6;
    let csid = first & 0x3f;
    let at = 1;
    if (csid === 0) {
      if (data.length < 2) return null;
      csid = 64 + (data[1] as number);
      at = 2;
    } else if (csid === 1) {
      if (data.length < 3) return null;
      csid = 64 + (data[1] as number) + (data[2] as number) * 256;
      at = 3;
    }
    const headerBytes = [11, 7, 3, 0][fmt] as number;
    if (data.length < at + headerBytes) return null;
    let state = this.streams.get(csid);
    if (!state) {
      if (fmt !== 0) throw new RtmpProtocolError(`Chunk stream ${csid} starts without a full header`);
      state = {
        timestamp: 0,
        timestampField: 0,
        extended: false,
        length: 0,
        typeId: 0,
        messageStreamId: 0,
        parts: [],
        received: 0,
      };
    }
    let field = state.timestampField;
    let extended = state.extended;
    let length = state.length;
    let typeId = state.typeId;
    let messageStreamId = state.messageStreamId;
    if (fmt <= 2) {
      field = data.readUIntBE(at, 3);
      extended = field === EXTENDED;
    }
    if (fmt <= 1) {
      length = data.readUIntBE(at + 3, 3);
      typeId = data[at + 6] as number;
    }
    if (fmt === 0) messageStreamId = data.readUInt32LE(at + 7);
    at += headerBytes;
    if (extended) {
      if (data.length < at + 4) return null;
      // Type 3 chunks repeat the extended field; for a type 0-2 header it is the real value.
      field = fmt <= 2 ? data.readUInt32BE(at) : state.timestampField;
      at += 4;
    }
    if (length > MAX_MESSAGE_BYTES) throw new RtmpProtocolError(`A message of ${length} bytes is too large`);
    const startsMessage = state.received === 0;
    const take = Math.min(this.chunkSize, length - (startsMessage ? 0 : state.received));
    if (data.length < at + take) return null;

    // The whole chunk is here: commit the header and its payload.
    this.buffer = data.subarray(at + take);
    if (startsMessage) {
      if (fmt === 0) state.timestamp = field;
      else state.timestamp = (state.timestamp + field) >>> 0;
    }
    state.timestampField = field;
    state.extended = extended;
    state.length = length;
    state.typeId = typeId;
    state.messageStreamId = messageStreamId;
    this.streams.set(csid, state);
    state.parts.push(data.subarray(at, at + take));
    state.received += take;
    if (state.received < length) return undefined;
    const payload = Buffer.concat(state.parts);
    state.parts = [];
    state.received = 0;
    return {
      chunkStreamId: csid,
      timestamp: state.timestamp,
      typeId,
      messageStreamId,
      payload,
    };
  }
}

function basicHeader(fmt: number, csid: number): Buffer {
  if (csid < 2 || csid > 65599) throw new RtmpProtocolError(`Chunk stream id ${csid} is out of range`);
  if (csid < 64) return Buffer.from([(fmt << 6) | csid]);
  if (csid < 320) return Buffer.from([fmt << 6, csid - 64]);
  return Buffer.from([(fmt << 6) | 1, (csid - 64) & 0xff, (csid - 64) >> 8]);
}

/** Cuts one message into chunks of `chunkSize`: a type 0 header, then type 3 headers. */
export function writeChunks(message: RtmpMessage, chunkSize: number): Buffer {
  const extended = message.timestamp >= EXTENDED;
  const header = Buffer.alloc(11);
  header.writeUIntBE(extended ? EXTENDED : message.timestamp, 0, 3);
  header.writeUIntBE(message.payload.length, 3, 3);
  header[6] = message.typeId;
  header.writeUInt32LE(message.messageStreamId, 7);
  const extendedField = Buffer.alloc(extended ? 4 : 0);
  if (extended) extendedField.writeUInt32BE(message.timestamp >>> 0, 0);
  const parts: Buffer[] = [basicHeader(0, message.chunkStreamId), header, extendedField];
  for (let offset = 0; offset < message.payload.length || offset === 0; offset += chunkSize) {
    if (offset > 0) parts.push(basicHeader(3, message.chunkStreamId), extendedField);
    parts.push(message.payload.subarray(offset, offset + chunkSize));
    if (message.payload.length === 0) break;
  }
  return Buffer.concat(parts);
}
