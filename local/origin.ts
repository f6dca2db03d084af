import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { apiCors } from '#contract/api-edge.ts';
import { contentSecurityPolicy } from '#contract/content-security.ts';
import type { WebConfig } from '#contract/web-config.ts';
import { ROOT } from '../scripts/python-env.ts';
import type { createCognitoEndpoint } from './cognito-endpoint.ts';
import { type ApiRequest, type createHttpApi, MAX_API_PAYLOAD_BYTES } from './http-api.ts';
import type { MediaServer } from './media-server/index.ts';
import type { Outbox } from './outbox.ts';
import { readStaticFile, webAppHeaders } from './static-files.ts';

/** Where things live on the one origin; `/config.json` tells the web app the rest. */
export const PATHS = {
  api: '/api',
  cognito: '/cognito/',
  media: '/media',
  config: '/config.json',
  openApi: '/openapi.json',
  outbox: '/local/outbox',
} as const;

/** The built web app (`npm run build`; `npm start` builds it when it is missing or stale). */
const WEB_ROOT = join(ROOT, 'web', 'dist');
const MAX_COGNITO_BODY_BYTES = 1024 * 1024;

/** The web app's dev server (`npx vite web`), whose pages call the API on this origin. */
export const DEV_SERVER_ORIGINS = ['http://localhost:5173', 'http://127.0.0.1:5173'];

/** What the API and the Cognito endpoint allow a browser on another origin, as the CDK's CORS does. */
const CORS = {
  api: { headers: apiCors.allowHeaders, expose: apiCors.exposeHeaders },
  cognito: { headers: apiCors.cognitoAllowHeaders, expose: apiCors.cognitoExposeHeaders },
} as const;
type CorsSurface = keyof typeof CORS;

export interface OriginParts {
  config: WebConfig;
  /** The OpenAPI document, serialised once. */
  openApi: string;
  outbox: Outbox;
  api: ReturnType<typeof createHttpApi>;
  cognito: ReturnType<typeof createCognitoEndpoint>;
  /** The stand-in for the media distribution, mounted at PATHS.media. */
  media: MediaServer;
  /** Live HLS of the local IVS, served under `path` (its playback domain). */
  livePlayback?: {
    path: string;
    serve(
      request: IncomingMessage,
      response: ServerResponse,
      path: string,
      query: URLSearchParams,
    ): Promise<void>;
  };
  /**
   * Browser origins other than its own that may call the API and the Cognito endpoint (CORS), like the HTTP
   * API's `allowOrigins`. Anything else gets no CORS headers, so its scripts cannot read the answers.
   */
  browserOrigins: readonly string[];
  /** Where presigned upload part URLs point (the S3 endpoint the functions use), for the web app's CSP. */
  uploadEndpoints: readonly string[];
  /** One line per API or Cognito request. */
  log: (line: string) => void;
}

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

function send(
  response: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  body: Buffer | string,
  method = 'GET',
): void {
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  response.writeHead(status, { ...headers, 'content-length': String(payload.length) });
  response.end(method === 'HEAD' ? undefined : payload);
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  method = 'GET',
): void {
  send(
    response,
    status,
    { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    JSON.stringify(body, null, 2),
    method,
  );
}

/** The request body, or undefined after answering 413 as API Gateway does when it is over `limit`. */
async function readBody(
  request: IncomingMessage,
  response: ServerResponse,
  limit: number,
  cors: Record<string, string>,
): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      sendJson(response, 413, { message: 'Request Entity Too Large' }, { ...cors, connection: 'close' });
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The CORS headers of an actual request: the caller's origin when it is allowed, nothing otherwise. */
function corsHeaders(
  request: IncomingMessage,
  allowed: ReadonlySet<string>,
  surface: CorsSurface,
): Record<string, string> {
  const origin = request.headers.origin;
  // Which origin is echoed depends on the request's Origin, so caches must keep them apart.
  if (!origin || !allowed.has(origin)) return { vary: 'origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': CORS[surface].expose.join(', '),
    vary: 'origin',
  };
}

/**
 * A preflight answered as API Gateway answers it: 204, and for an allowed origin the fixed lists of methods
 * and headers. The requested headers are never echoed: a browser compares them with the list and refuses
 * the actual request if one is missing.
 */
function corsPreflight(
  request: IncomingMessage,
  response: ServerResponse,
  allowed: ReadonlySet<string>,
  surface: CorsSurface,
  methods: readonly string[],
): void {
  const cors = corsHeaders(request, allowed, surface);
  if (!cors['access-control-allow-origin']) {
    send(response, 204, cors, '');
    return;
  }
  send(
    response,
    204,
    {
      ...cors,
      'access-control-allow-methods': [...methods, 'OPTIONS'].join(', '),
      'access-control-allow-headers': CORS[surface].headers.join(', '),
      'access-control-max-age': String(apiCors.maxAgeSeconds),
    },
    '',
  );
}

/** A path the web app routes itself: no file extension in its last segment (`/studio`, not `/app.js`). */
export const isAppRoute = (path: string) => !/\.[A-Za-z0-9]+$/.test(path.slice(path.lastIndexOf('/') + 1));

const elapsed = (began: number) => `${Math.round(performance.now() - began)} ms`;

/**
 * Routes the one origin: the API under `/api`, the Cognito endpoint, the media under `/media`, `/config.json`,
 * `/openapi.json`, the outbox, and the web app's static files for everything else.
 */
export function createOriginHandler(parts: OriginParts): RequestHandler {
  const { config, outbox, log } = parts;
  const allowedOrigins = new Set(parts.browserOrigins);
  const apiMethods = [...new Set(parts.api.methods)];
  const originOf = (url: string) => new URL(url).origin;
  // Served with every file of the web app, as the web distribution's response headers policy does.
  const policy = contentSecurityPolicy({
    connect: [originOf(config.apiUrl), originOf(config.cognitoEndpoint)],
    media: [originOf(config.mediaUrl)],
    uploads: parts.uploadEndpoints.map(originOf),
  });

  async function serveApi(
    request: IncomingMessage,
    response: ServerResponse,
    rawPath: string,
    rawQuery: string,
  ) {
    const began = performance.now();
    const method = request.method ?? 'GET';
    if (method === 'OPTIONS') return corsPreflight(request, response, allowedOrigins, 'api', apiMethods);
    const cors = corsHeaders(request, allowedOrigins, 'api');
    const body = await readBody(request, response, MAX_API_PAYLOAD_BYTES, cors);
    if (!body) return;
    const apiRequest: ApiRequest = {
      method,
      rawPath: rawPath.slice(PATHS.api.length) || '/',
      rawQueryString: rawQuery,
      headers: Object.fromEntries(
        Object.entries(request.headersDistinct).map(([name, values]) => [name, values ?? []]),
      ),
      body,
      sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      protocol: `HTTP/${request.httpVersion}`,
    };
    const answer = await parts.api.handle(apiRequest);
    const headers: Record<string, string | string[]> = { ...answer.headers, ...cors };
    if (answer.cookies.length > 0) headers['set-cookie'] = answer.cookies;
    send(response, answer.statusCode, headers, answer.body);
    // The path only: no query string, no headers, so never a token.
    log(`${method} ${rawPath} → ${answer.statusCode} (${elapsed(began)})`);
  }

  async function serveCognito(request: IncomingMessage, response: ServerResponse) {
    const began = performance.now();
    if (request.method === 'OPTIONS') {
      return corsPreflight(request, response, allowedOrigins, 'cognito', ['POST']);
    }
    const cors = corsHeaders(request, allowedOrigins, 'cognito');
    if (request.method !== 'POST') {
      const message = 'The Cognito API takes POST.';
      return sendJson(response, 405, { code: 'METHOD_NOT_ALLOWED', message }, { allow: 'POST, OPTIONS' });
    }
    const body = await readBody(request, response, MAX_COGNITO_BODY_BYTES, cors);
    if (!body) return;
    const header = request.headers['x-amz-target'];
    const target = typeof header === 'string' ? header : undefined;
    const answer = await parts.cognito.handle(target, body);
    send(response, answer.status, { ...answer.headers, ...cors }, answer.body);
    log(`POST ${PATHS.cognito} ${target?.split('.').pop() ?? '?'} → ${answer.status} (${elapsed(began)})`);
  }

  return async (request, response) => {
    const target = request.url ?? '/';
    const queryAt = target.indexOf('?');
    const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
    const rawQuery = queryAt === -1 ? '' : target.slice(queryAt + 1);
    const method = request.method ?? 'GET';

    if (!rawPath.startsWith('/')) {
      return sendJson(response, 400, { code: 'BAD_REQUEST', message: 'The request target must be a path.' });
    }
    if (rawPath === PATHS.api || rawPath.startsWith(`${PATHS.api}/`)) {
      return serveApi(request, response, rawPath, rawQuery);
    }
    if (rawPath === PATHS.cognito || rawPath === PATHS.cognito.slice(0, -1)) {
      return serveCognito(request, response);
    }
    // Its own methods (OPTIONS for preflights, 405 for the rest) and errors; not logged per request: a player
    // asks for a segment every second or two.
    if (rawPath === PATHS.media || rawPath.startsWith(`${PATHS.media}/`)) {
      return parts.media.handle(request, response, rawPath.slice(PATHS.media.length));
    }
    // Live playlists and segments: as frequent as media, not logged per request either.
    if (parts.livePlayback && rawPath.startsWith(parts.livePlayback.path)) {
      const livePath = rawPath.slice(parts.livePlayback.path.length);
      return parts.livePlayback.serve(request, response, livePath, new URLSearchParams(rawQuery));
    }
    if (method !== 'GET' && method !== 'HEAD') {
      const message = `${method} is not supported here.`;
      return sendJson(response, 405, { code: 'METHOD_NOT_ALLOWED', message }, { allow: 'GET, HEAD' });
    }
    switch (rawPath) {
      case PATHS.config:
        return sendJson(response, 200, config, {}, method);
      case PATHS.openApi:
        return send(
          response,
          200,
          { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' },
          parts.openApi,
          method,
        );
      case PATHS.outbox:
        return sendJson(response, 200, { messages: outbox.messages() }, {}, method);
    }
    // A client-side route (`/watch/video/abc`, `/studio`) gets the app's shell, which routes it, as the web
    // distribution answers its 403/404 with /index.html; a missing file (a name with an extension) stays a 404.
    const file =
      (await readStaticFile(WEB_ROOT, rawPath)) ??
      (isAppRoute(rawPath) ? await readStaticFile(WEB_ROOT, '/index.html') : undefined);
    if (!file)
      return send(response, 404, { 'content-type': 'text/plain; charset=utf-8' }, 'Not found\n', method);
    send(response, 200, webAppHeaders(file, policy), file.body, method);
  };
}
