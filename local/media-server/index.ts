/**
 * The local stand-in for the media distribution (lib/delivery/media-cdn.ts): `/media/<key>` on the local origin
 * answers from the S3 emulator as CloudFront answers from the buckets. Same table (lambdas/contract/delivery.ts):
 * the same path picks the same bucket and gets the same Cache-Control, CORS and security headers.
 *
 * HTTP as strict as CloudFront's: GET and HEAD, byte ranges (RFC 7233, byte-ranges.ts), validators and
 * conditional requests (RFC 7232, preconditions.ts). The rooms: which key a path names (media-path.ts), signed
 * URLs and cookies (../signed-access.ts), CORS (cors.ts), the headers of every answer (responses.ts), reading the
 * buckets (object-source.ts) and answering GET and HEAD from them (serve-object.ts), and generated playlists
 * from the manifest Lambda (manifest-function.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type DeliveryBehaviour,
  type DeliveryBucket,
  deliveryBehaviours,
  findBehaviour,
} from '#contract/delivery.ts';
import type { AwsTarget } from '../emulator-clients.ts';
import { checkSignedRequest, type TrustedKeys } from '../signed-access.ts';
import { corsHeaders, preflight } from './cors.ts';
import { header } from './header-fields.ts';
import { type FunctionUrlEvent, type FunctionUrlResult, serveGenerated } from './manifest-function.ts';
import { resolveMediaPath } from './media-path.ts';
import { ObjectSource } from './object-source.ts';
import { ALLOW, sendError } from './responses.ts';
import { type ObjectReader, serveGet, serveHead } from './serve-object.ts';

export type { FunctionUrlEvent, FunctionUrlResult } from './manifest-function.ts';

/** Where the media server reads from, and who may read it from a browser. */
export interface MediaServerOptions {
  /** The S3 emulator. */
  s3: AwsTarget;
  /** Bucket names by role; the delivery table says which role serves which path. */
  buckets: Record<DeliveryBucket, string>;
  /**
   * The public keys of the trusted key group: every GET and HEAD must carry a signed URL or signed cookies of
   * one of them (local/signed-access.ts), else 403 with no media bytes, as CloudFront answers. Without it the server
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

export interface MediaServer {
  /**
   * Answers a request for `path`, the part after the media mount without the query string:
   * `/videos/<id>/hls/index.m3u8`. Query strings play no part (the cache key has none).
   */
  handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<void>;
  /** Releases the S3 client's sockets. */
  close(): void;
}

/** The media server for the platform's origin to mount (see `MediaServer.handle`). */
export function createMediaServer(options: MediaServerOptions): MediaServer {
  const source = new ObjectSource(options.s3);
  const behaviours = options.behaviours ?? deliveryBehaviours;
  const allowOrigins = options.allowOrigins ?? '*';
  const onError = options.onError ?? ((error, path) => console.error(`✖ media ${path}:`, error));
  const reader: ObjectReader = { source, onError };

  return {
    async handle(request, response, path) {
      const method = request.method ?? 'GET';
      const cors = corsHeaders(allowOrigins, header(request, 'origin'));
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
        return serveGenerated(options.manifest, onError, request, response, resolved.key, cors, method);
      const target = { bucket: options.buckets[behaviour.origin], key: resolved.key, path, behaviour };

      // A viewer that goes away before the answer starts takes its S3 request with it.
      const abort = new AbortController();
      const onClose = () => {
        if (!response.writableFinished) abort.abort();
      };
      response.once('close', onClose);
      try {
        if (method === 'HEAD') await serveHead(reader, response, target, request, cors, abort.signal);
        else await serveGet(reader, response, target, request, cors, abort.signal);
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
