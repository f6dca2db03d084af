/**
 * The rows of the delivery table whose origin is `manifest` (generated playlists): the manifest Lambda,
 * invoked in-process with the event its function URL would give it, and its answer passed on as CloudFront
 * passes on its origin's, with the distribution's CORS and security headers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { header } from './header-fields.ts';
import { type Headers, SECURITY_HEADERS, sendError } from './responses.ts';

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

/** What the manifest Lambda answers, as a function URL passes it on. */
export interface FunctionUrlResult {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A generated playlist: the manifest Lambda, invoked in-process with the event its function URL gets. */
export async function serveGenerated(
  manifest: ((event: FunctionUrlEvent) => Promise<FunctionUrlResult>) | undefined,
  onError: (error: unknown, path: string) => void,
  request: IncomingMessage,
  response: ServerResponse,
  key: string,
  cors: Headers,
  method: string,
): Promise<void> {
  if (!manifest) return sendError(response, 404, 'No manifest function here.', cors, method);
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
    result = await manifest(event);
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
