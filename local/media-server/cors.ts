/**
 * CORS as the media distribution's response headers policy answers it (lambdas/contract/delivery.ts `mediaCors`):
 * the headers an actual request gets for its Origin, and preflights (OPTIONS) allowed or refused with 403.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mediaCors } from '#contract/delivery.ts';
import { header, OWS } from './header-fields.ts';
import { ALLOW, type Headers, SECURITY_HEADERS, sendError } from './responses.ts';

const ALLOWED_REQUEST_HEADERS = new Set(mediaCors.allowHeaders.map((name) => name.toLowerCase()));

/** CORS headers for an actual request, as the response headers policy adds them. */
export function corsHeaders(allowOrigins: '*' | readonly string[], origin: string | undefined): Headers {
  const exposed = { 'access-control-expose-headers': mediaCors.exposeHeaders.join(', ') };
  if (allowOrigins === '*') return { 'access-control-allow-origin': '*', ...exposed };
  // Which origin is echoed depends on the request's Origin, so caches must keep them apart.
  if (origin && allowOrigins.includes(origin)) {
    return { 'access-control-allow-origin': origin, ...exposed, vary: 'origin' };
  }
  return { vary: 'origin' };
}

/** Answers an OPTIONS request: a CORS preflight, or (without Origin and a method) what media answers to. */
export function preflight(request: IncomingMessage, response: ServerResponse, cors: Headers): void {
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
