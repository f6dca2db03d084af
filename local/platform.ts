import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { buildOpenApiDocument } from '../lib/wiring/openapi.ts';
import { routeKey, routes } from '../lib/wiring/routes.ts';
import { ROOT } from '../scripts/python-env.ts';
import { createCognitoEndpoint } from './cognito-endpoint.ts';
import { type ApiRequest, createHttpApi, MAX_API_PAYLOAD_BYTES } from './http-api.ts';
import { createJwtAuthorizer } from './jwt-authorizer.ts';
import { type LocalFunction, loadHandler } from './lambda.ts';
import { type RunningEmulator, startMoto } from './moto.ts';
import { Outbox } from './outbox.ts';
import {
  emulatorClientConfig,
  functionEnvironment,
  type ProvisionedResources,
  provision,
} from './provision.ts';
import { readStaticFile } from './static-files.ts';
import type { WebConfig } from './web-config.ts';

export type { OutboxMessage } from './outbox.ts';
export type { WebConfig } from './web-config.ts';
export type { Outbox };

export interface PlatformOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 3000 */
  port?: number;
  /** Reserved for the RTMP ingest, which is not implemented yet. @default 1935 */
  rtmpPort?: number;
  /** Print nothing but errors: no request log, no verification codes. @default false */
  quiet?: boolean;
}

export interface RunningPlatform {
  /** The one origin, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** What `/config.json` serves. */
  config: WebConfig;
  /** What was created in the emulator. */
  resources: ProvisionedResources;
  /** The AWS-compatible emulator (moto) the handlers talk to. */
  motoEndpoint: string;
  /** Verification codes the platform "e-mailed", also served at `/local/outbox`. */
  outbox: Outbox;
  /**
   * Settles with the reason if something the platform depends on (the emulator) stops while it runs; never
   * settles after `stop()`.
   */
  failure: Promise<Error>;
  /** Stops serving and ends the emulator. Safe to call more than once. */
  stop(): Promise<void>;
}

/** Where things live on the one origin. */
export const PATHS = {
  api: '/api',
  cognito: '/cognito/',
  media: '/media',
  config: '/config.json',
  openApi: '/openapi.json',
  outbox: '/local/outbox',
} as const;

const REGION = 'us-east-1';
const ACCOUNT_ID = '123456789012';
const WEB_ROOT = join(ROOT, 'web', 'public');
const MAX_COGNITO_BODY_BYTES = 1024 * 1024;

/** Headers the browser may read from API and Cognito answers on another origin (e.g. a dev server). */
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'apigw-requestid, x-amzn-requestid, x-amzn-errortype',
};

/** Set once handler modules are imported: their module state belongs to that platform for good. */
let handlersLoaded = false;

class BodyTooLargeError extends Error {}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

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

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
) {
  send(
    response,
    status,
    { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...extra },
    JSON.stringify(body, null, 2),
  );
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Port ${port} on 127.0.0.1 is already in use. Stop what uses it or set PORT to another port.`,
            )
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolvePort((server.address() as AddressInfo).port);
    });
  });
}

/** Handlers read their configuration at module scope, as at Lambda init: the environment must be theirs first. */
function applyFunctionEnvironment(environment: Record<string, string>, quiet: boolean): void {
  for (const name of Object.keys(process.env)) {
    // A service-specific endpoint or a profile from the caller's shell would lead the handlers away from the emulator.
    if (
      name.startsWith('AWS_ENDPOINT_URL_') ||
      ['AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'AWS_PROFILE', 'AWS_SESSION_TOKEN'].includes(name)
    ) {
      delete process.env[name];
    }
  }
  Object.assign(process.env, environment);
  // The console shows one line per request; handler logs appear for warnings and errors unless asked for.
  process.env.POWERTOOLS_LOG_LEVEL ??= quiet ? 'SILENT' : 'WARN';
}

/**
 * Starts the local platform: the emulator, Skycast's resources in it, and one HTTP origin serving the web app,
 * `/config.json`, `/openapi.json`, the API (every route of the route table, behind the JWT authorizer) and a
 * Cognito endpoint whose verification codes go to a local outbox. One per process: the handlers it loads keep
 * their module state, as in a Lambda execution environment.
 */
export async function startPlatform(options: PlatformOptions = {}): Promise<RunningPlatform> {
  if (handlersLoaded) {
    throw new Error(
      'The local platform has already run in this process, and its handlers keep their init state (clients, ' +
        'configuration) as in a Lambda execution environment. Start another process for another platform.',
    );
  }
  const quiet = options.quiet ?? false;
  const log = (line: string) => {
    if (!quiet) console.log(line);
  };

  // Listen first: a port that is taken fails at once, before the emulator spends seconds starting.
  let handle: (request: IncomingMessage, response: ServerResponse) => Promise<void> = async (_req, res) =>
    sendJson(res, 503, {
      code: 'STARTING',
      message: 'The local platform is starting; try again in a moment.',
    });
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      console.error('✖ local platform error:', error);
      if (!response.headersSent)
        sendJson(response, 500, { code: 'INTERNAL_ERROR', message: 'Local platform error.' });
      else response.destroy();
    });
  });
  const port = await listen(server, options.port ?? 3000);
  const url = `http://127.0.0.1:${port}`;

  let moto: RunningEmulator | undefined;
  let cognito: CognitoIdentityProviderClient | undefined;
  const closeServer = () =>
    new Promise<void>((resolveClose) => {
      server.close(() => resolveClose());
      server.closeAllConnections();
    });

  try {
    moto = await startMoto();
    const resources = await provision({ endpoint: moto.endpoint, region: REGION });
    applyFunctionEnvironment(functionEnvironment(resources, moto.endpoint), quiet);
    handlersLoaded = true;

    const functions = new Map<string, LocalFunction>(
      await Promise.all(
        routes.map(async (route) => {
          const fn: LocalFunction = {
            name: `skycast-${route.operation.operationId}`,
            handler: await loadHandler(route.entry),
          };
          return [routeKey(route), fn] as const;
        }),
      ),
    );

    const config: WebConfig = {
      region: resources.region,
      apiUrl: `${url}${PATHS.api}`,
      userPoolId: resources.userPoolId,
      userPoolClientId: resources.userPoolClientId,
      mediaUrl: `${url}${PATHS.media}`,
      cognitoEndpoint: `${url}${PATHS.cognito}`,
    };
    const openApi = JSON.stringify(buildOpenApiDocument({ serverUrl: config.apiUrl }), null, 2);

    const outbox = new Outbox((message) => log(`✉ verification code for ${message.to}: ${message.code}`));
    cognito = new CognitoIdentityProviderClient(
      emulatorClientConfig({ endpoint: moto.endpoint, region: REGION }),
    );
    const cognitoEndpoint = createCognitoEndpoint({
      motoEndpoint: moto.endpoint,
      userPoolId: resources.userPoolId,
      clientId: resources.userPoolClientId,
      outbox,
      cognito,
    });
    const api = createHttpApi({
      routes,
      functions,
      authorizer: createJwtAuthorizer({
        issuer: `https://cognito-idp.${resources.region}.amazonaws.com/${resources.userPoolId}`,
        audience: [resources.userPoolClientId],
        jwksEndpoint: moto.endpoint,
      }),
      region: resources.region,
      accountId: ACCOUNT_ID,
      apiId: 'skycastlocal',
      onFunctionError: (name, outcome) =>
        console.error(`✖ ${name} ${outcome.timedOut ? 'timed out' : 'failed'}:`, outcome.error),
    });

    const corsPreflight = (request: IncomingMessage, response: ServerResponse) =>
      send(
        response,
        204,
        {
          ...CORS_HEADERS,
          'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
          'access-control-allow-headers':
            request.headers['access-control-request-headers'] ?? 'authorization, content-type, x-amz-target',
          'access-control-max-age': '600',
        },
        '',
      );

    async function serveApi(
      request: IncomingMessage,
      response: ServerResponse,
      rawPath: string,
      rawQuery: string,
    ) {
      const began = performance.now();
      const method = request.method ?? 'GET';
      if (method === 'OPTIONS') return corsPreflight(request, response);
      let body: Buffer;
      try {
        body = await readBody(request, MAX_API_PAYLOAD_BYTES);
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        sendJson(
          response,
          413,
          { message: 'Request Entity Too Large' },
          { ...CORS_HEADERS, connection: 'close' },
        );
        return;
      }
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
      const { response: answer } = await api.handle(apiRequest);
      const headers: Record<string, string | string[]> = { ...answer.headers, ...CORS_HEADERS };
      if (answer.cookies.length > 0) headers['set-cookie'] = answer.cookies;
      send(response, answer.statusCode, headers, answer.body);
      log(`${method} ${rawPath} → ${answer.statusCode} (${Math.round(performance.now() - began)} ms)`);
    }

    async function serveCognito(request: IncomingMessage, response: ServerResponse) {
      const began = performance.now();
      if (request.method === 'OPTIONS') return corsPreflight(request, response);
      if (request.method !== 'POST') {
        sendJson(
          response,
          405,
          { code: 'METHOD_NOT_ALLOWED', message: 'The Cognito API takes POST.' },
          { allow: 'POST, OPTIONS' },
        );
        return;
      }
      let body: Buffer;
      try {
        body = await readBody(request, MAX_COGNITO_BODY_BYTES);
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        sendJson(
          response,
          413,
          { message: 'Request Entity Too Large' },
          { ...CORS_HEADERS, connection: 'close' },
        );
        return;
      }
      const target = request.headers['x-amz-target'];
      const answer = await cognitoEndpoint.handle(typeof target === 'string' ? target : undefined, body);
      send(response, answer.status, { ...answer.headers, ...CORS_HEADERS }, answer.body);
      const operation = typeof target === 'string' ? target.split('.').pop() : '?';
      log(
        `POST ${PATHS.cognito} ${operation} → ${answer.status} (${Math.round(performance.now() - began)} ms)`,
      );
    }

    handle = async (request, response) => {
      const target = request.url ?? '/';
      const queryAt = target.indexOf('?');
      const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
      const rawQuery = queryAt === -1 ? '' : target.slice(queryAt + 1);
      const method = request.method ?? 'GET';

      if (!rawPath.startsWith('/'))
        return sendJson(response, 400, { code: 'BAD_REQUEST', message: 'Bad request target.' });
      if (rawPath === PATHS.api || rawPath.startsWith(`${PATHS.api}/`)) {
        return serveApi(request, response, rawPath, rawQuery);
      }
      if (rawPath === PATHS.cognito || rawPath === PATHS.cognito.slice(0, -1))
        return serveCognito(request, response);

      if (method !== 'GET' && method !== 'HEAD') {
        return sendJson(
          response,
          405,
          { code: 'METHOD_NOT_ALLOWED', message: `${method} is not supported here.` },
          { allow: 'GET, HEAD' },
        );
      }
      if (rawPath === PATHS.config) return sendJson(response, 200, config);
      if (rawPath === PATHS.openApi) {
        return send(
          response,
          200,
          { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' },
          openApi,
          method,
        );
      }
      if (rawPath === PATHS.outbox) return sendJson(response, 200, { messages: outbox.messages() });

      const file = await readStaticFile(WEB_ROOT, rawPath);
      if (!file)
        return send(response, 404, { 'content-type': 'text/plain; charset=utf-8' }, 'Not found\n', method);
      send(
        response,
        200,
        {
          'content-type': file.contentType,
          'cache-control': 'no-cache',
          'x-content-type-options': 'nosniff',
        },
        file.body,
        method,
      );
    };

    let stopping = false;
    const runningMoto = moto;
    const failure = new Promise<Error>((resolveFailure) => {
      void runningMoto.exited.then((code) => {
        if (!stopping)
          resolveFailure(new Error(`The AWS emulator (moto) stopped unexpectedly (exit code ${code}).`));
      });
    });
    let stopped: Promise<void> | undefined;
    const runningCognito = cognito;

    return {
      url,
      config,
      resources,
      motoEndpoint: moto.endpoint,
      outbox,
      failure,
      stop() {
        stopping = true;
        stopped ??= (async () => {
          await closeServer();
          await runningMoto.stop();
          runningCognito.destroy();
        })();
        return stopped;
      },
    };
  } catch (error) {
    await closeServer();
    await moto?.stop();
    cognito?.destroy();
    throw error;
  }
}
