/**
 * Validators and conditional requests (RFC 7232), with If-Range (RFC 7233 §3.2), which compares the same
 * validators: the request's If-* fields parsed once, and evaluated against an object's ETag and Last-Modified.
 * Choices where the RFCs leave one:
 * - `If-Range` with a weak or malformed validator never matches, so the range is ignored (§3.2); a date matches
 *   only the exact Last-Modified second.
 * - A field that is not valid (a malformed entity tag list, a date that is not one) is ignored, as if absent.
 */
import type { IncomingMessage } from 'node:http';
import { header, OWS } from './header-fields.ts';

export interface EntityTag {
  weak: boolean;
  /** With its quotes: `"abc"`. */
  opaque: string;
}

const ENTITY_TAG = /^(W\/)?("[\x21\x23-\x7e\x80-\xff]*")$/;

/** One entity tag, weak (`W/"x"`) or strong (`"x"`); undefined when it is not one. */
function parseEntityTag(value: string): EntityTag | undefined {
  const match = ENTITY_TAG.exec(value.replace(OWS, ''));
  return match ? { weak: match[1] !== undefined, opaque: match[2] as string } : undefined;
}

/** `*` or a list of entity tags; undefined when the field is absent or not valid (then it is ignored). */
function parseEntityTags(header: string | undefined): '*' | EntityTag[] | undefined {
  if (header === undefined) return undefined;
  if (header.replace(OWS, '') === '*') return '*';
  const tags: EntityTag[] = [];
  // An opaque tag cannot hold a comma or a quote inside, so splitting on commas is safe.
  for (const element of header.split(',')) {
    if (element.replace(OWS, '') === '') continue;
    const tag = parseEntityTag(element);
    if (!tag) return undefined;
    tags.push(tag);
  }
  return tags.length > 0 ? tags : undefined;
}

/** An HTTP-date, to the second; undefined when it is not one (then the condition is ignored). */
function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : Math.floor(time / 1000);
}

/** The request's conditions, parsed once. */
export interface Conditions {
  ifMatch?: '*' | EntityTag[];
  ifUnmodifiedSince?: number;
  ifNoneMatch?: '*' | EntityTag[];
  ifModifiedSince?: number;
  /** A strong or weak entity tag, a date, or something else (which never matches). */
  ifRange?: { kind: 'tag'; tag: EntityTag } | { kind: 'date'; seconds: number } | { kind: 'invalid' };
}

/** The request's If-* header fields; each one that is absent or not valid is left out (then it is ignored). */
export function parseConditions(request: IncomingMessage): Conditions {
  const conditions: Conditions = {};
  const ifMatch = parseEntityTags(header(request, 'if-match'));
  if (ifMatch) conditions.ifMatch = ifMatch;
  const ifUnmodifiedSince = parseHttpDate(header(request, 'if-unmodified-since'));
  if (ifUnmodifiedSince !== undefined) conditions.ifUnmodifiedSince = ifUnmodifiedSince;
  const ifNoneMatch = parseEntityTags(header(request, 'if-none-match'));
  if (ifNoneMatch) conditions.ifNoneMatch = ifNoneMatch;
  const ifModifiedSince = parseHttpDate(header(request, 'if-modified-since'));
  if (ifModifiedSince !== undefined) conditions.ifModifiedSince = ifModifiedSince;
  const ifRange = header(request, 'if-range');
  if (ifRange !== undefined) {
    const trimmed = ifRange.replace(OWS, '');
    const tag = trimmed.startsWith('"') || trimmed.startsWith('W/') ? parseEntityTag(trimmed) : undefined;
    const seconds = tag ? undefined : parseHttpDate(trimmed);
    conditions.ifRange = tag
      ? { kind: 'tag', tag }
      : seconds !== undefined
        ? { kind: 'date', seconds }
        : { kind: 'invalid' };
  }
  return conditions;
}

/** What the object's validators are now. */
export interface Validators {
  etag?: string | undefined;
  lastModified?: Date | undefined;
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * RFC 7232 §6, for GET and HEAD of an object that exists: If-Match, else If-Unmodified-Since (412 when it fails);
 * then If-None-Match, else If-Modified-Since (304 when it holds).
 */
export function evaluatePreconditions(
  current: Validators,
  conditions: Conditions,
): 'proceed' | 'not-modified' | 'failed' {
  const tag = current.etag ? parseEntityTag(current.etag) : undefined;
  if (conditions.ifMatch) {
    const strongMatch =
      conditions.ifMatch === '*' ||
      (!!tag && !tag.weak && conditions.ifMatch.some((t) => !t.weak && t.opaque === tag.opaque));
    if (!strongMatch) return 'failed';
  } else if (conditions.ifUnmodifiedSince !== undefined && current.lastModified) {
    if (seconds(current.lastModified) > conditions.ifUnmodifiedSince) return 'failed';
  }
  if (conditions.ifNoneMatch) {
    const weakMatch =
      conditions.ifNoneMatch === '*' ||
      (!!tag && conditions.ifNoneMatch.some((t) => t.opaque === tag.opaque));
    if (weakMatch) return 'not-modified';
  } else if (conditions.ifModifiedSince !== undefined && current.lastModified) {
    if (seconds(current.lastModified) <= conditions.ifModifiedSince) return 'not-modified';
  }
  return 'proceed';
}

/** Whether If-Range lets the range through (RFC 7233 §3.2): a strong ETag match or the exact Last-Modified. */
export function ifRangeMatches(ifRange: NonNullable<Conditions['ifRange']>, current: Validators): boolean {
  if (ifRange.kind === 'tag') {
    const tag = current.etag ? parseEntityTag(current.etag) : undefined;
    return !ifRange.tag.weak && !!tag && !tag.weak && tag.opaque === ifRange.tag.opaque;
  }
  if (ifRange.kind === 'date')
    return !!current.lastModified && seconds(current.lastModified) === ifRange.seconds;
  return false;
}

/** An S3 object's validators. */
export const toValidators = (object: { ETag?: string; LastModified?: Date }): Validators => ({
  etag: object.ETag,
  lastModified: object.LastModified,
});

/** The one tag of an If-None-Match that S3 answered 304 to: then it is the object's ETag. */
export function singleTag(tags: Conditions['ifNoneMatch']): string | undefined {
  return tags && tags !== '*' && tags.length === 1 ? tags[0]?.opaque : undefined;
}
