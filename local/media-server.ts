/**
 * The local stand-in for the media distribution (lib/delivery/media-cdn.ts): `/media/<key>` on the local origin
 * answers from the S3 emulator as CloudFront answers from the buckets. Same table (lambdas/contract/delivery.ts):
 * the same path picks the same bucket and gets the same Cache-Control, CORS and security headers.
 *
 * HTTP as strict as CloudFront's: GET and HEAD, byte ranges (RFC 7233), validators and conditional requests
 * (RFC 7232). Choices where the RFCs leave one:
 * - `Range` with several ranges, another unit, or any syntax error is ignored: 200 with the whole object (RFC
 *   7233 §3.1 allows ignoring Range; multipart/byteranges answers are rarely wanted and players send one range).
 *   So is `Range` on HEAD (§3.1: only GET has ranges).
 * - An unsatisfiable range (first byte at or past the end, `bytes=-0`) is 416 with `Content-Range: bytes * /<length>`
 *   (without the space). `bytes=0-` of an empty object is unsatisfiable too; `bytes=-1` of one is satisfiable
 *   (§2.1) but no 206 can hold zero bytes, so it gets 200 with the empty body.
 * - `If-Range` with a weak or malformed validator never matches, so the range is ignored (§3.2); a date matches
 *   only the exact Last-Modified second.
 * - Errors (400, 404, 405, 412, 416) carry `Cache-Control: no-store`. CloudFront differs there: a missing key
 *   is a 403 (the buckets do not give CloudFront s3:ListBucket), cached for ERROR_CACHING_SECONDS, and the
 *   response headers policy puts the row's Cache-Control on it too.
 * - No compression, as the distribution (see MediaCdn): the bytes, lengths and ETags are the object's.
 *
 * Fast path: one GetObject per request, with the range and revalidation passed to S3, and the body streamed
 * through as it arrives, never held whole. Preconditions are evaluated again on the answer's ETag and
 * Last-Modified, so an emulator that ignores one cannot make the server answer wrongly; one that ignores a
 * range is caught by checking Content-Range against what was asked. The client is created once, with
 * keep-alive sockets; a HEAD metadata cache would not save a round trip here (there is no HEAD on the fast path)
 * and would have to be invalidated whenever a live playlist changes, so there is none.
 */
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline, type Readable } from 'node:stream';
import {
  GetObjectCommand,
  type GetObjectCommandInput,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  type DeliveryBehaviour,
  type DeliveryBucket,
  deliveryBehaviours,
  findBehaviour,
  mediaContentTypes,
  mediaCors,
  mediaSecurityHeaders,
} from '#contract/delivery.ts';
import { type AwsTarget, emulatorS3Config } from './emulator-clients.ts';
import { checkSignedRequest, type TrustedKeys } from './signed-access.ts';

// ─── Range (RFC 7233) ─────────────────────────────────────────────────────────────────────────────────────

/** What a `Range` header asks for. */
export type RangeRequest =
  | { kind: 'none' }
  /** Syntax error, another unit, or several ranges: the header is ignored and the whole object served. */
  | { kind: 'ignored'; reason: string }
  /** `bytes=first-` or `bytes=first-last`. */
  | { kind: 'from'; first: number; last?: number }
  /** `bytes=-length`: the last `length` bytes. */
  | { kind: 'suffix'; length: number };

const none: RangeRequest = { kind: 'none' };

/** A range that can be served: offsets of the first and last byte, inclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

const OWS = /^[ \t]+|[ \t]+$/g;
const BYTE_RANGE = /^(\d+)-(\d*)$/;
const SUFFIX_RANGE = /^-(\d+)$/;

/** A position as a number; past what any object can have (S3's limit is 5 TiB), the largest safe one. */
const position = (digits: string) => Math.min(Number(digits), Number.MAX_SAFE_INTEGER);

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
function rangeHeader(range: RangeRequest): string | undefined {
  if (range.kind === 'from') return `bytes=${range.first}-${range.last ?? ''}`;
  if (range.kind === 'suffix') return `bytes=-${range.length}`;
  return undefined;
}

// ─── Validators and preconditions (RFC 7232) ───────────────────────────────────────────────────────────────

export interface EntityTag {
  weak: boolean;
  /** With its quotes: `"abc"`. */
  opaque: string;
}

const ENTITY_TAG = /^(W\/)?("[\x21\x23-\x7e\x80-\xff]*")$/;

export function parseEntityTag(value: string): EntityTag | undefined {
  const match = ENTITY_TAG.exec(value.replace(OWS, ''));
  return match ? { weak: match[1] !== undefined, opaque: match[2] as string } : undefined;
}

/** `*` or a list of entity tags; undefined when the field is absent or not valid (then it is ignored). */
export function parseEntityTags(header: string | undefined): '*' | EntityTag[] | undefined {
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
export function parseHttpDate(value: string | undefined): number | undefined {
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

const header = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

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

// ─── Paths ──────────────────────────────────────────────────────────────────────────────────────────────

/** The object key a media path names, or why it names none. */
export type ResolvedPath = { key: string } | { status: 400 | 404; message: string };

/**
 * `/videos/a/hls/index.m3u8` (the path after the media mount, without query string) → its key. Decoded once;
 * empty, `.` and `..` segments, encoded slashes and backslashes, and control characters are refused: a key is
 * never anything but the path it was asked for.
 */
export function resolveMediaPath(path: string): ResolvedPath {
  if (path === '' || path === '/') return { status: 404, message: 'Name an object: /media/<key>.' };
  if (!path.startsWith('/')) return { status: 400, message: 'A media path starts with a slash.' };
  if (/%2f|%5c|%00|\\/i.test(path)) {
    return { status: 400, message: 'A media path has no encoded slashes, backslashes or NUL.' };
  }
  let key: string;
  try {
    key = decodeURIComponent(path.slice(1));
  } catch {
    return { status: 400, message: 'The media path is not valid percent-encoding.' };
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\u0000-\u001f\u007f]/.test(key))
    return { status: 400, message: 'A media path has no control characters.' };
  if (key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return { status: 400, message: 'A media path has no empty, "." or ".." segments.' };
  }
  return { key };
}

/** The content type of a key: by extension first (lambdas/contract/delivery.ts), then as stored, then bytes. */
export function contentTypeFor(key: string, stored?: string): string {
  const slash = key.lastIndexOf('/');
  const dot = key.lastIndexOf('.');
  const extension = dot > slash ? key.slice(dot + 1).toLowerCase() : '';
  return mediaContentTypes[extension] ?? stored ?? 'application/octet-stream';
}

// ─── The S3 side ──────────────────────────────────────────────────────────────────────────────────────────

type Fetched<T> =
  | { kind: 'object'; output: T }
  | { kind: 'not-modified'; etag: string | undefined }
  | { kind: 'precondition-failed' }
  | { kind: 'unsatisfiable'; size: number | undefined }
  | { kind: 'not-found' };

/** What S3 can check for us without changing the answer (see `s3Conditions`). */
type S3Conditions = Pick<GetObjectCommandInput, 'IfNoneMatch' | 'IfModifiedSince'>;

interface S3Failure {
  name?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
  ActualObjectSize?: string | number;
}

function classify<T>(error: unknown): Fetched<T> {
  const failure = error as S3Failure;
  switch (failure.$metadata?.httpStatusCode) {
    case 304:
      return { kind: 'not-modified', etag: failure.$response?.headers?.etag };
    case 404:
      // A missing bucket is the platform's mistake, not a missing object.
      if (failure.name === 'NoSuchBucket') throw error;
      return { kind: 'not-found' };
    case 412:
      return { kind: 'precondition-failed' };
    case 416: {
      const size = Number(failure.ActualObjectSize);
      return { kind: 'unsatisfiable', size: Number.isSafeInteger(size) ? size : undefined };
    }
    default:
      throw error;
  }
}

/**
 * The revalidation S3 may answer for us, as an optimisation only (`evaluatePreconditions` decides): a single
 * If-None-Match tag, else If-Modified-Since; and only when the request has no If-Match or If-Unmodified-Since,
 * which come first and could turn S3's 304 into our 412.
 */
function s3Conditions(conditions: Conditions): S3Conditions {
  if (conditions.ifMatch || conditions.ifUnmodifiedSince !== undefined) return {};
  const { ifNoneMatch, ifModifiedSince } = conditions;
  if (ifNoneMatch) {
    // Weak comparison: W/"x" matches the object's "x".
    return ifNoneMatch !== '*' && ifNoneMatch.length === 1 ? { IfNoneMatch: ifNoneMatch[0]?.opaque } : {};
  }
  return ifModifiedSince === undefined ? {} : { IfModifiedSince: new Date(ifModifiedSince * 1000) };
}

class ObjectSource {
  private readonly client: S3Client;

  constructor(target: AwsTarget) {
    this.client = new S3Client({
      ...emulatorS3Config(target),
      requestHandler: {
        // Sockets are kept and reused wherever the emulator allows it; none is ever waited for.
        httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }),
        // An emulator that does not answer becomes a 502. Both limits end once the headers are in: a body may
        // take as long as the viewer takes to read it (players stop reading when their buffer is full).
        connectionTimeout: 5_000,
        requestTimeout: 30_000,
        throwOnRequestTimeout: true,
      },
    });
  }

  async get(
    bucket: string,
    key: string,
    input: S3Conditions & { Range?: string | undefined; IfMatch?: string | undefined },
    signal: AbortSignal,
  ): Promise<Fetched<GetObjectCommandOutput>> {
    try {
      const output = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...input }), {
        abortSignal: signal,
      });
      return { kind: 'object', output };
    } catch (error) {
      return classify(error);
    }
  }

  async head(
    bucket: string,
    key: string,
    input: S3Conditions,
    signal: AbortSignal,
  ): Promise<Fetched<HeadObjectCommandOutput>> {
    try {
      const output = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...input }), {
        abortSignal: signal,
      });
      return { kind: 'object', output };
    } catch (error) {
      return classify(error);
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}

// ─── HTTP ─────────────────────────────────────────────────────────────────────────────────────────────────

/** Where the media server reads from, and who may read it from a browser. */
export interface MediaServerOptions {
  /** The S3 emulator. */
  s3: AwsTarget;
  /** Bucket names by role; the delivery table says which role serves which path. */
  buckets: Record<DeliveryBucket, string>;
  /**
   * The public keys of the trusted key group: every GET and HEAD must carry a signed URL or signed cookies of
   * one of them (signed-access.ts), else 403 with no media bytes, as CloudFront answers. Without it the server
   * is a distribution without trusted key groups (the range-request conformance tests).
   */
  trustedKeys?: TrustedKeys;
  /**
   * The manifest Lambda, for the rows whose origin is `manifest`: given a function URL event (payload 2.0),
   * its result. Without it those paths are 404.
   */
  manifest?: (event: FunctionUrlEvent) => Promise<FunctionUrlResult>;
  /**
   * Origins whose pages may read media with fetch/XHR: `*` for any (the local API allows any as well), or a
   * list, as the media distribution has (the web app's URL).
   * @default '*'
   */
  allowOrigins?: '*' | readonly string[];
  /** @default the delivery table */
  behaviours?: readonly DeliveryBehaviour[];
  /** Told about failures of the S3 emulator (the viewer gets a 502). @default console.error */
  onError?: (error: unknown, path: string) => void;
}

/** The part of a function URL event (payload format 2.0) the manifest Lambda reads. */
export interface FunctionUrlEvent {
  version: '2.0';
  routeKey: '$default';
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string>;
  requestContext: {
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
  };
  isBase64Encoded: false;
}

export interface FunctionUrlResult {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface MediaServer {
  /**
   * Answers a request for `path`, the part after the media mount without the query string:
   * `/videos/<id>/hls/index.m3u8`. Query strings play no part (the cache key has none).
   */
  handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<void>;
  /** Releases the S3 client's sockets. */
  close(): void;
}

const ALLOW = mediaCors.allowMethods.join(', ');
const SECURITY_HEADERS = {
  'x-content-type-options': mediaSecurityHeaders.contentTypeOptions,
  'x-frame-options': mediaSecurityHeaders.frameOptions,
  'referrer-policy': mediaSecurityHeaders.referrerPolicy,
} as const;
const ALLOWED_REQUEST_HEADERS = new Set(mediaCors.allowHeaders.map((name) => name.toLowerCase()));
const PREMATURE_CLOSE = 'ERR_STREAM_PREMATURE_CLOSE';

type Headers = Record<string, string>;

export function createMediaServer(options: MediaServerOptions): MediaServer {
  const source = new ObjectSource(options.s3);
  const behaviours = options.behaviours ?? deliveryBehaviours;
  const allowOrigins = options.allowOrigins ?? '*';
  const onError = options.onError ?? ((error, path) => console.error(`✖ media ${path}:`, error));

  /** CORS headers for an actual request, as the response headers policy adds them. */
  function corsHeaders(origin: string | undefined): Headers {
    const exposed = { 'access-control-expose-headers': mediaCors.exposeHeaders.join(', ') };
    if (allowOrigins === '*') return { 'access-control-allow-origin': '*', ...exposed };
    // Which origin is echoed depends on the request's Origin, so caches must keep them apart.
    if (origin && allowOrigins.includes(origin)) {
      return { 'access-control-allow-origin': origin, ...exposed, vary: 'origin' };
    }
    return { vary: 'origin' };
  }

  function sendError(
    response: ServerResponse,
    status: number,
    message: string,
    headers: Headers,
    method: string,
  ): void {
    const body = Buffer.from(`${message}\n`);
    response.writeHead(status, {
      ...headers,
      ...SECURITY_HEADERS,
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(body.length),
      'cache-control': 'no-store',
    });
    response.end(method === 'HEAD' ? undefined : body);
  }

  function preflight(request: IncomingMessage, response: ServerResponse, cors: Headers): void {
    const origin = header(request, 'origin');
    const method = header(request, 'access-control-request-method');
    if (!origin || !method) {
      // Not a CORS preflight: just say what this resource answers to.
      response.writeHead(204, { ...cors, ...SECURITY_HEADERS, allow: ALLOW });
      response.end();
      return;
    }
    const requested = (header(request, 'access-control-request-headers') ?? '')
      .split(',')
      .map((name) => name.replace(OWS, '').toLowerCase())
      .filter(Boolean);
    const refusal = preflightRefusal(origin, method, requested, cors);
    if (refusal) {
      const headers = { vary: cors.vary ?? 'origin' };
      sendError(response, 403, `CORS preflight refused: ${refusal}.`, headers, 'OPTIONS');
      return;
    }
    response.writeHead(204, {
      ...cors,
      ...SECURITY_HEADERS,
      'access-control-allow-methods': ALLOW,
      'access-control-allow-headers': mediaCors.allowHeaders.join(', '),
      'access-control-max-age': String(mediaCors.maxAgeSeconds),
      vary: 'origin, access-control-request-method, access-control-request-headers',
    });
    response.end();
  }

  /** Headers every answer about an existing object carries. */
  function objectHeaders(
    key: string,
    behaviour: DeliveryBehaviour,
    object: { ContentType?: string; CacheControl?: string; ETag?: string; LastModified?: Date },
    cors: Headers,
  ): Headers {
    return {
      ...cors,
      ...SECURITY_HEADERS,
      'content-type': contentTypeFor(key, object.ContentType),
      // The object's own Cache-Control wins, as with the response headers policy (override: false).
      'cache-control': object.CacheControl ?? behaviour.cacheControl,
      'accept-ranges': 'bytes',
      ...(object.ETag ? { etag: object.ETag } : {}),
      ...(object.LastModified ? { 'last-modified': object.LastModified.toUTCString() } : {}),
    };
  }

  /** 304 carries what a 200 would have said about caching (RFC 7232 §4.1), and no body. */
  function notModified(
    response: ServerResponse,
    behaviour: DeliveryBehaviour,
    etag: string | undefined,
    cors: Headers,
  ) {
    response.writeHead(304, {
      ...cors,
      ...SECURITY_HEADERS,
      'cache-control': behaviour.cacheControl,
      ...(etag ? { etag } : {}),
    });
    response.end();
  }

  function stream(body: Readable, response: ServerResponse, path: string): void {
    pipeline(body, response, (error) => {
      // A viewer that stops reading (seeking, closing the tab) is not an error.
      if (error && (error as NodeJS.ErrnoException).code !== PREMATURE_CLOSE && !response.destroyed) {
        onError(error, path);
      }
    });
  }

  /**
   * GetObject for a GET, with If-Range settled: the range is asked for only while If-Range (if any) can match,
   * and dropped (a second GetObject, for the whole object) when it turns out not to.
   */
  async function fetchForGet(
    bucket: string,
    key: string,
    range: RangeRequest,
    conditions: Conditions,
    signal: AbortSignal,
  ): Promise<{ fetched: Fetched<GetObjectCommandOutput>; range: RangeRequest }> {
    const revalidation = s3Conditions(conditions);
    const whole = async () => ({ fetched: await source.get(bucket, key, revalidation, signal), range: none });
    const { ifRange } = conditions;
    if (range.kind !== 'from' && range.kind !== 'suffix') return whole();
    if (ifRange && ifRange.kind !== 'date' && !(ifRange.kind === 'tag' && !ifRange.tag.weak)) return whole();
    const fetched = await source.get(
      bucket,
      key,
      {
        ...revalidation,
        Range: rangeHeader(range),
        // S3 compares a strong If-Range tag for us: 412 means it does not match.
        ...(ifRange?.kind === 'tag' ? { IfMatch: ifRange.tag.opaque } : {}),
      },
      signal,
    );
    if (!ifRange) return { fetched, range };
    if (fetched.kind === 'precondition-failed') return whole();
    if (fetched.kind === 'object' && !ifRangeMatches(ifRange, toValidators(fetched.output))) {
      (fetched.output.Body as Readable | undefined)?.destroy();
      return whole();
    }
    if (fetched.kind === 'unsatisfiable') {
      // The range cannot be served, but if If-Range does not match it is ignored, and the object is served.
      const head = await source.head(bucket, key, {}, signal);
      if (head.kind === 'object' && !ifRangeMatches(ifRange, toValidators(head.output))) return whole();
    }
    return { fetched, range };
  }

  async function sizeOf(bucket: string, key: string, known: number | undefined, signal: AbortSignal) {
    if (known !== undefined) return known;
    const head = await source.head(bucket, key, {}, signal);
    return head.kind === 'object' ? head.output.ContentLength : undefined;
  }

  async function serveGet(
    response: ServerResponse,
    target: { bucket: string; key: string; path: string; behaviour: DeliveryBehaviour },
    request: IncomingMessage,
    cors: Headers,
    signal: AbortSignal,
  ): Promise<void> {
    const { bucket, key, path, behaviour } = target;
    const conditions = parseConditions(request);
    const { fetched, range } = await fetchForGet(
      bucket,
      key,
      parseRange(header(request, 'range')),
      conditions,
      signal,
    );
    switch (fetched.kind) {
      case 'not-found':
        return sendError(response, 404, `No object at ${path}.`, cors, 'GET');
      case 'not-modified':
        return notModified(response, behaviour, fetched.etag ?? singleTag(conditions.ifNoneMatch), cors);
      case 'precondition-failed':
        return sendError(response, 412, 'A precondition failed.', cors, 'GET');
      case 'unsatisfiable': {
        const size = await sizeOf(bucket, key, fetched.size, signal);
        return sendError(
          response,
          416,
          'Range not satisfiable.',
          {
            ...cors,
            'accept-ranges': 'bytes',
            ...(size === undefined ? {} : { 'content-range': `bytes */${size}` }),
          },
          'GET',
        );
      }
    }
    const { output } = fetched;
    const body = output.Body as Readable;
    const verdict = evaluatePreconditions(toValidators(output), conditions);
    if (verdict !== 'proceed') {
      body.destroy();
      if (verdict === 'not-modified') return notModified(response, behaviour, output.ETag, cors);
      return sendError(response, 412, 'A precondition failed.', cors, 'GET');
    }
    const headers = objectHeaders(key, behaviour, output, cors);
    const size = output.ContentRange
      ? Number(/\/(\d+)$/.exec(output.ContentRange)?.[1])
      : (output.ContentLength ?? 0);
    const wanted = range.kind === 'none' ? 'whole' : resolveRange(range, size);
    if (wanted === 'unsatisfiable') {
      // S3 served what we found unsatisfiable (an emulator that ignores some ranges): answer as CloudFront would.
      body.destroy();
      return sendError(
        response,
        416,
        'Range not satisfiable.',
        {
          ...cors,
          'accept-ranges': 'bytes',
          'content-range': `bytes */${size}`,
        },
        'GET',
      );
    }
    if (output.ContentRange) {
      const served = /^bytes (\d+)-(\d+)\/\d+$/.exec(output.ContentRange);
      if (
        wanted === 'whole' ||
        !served ||
        wanted.start !== Number(served[1]) ||
        wanted.end !== Number(served[2])
      ) {
        body.destroy();
        onError(
          new Error(`asked S3 for ${rangeHeader(range) ?? 'the whole object'}, got ${output.ContentRange}`),
          path,
        );
        return sendError(response, 502, 'The S3 emulator answered another range than asked.', cors, 'GET');
      }
      response.writeHead(206, {
        ...headers,
        'content-range': `bytes ${wanted.start}-${wanted.end}/${size}`,
        'content-length': String(wanted.end - wanted.start + 1),
      });
    } else {
      // No range asked, a suffix of an empty object, or an emulator that ignored the range: the whole object,
      // which RFC 7233 allows.
      response.writeHead(200, { ...headers, 'content-length': String(output.ContentLength ?? 0) });
    }
    stream(body, response, path);
  }

  async function serveHead(
    response: ServerResponse,
    target: { bucket: string; key: string; path: string; behaviour: DeliveryBehaviour },
    request: IncomingMessage,
    cors: Headers,
    signal: AbortSignal,
  ): Promise<void> {
    const { bucket, key, path, behaviour } = target;
    const conditions = parseConditions(request);
    const fetched = await source.head(bucket, key, s3Conditions(conditions), signal);
    switch (fetched.kind) {
      case 'object': {
        const verdict = evaluatePreconditions(toValidators(fetched.output), conditions);
        if (verdict === 'not-modified') return notModified(response, behaviour, fetched.output.ETag, cors);
        if (verdict === 'failed') return sendError(response, 412, 'A precondition failed.', cors, 'HEAD');
        response.writeHead(200, {
          ...objectHeaders(key, behaviour, fetched.output, cors),
          'content-length': String(fetched.output.ContentLength ?? 0),
        });
        response.end();
        return;
      }
      case 'not-modified':
        return notModified(response, behaviour, fetched.etag ?? singleTag(conditions.ifNoneMatch), cors);
      case 'not-found':
        return sendError(response, 404, `No object at ${path}.`, cors, 'HEAD');
      default:
        return sendError(response, 412, 'A precondition failed.', cors, 'HEAD');
    }
  }

  /** A generated playlist: the manifest Lambda, invoked in-process with the event its function URL gets. */
  async function serveGenerated(
    request: IncomingMessage,
    response: ServerResponse,
    key: string,
    cors: Headers,
    method: string,
  ): Promise<void> {
    if (!options.manifest) return sendError(response, 404, 'No manifest function here.', cors, method);
    const target = request.url ?? '';
    const queryAt = target.indexOf('?');
    const rawPath = `/${key.split('/').map(encodeURIComponent).join('/')}`;
    const event: FunctionUrlEvent = {
      version: '2.0',
      routeKey: '$default',
      rawPath,
      rawQueryString: queryAt === -1 ? '' : target.slice(queryAt + 1),
      headers: { host: header(request, 'host') ?? '' },
      requestContext: {
        http: {
          // HEAD is answered from the GET's headers, so its Content-Length is the playlist's.
          method: 'GET',
          path: rawPath,
          protocol: `HTTP/${request.httpVersion}`,
          sourceIp: (request.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
          userAgent: header(request, 'user-agent') ?? '',
        },
      },
      isBase64Encoded: false,
    };
    let result: FunctionUrlResult;
    try {
      result = await options.manifest(event);
    } catch (error) {
      onError(error, key);
      return sendError(response, 502, 'The manifest function failed; see the platform log.', cors, method);
    }
    const body = Buffer.from(result.body ?? '');
    response.writeHead(result.statusCode, {
      ...(result.headers ?? {}),
      ...cors,
      ...SECURITY_HEADERS,
      'content-length': String(body.length),
    });
    response.end(method === 'HEAD' ? undefined : body);
  }

  return {
    async handle(request, response, path) {
      const method = request.method ?? 'GET';
      const cors = corsHeaders(header(request, 'origin'));
      if (method === 'OPTIONS') return preflight(request, response, cors);
      if (method !== 'GET' && method !== 'HEAD') {
        return sendError(
          response,
          405,
          `Media answers ${ALLOW}, not ${method}.`,
          { ...cors, allow: ALLOW },
          method,
        );
      }
      const resolved = resolveMediaPath(path);
      if ('status' in resolved) return sendError(response, resolved.status, resolved.message, cors, method);
      const behaviour = findBehaviour(resolved.key, behaviours);
      if (!behaviour) return sendError(response, 404, `No media at ${path}.`, cors, method);
      if (options.trustedKeys) {
        const verdict = checkSignedRequest(
          {
            scheme: 'http',
            host: header(request, 'host') ?? '',
            target: request.url ?? path,
            cookie: header(request, 'cookie'),
            sourceIp: (request.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
          },
          options.trustedKeys,
        );
        if (!verdict.ok) return sendError(response, 403, `Access denied: ${verdict.reason}.`, cors, method);
      }
      if (behaviour.origin === 'manifest')
        return serveGenerated(request, response, resolved.key, cors, method);
      const target = { bucket: options.buckets[behaviour.origin], key: resolved.key, path, behaviour };

      // A viewer that goes away before the answer starts takes its S3 request with it.
      const abort = new AbortController();
      const onClose = () => {
        if (!response.writableFinished) abort.abort();
      };
      response.once('close', onClose);
      try {
        if (method === 'HEAD') await serveHead(response, target, request, cors, abort.signal);
        else await serveGet(response, target, request, cors, abort.signal);
      } catch (error) {
        if (abort.signal.aborted) return;
        onError(error, path);
        if (!response.headersSent)
          sendError(response, 502, 'The S3 emulator failed; see the platform log.', cors, method);
        else response.destroy();
      }
    },
    close() {
      source.destroy();
    },
  };
}

/** Why a preflight is refused, or undefined when the actual request may be made. */
function preflightRefusal(
  origin: string,
  method: string,
  requestedHeaders: string[],
  cors: Headers,
): string | undefined {
  if (!cors['access-control-allow-origin']) return `the origin ${origin} may not read media`;
  if (method !== 'GET' && method !== 'HEAD') return `media answers GET and HEAD, not ${method}`;
  const unknown = requestedHeaders.find((name) => !ALLOWED_REQUEST_HEADERS.has(name));
  return unknown === undefined ? undefined : `the request header ${unknown} is not allowed`;
}

const toValidators = (object: { ETag?: string; LastModified?: Date }): Validators => ({
  etag: object.ETag,
  lastModified: object.LastModified,
});

/** The one tag of an If-None-Match that S3 answered 304 to: then it is the object's ETag. */
function singleTag(tags: Conditions['ifNoneMatch']): string | undefined {
  return tags && tags !== '*' && tags.length === 1 ? tags[0]?.opaque : undefined;
}

// ─── Standalone ───────────────────────────────────────────────────────────────────────────────────────────

export interface RunningMediaServer {
  /** Base URL of the media, e.g. `http://127.0.0.1:41234/media`: append `/<key>`. */
  url: string;
  server: Server;
  stop(): Promise<void>;
}

/**
 * The media server on its own HTTP server, mounted at `/media` as on the platform's origin: for tests and
 * benchmarks that need media without the rest of the platform.
 */
export async function startMediaServer(
  options: MediaServerOptions & { port?: number; mount?: string },
): Promise<RunningMediaServer> {
  const media = createMediaServer(options);
  const mount = options.mount ?? '/media';
  const server = createServer((request, response) => {
    const target = request.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    if (path !== mount && !path.startsWith(`${mount}/`)) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('Not found\n');
      return;
    }
    void media.handle(request, response, path.slice(mount.length));
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${mount}`,
    server,
    async stop() {
      await new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
      media.close();
    },
  };
}
