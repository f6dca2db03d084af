/** The value syntax of HLS tags (RFC 8216 §4.2): attribute lists, integers, decimals and byte ranges. */
import { type Attribute, type ByteRange, HlsParseError } from './types.ts';

/** Throws the parse error for `lineNumber`, with the line in the message. */
export const fail = (lineNumber: number, message: string): never => {
  throw new HlsParseError(`Line ${lineNumber}: ${message}`, lineNumber);
};

/** Parses an attribute list (RFC 8216 §4.2): commas inside quoted strings do not separate attributes. */
export function parseAttributes(text: string, lineNumber = 0): Attribute[] {
  const attributes: Attribute[] = [];
  let i = 0;
  while (i < text.length) {
    const equals = text.indexOf('=', i);
    if (equals < 0) fail(lineNumber, `expected NAME=VALUE at "${text.slice(i)}"`);
    const name = text.slice(i, equals);
    if (!/^[A-Z0-9-]+$/.test(name)) fail(lineNumber, `"${name}" is not an attribute name`);
    if (attributes.some((a) => a.name === name)) fail(lineNumber, `attribute ${name} appears twice`);
    i = equals + 1;
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) fail(lineNumber, `unterminated quoted string in ${name}`);
      attributes.push({ name, value: text.slice(i + 1, close), quoted: true });
      i = close + 1;
    } else {
      const comma = text.indexOf(',', i);
      const stop = comma < 0 ? text.length : comma;
      const value = text.slice(i, stop);
      if (value === '' || value.includes('"')) fail(lineNumber, `attribute ${name} has no valid value`);
      attributes.push({ name, value, quoted: false });
      i = stop;
    }
    if (i < text.length) {
      if (text[i] !== ',') fail(lineNumber, `expected a comma after attribute ${name}`);
      i += 1;
      if (i === text.length) fail(lineNumber, 'attribute list ends with a comma');
    }
  }
  return attributes;
}

/** Renders an attribute list, in the order given. */
export function renderAttributes(attributes: readonly Attribute[]): string {
  return attributes.map((a) => (a.quoted ? `${a.name}="${a.value}"` : `${a.name}=${a.value}`)).join(',');
}

/** A decimal-integer (RFC 8216 §4.2). */
export function integer(text: string, lineNumber: number, what: string): number {
  if (!/^\d{1,15}$/.test(text)) fail(lineNumber, `${what} must be a decimal integer, got "${text}"`);
  return Number(text);
}

/** A non-negative decimal-floating-point (RFC 8216 §4.2). */
export function decimal(text: string, lineNumber: number, what: string): number {
  if (!/^\d{1,15}(\.\d+)?$/.test(text))
    fail(lineNumber, `${what} must be a non-negative number, got "${text}"`);
  return Number(text);
}

/** A decimal-resolution, `<width>x<height>`. */
export function resolution(text: string, lineNumber: number): { width: number; height: number } {
  const match = /^(\d+)x(\d+)$/.exec(text);
  if (!match) return fail(lineNumber, `RESOLUTION must be <width>x<height>, got "${text}"`);
  return { width: Number(match[1]), height: Number(match[2]) };
}

/**
 * `<length>[@<offset>]`; without an offset the range starts where the previous sub-range of the same
 * resource ended (`previousEnd`), and is an error when there was none.
 */
export function parseByteRange(text: string, lineNumber: number, previousEnd?: number): ByteRange {
  const match = /^(\d+)(?:@(\d+))?$/.exec(text);
  if (!match) return fail(lineNumber, `byte range must be <length>[@<offset>], got "${text}"`);
  const length = Number(match[1]);
  if (match[2] !== undefined) return { length, offset: Number(match[2]) };
  if (previousEnd === undefined) {
    fail(lineNumber, 'a byte range without an offset must follow a sub-range of the same resource');
  }
  return { length, offset: previousEnd as number };
}

/**
 * The value of attribute `name`, checked to be quoted (or not) as the RFC says; undefined when absent.
 */
export function attributeValue(
  attributes: readonly Attribute[],
  name: string,
  quoted: boolean,
  lineNumber: number,
): string | undefined {
  const attribute = attributes.find((a) => a.name === name);
  if (attribute && attribute.quoted !== quoted) {
    fail(lineNumber, `${name} must ${quoted ? '' : 'not '}be a quoted string`);
  }
  return attribute?.value;
}
