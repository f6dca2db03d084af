/**
 * GET and HEAD of an object in a bucket, as CloudFront answers them: ranges (byte-ranges.ts) and conditional
 * requests (preconditions.ts) settled with as few S3 calls as possible.
 *
 * Fast path: one GetObject per request, with the range and revalidation passed to S3, and the body streamed
 * through as it arrives, never held whole. Preconditions are evaluated again on the answer's ETag and
 * Last-Modified, so an emulator that ignores one cannot make the server answer wrongly; one that ignores a
 * range is caught by checking Content-Range against what was asked. A HEAD metadata cache would not save a
 * round trip here (there is no HEAD on the fast path) and would have to be invalidated whenever a live
 * playlist changes, so there is none.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import type { GetObjectCommandOutput } from '@aws-sdk/client-s3';
import type { DeliveryBehaviour } from '#contract/delivery.ts';
import { none, parseRange, type RangeRequest, rangeHeader, resolveRange } from './byte-ranges.ts';
import { header } from './header-fields.ts';
import { type Fetched, type ObjectSource, s3Conditions } from './object-source.ts';
import {
  type Conditions,
  evaluatePreconditions,
  ifRangeMatches,
  parseConditions,
  singleTag,
  toValidators,
} from './preconditions.ts';
import { type Headers, notModified, objectHeaders, sendError } from './responses.ts';

/** Where objects are read from, and who is told when that fails (the viewer gets a 502). */
export interface ObjectReader {
  source: ObjectSource;
  onError: (error: unknown, path: string) => void;
}

/** The object a request names: its bucket and key, the path it was asked by, and its row of the delivery table. */
export interface ObjectTarget {
  bucket: string;
  key: string;
  path: string;
  behaviour: DeliveryBehaviour;
}

const PREMATURE_CLOSE = 'ERR_STREAM_PREMATURE_CLOSE';

function stream(reader: ObjectReader, body: Readable, response: ServerResponse, path: string): void {
  pipeline(body, response, (error) => {
    // A viewer that stops reading (seeking, closing the tab) is not an error.
    if (error && (error as NodeJS.ErrnoException).code !== PREMATURE_CLOSE && !response.destroyed) {
      reader.onError(error, path);
    }
  });
}

/**
 * GetObject for a GET, with If-Range settled: the range is asked for only while If-Range (if any) can match,
 * and dropped (a second GetObject, for the whole object) when it turns out not to.
 */
async function fetchForGet(
  reader: ObjectReader,
  bucket: string,
  key: string,
  range: RangeRequest,
  conditions: Conditions,
  signal: AbortSignal,
): Promise<{ fetched: Fetched<GetObjectCommandOutput>; range: RangeRequest }> {
  const revalidation = s3Conditions(conditions);
  const whole = async () => ({
    fetched: await reader.source.get(bucket, key, revalidation, signal),
    range: none,
  });
  const { ifRange } = conditions;
  if (range.kind !== 'from' && range.kind !== 'suffix') return whole();
  if (ifRange && ifRange.kind !== 'date' && !(ifRange.kind === 'tag' && !ifRange.tag.weak)) return whole();
  const fetched = await reader.source.get(
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
    const head = await reader.source.head(bucket, key, {}, signal);
    if (head.kind === 'object' && !ifRangeMatches(ifRange, toValidators(head.output))) return whole();
  }
  return { fetched, range };
}

async function sizeOf(
  reader: ObjectReader,
  bucket: string,
  key: string,
  known: number | undefined,
  signal: AbortSignal,
) {
  if (known !== undefined) return known;
  const head = await reader.source.head(bucket, key, {}, signal);
  return head.kind === 'object' ? head.output.ContentLength : undefined;
}

/** Answers a GET: 200, 206, 304, 404, 412 or 416, the body streamed from S3 as it arrives. */
export async function serveGet(
  reader: ObjectReader,
  response: ServerResponse,
  target: ObjectTarget,
  request: IncomingMessage,
  cors: Headers,
  signal: AbortSignal,
): Promise<void> {
  const { bucket, key, path, behaviour } = target;
  const conditions = parseConditions(request);
  const { fetched, range } = await fetchForGet(
    reader,
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
      const size = await sizeOf(reader, bucket, key, fetched.size, signal);
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
      reader.onError(
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
  stream(reader, body, response, path);
}

/** Answers a HEAD: a GET's headers without a body, and no range (RFC 7233 §3.1). */
export async function serveHead(
  reader: ObjectReader,
  response: ServerResponse,
  target: ObjectTarget,
  request: IncomingMessage,
  cors: Headers,
  signal: AbortSignal,
): Promise<void> {
  const { bucket, key, path, behaviour } = target;
  const conditions = parseConditions(request);
  const fetched = await reader.source.head(bucket, key, s3Conditions(conditions), signal);
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
