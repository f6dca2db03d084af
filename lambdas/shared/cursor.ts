/**
 * Page cursors of the catalog's listings: the last key of a page (the table key plus the index key), as
 * base64url JSON. A cursor is checked before it reaches DynamoDB, which would only answer a malformed start key
 * with a ValidationException (a 500), and so that one listing's cursor cannot continue another's.
 */
import { SkycastError } from './errors.ts';

/** A `cursor` a listing did not hand out (or another listing's): 400 INVALID_CURSOR, for every listing. */
export class InvalidCursorError extends SkycastError {
  readonly code = 'INVALID_CURSOR';
  readonly status = 400;
  constructor() {
    super('The cursor is not one this listing handed out. Start again without a cursor.');
  }
}

export const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

/**
 * The start key a cursor stands for in a listing of an index partition: exactly `pk`, `sk` and the index's own
 * key pair (`gsi1pk`/`gsi1sk`, …), every one a string, in the partition `value`.
 */
export function startKeyFor(
  cursor: string | undefined,
  partitionKey: `${string}pk`,
  value: string,
): Record<string, string> | undefined {
  if (!cursor) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw new InvalidCursorError();
  const start = key as Record<string, unknown>;
  const expected = ['pk', 'sk', partitionKey, partitionKey.replace(/pk$/, 'sk')].sort();
  const names = Object.keys(start).sort();
  const sameShape = names.length === expected.length && names.every((name, i) => name === expected[i]);
  const strings = Object.values(start).every((part) => typeof part === 'string');
  if (!sameShape || !strings || start[partitionKey] !== value) throw new InvalidCursorError();
  return start as Record<string, string>;
}
