/**
 * The headers the media distribution's answers carry, as its response headers policy and the delivery table
 * (lambdas/contract/delivery.ts) set them: security headers on every answer, the row's Cache-Control and the
 * object's validators on an object's, `no-store` on errors. No compression, as the distribution (see MediaCdn):
 * the bytes, lengths and ETags are the object's.
 */
import type { ServerResponse } from 'node:http';
import {
  type DeliveryBehaviour,
  mediaContentTypes,
  mediaCors,
  mediaSecurityHeaders,
} from '#contract/delivery.ts';

export type Headers = Record<string, string>;

/** The methods media answers to, as an `Allow` value. */
export const ALLOW = mediaCors.allowMethods.join(', ');

export const SECURITY_HEADERS = {
  'x-content-type-options': mediaSecurityHeaders.contentTypeOptions,
  'x-frame-options': mediaSecurityHeaders.frameOptions,
  'referrer-policy': mediaSecurityHeaders.referrerPolicy,
} as const;

/**
 * An error answer. Errors (400, 403, 404, 405, 412, 416, 502) carry `Cache-Control: no-store`. CloudFront
 * differs there: a missing key is a 403 (the buckets do not give CloudFront s3:ListBucket), cached for
 * ERROR_CACHING_SECONDS, and the response headers policy puts the row's Cache-Control on it too.
 */
export function sendError(
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

/** The content type of a key: by extension first (lambdas/contract/delivery.ts), then as stored, then bytes. */
export function contentTypeFor(key: string, stored?: string): string {
  const slash = key.lastIndexOf('/');
  const dot = key.lastIndexOf('.');
  const extension = dot > slash ? key.slice(dot + 1).toLowerCase() : '';
  return mediaContentTypes[extension] ?? stored ?? 'application/octet-stream';
}

/** Headers every answer about an existing object carries. */
export function objectHeaders(
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
export function notModified(
  response: ServerResponse,
  behaviour: DeliveryBehaviour,
  etag: string | undefined,
  cors: Headers,
): void {
  response.writeHead(304, {
    ...cors,
    ...SECURITY_HEADERS,
    'cache-control': behaviour.cacheControl,
    ...(etag ? { etag } : {}),
  });
  response.end();
}
