/**
 * AMF0, the value encoding of RTMP command messages (connect, createStream, publish, onStatus, …), as far as
 * an ingest server needs it: numbers, booleans, strings, objects, null, undefined, ECMA arrays and strict
 * arrays. Dates and references never occur in what encoders send; they are refused rather than misread.
 */

export type Amf0Value =
  | number
  | boolean
  | string
  | null
  | undefined
  | Amf0Value[]
  | { [key: string]: Amf0Value };

const NUMBER = 0x00;
const BOOLEAN = 0x01;
const STRING = 0x02;
const OBJECT = 0x03;
const NULL = 0x05;
const UNDEFINED = 0x06;
const ECMA_ARRAY = 0x08;
const OBJECT_END = 0x09;
const STRICT_ARRAY = 0x0a;
const LONG_STRING = 0x0c;

export class Amf0Error extends Error {
  override name = 'Amf0Error';
}

/** Reads every AMF0 value in `data`, in order (a command message is a sequence of values). */
export function decodeAmf0(data: Buffer): Amf0Value[] {
  const values: Amf0Value[] = [];
  let offset = 0;
  while (offset < data.length) {
    const [value, next] = readValue(data, offset);
    values.push(value);
    offset = next;
  }
  return values;
}

function need(data: Buffer, offset: number, bytes: number): void {
  if (offset + bytes > data.length) throw new Amf0Error(`AMF0 value cut short at byte ${offset}`);
}

function readUtf8(data: Buffer, offset: number, lengthBytes: 2 | 4): [string, number] {
  need(data, offset, lengthBytes);
  const length = lengthBytes === 2 ? data.readUInt16BE(offset) : data.readUInt32BE(offset);
  const start = offset + lengthBytes;
  need(data, start, length);
  return [data.toString('utf8', start, start + length), start + length];
}

function readProperties(data: Buffer, offset: number, into: Record<string, Amf0Value>): number {
  let at = offset;
  for (;;) {
    const [key, afterKey] = readUtf8(data, at, 2);
    need(data, afterKey, 1);
    if (key === '' && data[afterKey] === OBJECT_END) return afterKey + 1;
    const [value, next] = readValue(data, afterKey);
    // A property named `__proto__` is data from the wire, never the object's prototype.
    Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
    at = next;
  }
}

function readValue(data: Buffer, offset: number): [Amf0Value, number] {
  need(data, offset, 1);
  const marker = data[offset] as number;
  const at = offset + 1;
  switch (marker) {
    case NUMBER:
      need(data, at, 8);
      return [data.readDoubleBE(at), at + 8];
    case BOOLEAN:
      need(data, at, 1);
      return [data[at] !== 0, at + 1];
    case STRING:
      return readUtf8(data, at, 2);
    case LONG_STRING:
      return readUtf8(data, at, 4);
    case NULL:
      return [null, at];
    case UNDEFINED:
      return [undefined, at];
    case OBJECT: {
      const object: Record<string, Amf0Value> = {};
      return [object, readProperties(data, at, object)];
    }
    case ECMA_ARRAY: {
      need(data, at, 4);
      // The count is a hint only; the properties end with the object end marker as in an object.
      const object: Record<string, Amf0Value> = {};
      return [object, readProperties(data, at + 4, object)];
    }
    case STRICT_ARRAY: {
      need(data, at, 4);
      const count = data.readUInt32BE(at);
      const items: Amf0Value[] = [];
      let next = at + 4;
      for (let i = 0; i < count; i += 1) {
        const [item, after] = readValue(data, next);
        items.push(item);
        next = after;
      }
      return [items, next];
    }
    default:
      throw new Amf0Error(`Unsupported AMF0 type marker 0x${marker.toString(16)} at byte ${offset}`);
  }
}

function encodeString(text: string, withMarker: boolean): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > 0xffff) {
    if (!withMarker) throw new Amf0Error('An AMF0 property name is longer than 65535 bytes');
    const header = Buffer.alloc(5);
    header[0] = LONG_STRING;
    header.writeUInt32BE(bytes.length, 1);
    return Buffer.concat([header, bytes]);
  }
  const header = Buffer.alloc(withMarker ? 3 : 2);
  if (withMarker) header[0] = STRING;
  header.writeUInt16BE(bytes.length, withMarker ? 1 : 0);
  return Buffer.concat([header, bytes]);
}

function encodeValue(value: Amf0Value): Buffer {
  if (value === null) return Buffer.from([NULL]);
  if (value === undefined) return Buffer.from([UNDEFINED]);
  if (typeof value === 'number') {
    const out = Buffer.alloc(9);
    out[0] = NUMBER;
    out.writeDoubleBE(value, 1);
    return out;
  }
  if (typeof value === 'boolean') return Buffer.from([BOOLEAN, value ? 1 : 0]);
  if (typeof value === 'string') return encodeString(value, true);
  if (Array.isArray(value)) {
    const header = Buffer.alloc(5);
    header[0] = STRICT_ARRAY;
    header.writeUInt32BE(value.length, 1);
    return Buffer.concat([header, ...value.map(encodeValue)]);
  }
  const parts: Buffer[] = [Buffer.from([OBJECT])];
  for (const [key, item] of Object.entries(value)) parts.push(encodeString(key, false), encodeValue(item));
  parts.push(Buffer.from([0, 0, OBJECT_END]));
  return Buffer.concat(parts);
}

/** Encodes values one after another, as a command message carries them. */
export function encodeAmf0(...values: Amf0Value[]): Buffer {
  return Buffer.concat(values.map(encodeValue));
}
