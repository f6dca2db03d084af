/**
 * FLV, the container RTMP's audio, video and data messages map onto one to one: an RTMP message of type 8,
 * 9 or 18 is an FLV tag of the same type with the same payload and timestamp. The ingest pipes these into
 * ffmpeg, which reads FLV from a pipe as well as it reads RTMP from a socket.
 */
import { type Amf0Value, decodeAmf0, encodeAmf0 } from './amf0.ts';

export const FLV_TAG = { audio: 8, video: 9, script: 18 } as const;

/** The file header (audio and video present) and the first PreviousTagSize of 0. */
export function flvHeader(): Buffer {
  return Buffer.from([0x46, 0x4c, 0x56, 0x01, 0x05, 0, 0, 0, 9, 0, 0, 0, 0]);
}

/** One tag followed by its PreviousTagSize. */
export function flvTag(type: number, timestamp: number, data: Buffer): Buffer {
  const header = Buffer.alloc(11);
  header[0] = type;
  header.writeUIntBE(data.length, 1, 3);
  header.writeUIntBE(timestamp & 0xffffff, 4, 3);
  header[7] = (timestamp >>> 24) & 0xff;
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(11 + data.length, 0);
  return Buffer.concat([header, data, trailer]);
}

/**
 * A publisher's `@setDataFrame("onMetaData", {...})` becomes the file's `onMetaData` script tag; other data
 * messages pass through as they are.
 */
export function scriptTagData(payload: Buffer): Buffer {
  let values: Amf0Value[];
  try {
    values = decodeAmf0(payload);
  } catch {
    return payload;
  }
  if (values[0] === '@setDataFrame') return encodeAmf0(...values.slice(1));
  return payload;
}
