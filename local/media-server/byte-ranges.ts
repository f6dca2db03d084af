/**
 * Byte ranges (RFC 7233): what a `Range` header asks for, and which bytes of an object that selects.
 * Choices where the RFC leaves one:
 * - `Range` with several ranges, another unit, or any syntax error is ignored: 200 with the whole object (RFC
 *   7233 §3.1 allows ignoring Range; multipart/byteranges answers are rarely wanted and players send one range).
 *   So is `Range` on HEAD (§3.1: only GET has ranges).
 * - An unsatisfiable range (first byte at or past the end, `bytes=-0`) is 416 with `Content-Range: bytes * /<length>`
 *   (without the space). `bytes=0-` of an empty object is unsatisfiable too; `bytes=-1` of one is satisfiable
 *   (§2.1) but no 206 can hold zero bytes, so it gets 200 with the empty body.
 * If-Range, which decides whether a range is served at all, is with the other preconditions (preconditions.ts).
 */
import { OWS } from './header-fields.ts';

/** What a `Range` header asks for. */
export type RangeRequest =
  | { kind: 'none' }
  /** Syntax error, another unit, or several ranges: the header is ignored and the whole object served. */
  | { kind: 'ignored'; reason: string }
  /** `bytes=first-` or `bytes=first-last`. */
  | { kind: 'from'; first: number; last?: number }
  /** `bytes=-length`: the last `length` bytes. */
  | { kind: 'suffix'; length: number };

/** No range: the whole object (also what a range becomes when If-Range does not match). */
export const none: RangeRequest = { kind: 'none' };

/** A range that can be served: offsets of the first and last byte, inclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

const BYTE_RANGE = /^(\d+)-(\d*)$/;
const SUFFIX_RANGE = /^-(\d+)$/;

/** A position as a number; past what any object can have (S3's limit is 5 TiB), the largest safe one. */
const position = (digits: string) => Math.min(Number(digits), Number.MAX_SAFE_INTEGER);

/** The `Range` header of a request, parsed; undefined is no header. */
export function parseRange(header: string | undefined): RangeRequest {
  if (header === undefined) return { kind: 'none' };
  const equals = header.indexOf('=');
  if (equals === -1) return { kind: 'ignored', reason: 'not a byte range' };
  // Range units are case-insensitive (RFC 7233 §2); there is no whitespace around "=".
  if (header.slice(0, equals).toLowerCase() !== 'bytes') return { kind: 'ignored', reason: 'not bytes' };
  // A list may hold empty elements, which a recipient ignores (RFC 7230 §7).
  const specs = header
    .slice(equals + 1)
    .split(',')
    .map((spec) => spec.replace(OWS, ''))
    .filter((spec) => spec !== '');
  if (specs.length === 0) return { kind: 'ignored', reason: 'no range' };
  const parsed: RangeRequest[] = [];
  for (const spec of specs) {
    const from = BYTE_RANGE.exec(spec);
    const suffix = from ? undefined : SUFFIX_RANGE.exec(spec);
    if (from) {
      const first = position(from[1] as string);
      const last = from[2] ? position(from[2]) : undefined;
      // last < first makes the whole set invalid, and an invalid set is ignored (§2.1).
      if (last !== undefined && last < first) return { kind: 'ignored', reason: 'last byte before first' };
      parsed.push(last === undefined ? { kind: 'from', first } : { kind: 'from', first, last });
    } else if (suffix) {
      parsed.push({ kind: 'suffix', length: position(suffix[1] as string) });
    } else {
      return { kind: 'ignored', reason: 'not a byte range' };
    }
  }
  if (parsed.length > 1) return { kind: 'ignored', reason: 'several ranges' };
  return parsed[0] as RangeRequest;
}

/**
 * The bytes a range selects from an object of `size` bytes: a range, `unsatisfiable` (416), or `whole` for a
 * suffix range of an empty object, which RFC 7233 §2.1 counts as satisfiable though no 206 can carry zero bytes.
 */
export function resolveRange(range: RangeRequest, size: number): ByteRange | 'unsatisfiable' | 'whole' {
  if (range.kind === 'from') {
    if (range.first >= size) return 'unsatisfiable';
    return { start: range.first, end: Math.min(range.last ?? size - 1, size - 1) };
  }
  if (range.kind === 'suffix') {
    if (range.length === 0) return 'unsatisfiable';
    if (size === 0) return 'whole';
    return { start: Math.max(0, size - range.length), end: size - 1 };
  }
  return 'whole';
}

/** The range as a `Range` header for S3: the client's own form, normalised. */
export function rangeHeader(range: RangeRequest): string | undefined {
  if (range.kind === 'from') return `bytes=${range.first}-${range.last ?? ''}`;
  if (range.kind === 'suffix') return `bytes=-${range.length}`;
  return undefined;
}
