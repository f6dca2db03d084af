/**
 * The app's settings and the API. Where everything is comes from /config.json; operations are found by their
 * operationId in /openapi.json, so the same build works locally and deployed, and an operation the server does
 * not offer yet (live, clips) is known to be missing instead of failing at random.
 */
import type * as z from 'zod';
import type * as accounts from '#contract/accounts.ts';
import type * as catalog from '#contract/catalog.ts';
import type { ListedVideo, Video, Visibility, WatchableVideo } from '#contract/catalog.ts';
import type * as clips from '#contract/clips.ts';
import type * as interactivity from '#contract/interactivity.ts';
import type * as live from '#contract/live.ts';
import type { StreamView } from '#contract/live.ts';
import type { Operation } from '#contract/operation.ts';
import type * as uploads from '#contract/uploads.ts';
import type { WebConfig } from '#contract/web-config.ts';
import { accessToken, SignedOutError } from './auth.ts';

export type { UploadTicket } from '#contract/uploads.ts';
// Type-only imports of the contract: erased from the bundle, so the app gets the API's types without zod.
export type { ListedVideo, StreamView, Video, Visibility, WatchableVideo, WebConfig };
export type Ingest = z.output<typeof live.Ingest>;

/** The visibilities, in the order the app offers them; the type check keeps the list whole. */
export const VISIBILITIES = ['public', 'unlisted', 'private'] as const satisfies readonly Visibility[];
const everyVisibility: Exclude<Visibility, (typeof VISIBILITIES)[number]> extends never ? true : never = true;
void everyVisibility;

/** The operations a contract module declares, by operationId. */
type OperationsOf<Module> = {
  [Name in keyof Module as Module[Name] extends Operation & { operationId: infer Id extends string }
    ? Id
    : never]: Module[Name];
};

type Operations = OperationsOf<typeof accounts> &
  OperationsOf<typeof catalog> &
  OperationsOf<typeof clips> &
  OperationsOf<typeof interactivity> &
  OperationsOf<typeof live> &
  OperationsOf<typeof uploads>;

/** An operation of the contract, by the id clients find it with. */
type OperationId = keyof Operations & string;

/** What an operation answers with on success: its response schema's output, nothing for a 204. */
type AnswerOf<Id extends OperationId> = Operations[Id] extends { successStatus: 204 }
  ? undefined
  : z.output<Operations[Id]['response']>;

/** One part of a request (`params`, `query`, `body`) in the form a client sends it: the schema's input. */
type RequestPart<Op, Part extends 'params' | 'query' | 'body'> = Op extends {
  [Key in Part]: infer Schema extends z.ZodType;
}
  ? { [Key in Part]: z.input<Schema> }
  : { [Key in Part]?: never };

/** What a call of an operation sends; a query is optional (every query field has a default or may be left out). */
type CallOptions<Id extends OperationId> = RequestPart<Operations[Id], 'params'> &
  Partial<RequestPart<Operations[Id], 'query'>> &
  RequestPart<Operations[Id], 'body'>;

type CallArguments<Id extends OperationId> =
  object extends CallOptions<Id> ? [options?: CallOptions<Id>] : [options: CallOptions<Id>];

interface OperationRef {
  method: string;
  path: string;
}

let settings: WebConfig | undefined;
const operations = new Map<string, OperationRef>();

export function config(): WebConfig {
  if (!settings) throw new Error('The app has not loaded its settings yet.');
  return settings;
}

/** Loads /config.json and /openapi.json; the app cannot start without them. */
export async function loadSettings(): Promise<void> {
  const [configResponse, openApiResponse] = await Promise.all([
    fetch('/config.json', { cache: 'no-cache' }),
    fetch('/openapi.json', { cache: 'no-cache' }),
  ]);
  if (!configResponse.ok || !openApiResponse.ok) {
    throw new Error(
      'The app could not load its settings (/config.json, /openapi.json). Reload to try again.',
    );
  }
  settings = (await configResponse.json()) as WebConfig;
  const openApiDocument: unknown = await openApiResponse.json();
  const paths = (openApiDocument as { paths?: Record<string, Record<string, { operationId?: string }>> })
    .paths;
  for (const [path, methods] of Object.entries(paths ?? {})) {
    for (const [method, operation] of Object.entries(methods)) {
      if (operation?.operationId)
        operations.set(operation.operationId, { method: method.toUpperCase(), path });
    }
  }
}

/** Whether the server offers an operation (live and clips arrive later on some servers). */
export function offers(operationId: string): boolean {
  return operations.has(operationId);
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  /** The request field the error is about (`title`), when the API says. */
  readonly field: string | undefined;
  constructor(status: number, body: unknown) {
    const answer = body as
      | { message?: string; code?: string; details?: { issues?: { message?: string; path?: string }[] } }
      | undefined;
    const issue = answer?.details?.issues?.[0];
    // The first issue's own message reads better than the summary, which starts with its path.
    super(issue?.message ?? answer?.message ?? `The request failed (HTTP ${status}).`);
    this.status = status;
    this.code = answer?.code;
    this.field = issue?.path?.split('.')[1];
  }
}

/** The server does not offer this operation (not in its OpenAPI document, or its route answers 404). */
export class NotOfferedError extends Error {
  constructor(readonly operationId: string) {
    super(`This server does not offer ${operationId} yet.`);
  }
}

/** Calls an API operation as the signed-in user, refreshing the session once if the API says 401. */
export async function call<Id extends OperationId>(
  operationId: Id,
  ...[request]: CallArguments<Id>
): Promise<AnswerOf<Id>> {
  const options = (request ?? {}) as {
    params?: Record<string, string>;
    query?: Record<string, unknown>;
    body?: unknown;
  };
  const operation = operations.get(operationId);
  if (!operation) throw new NotOfferedError(operationId);
  let path = operation.path;
  for (const [name, value] of Object.entries(options.params ?? {})) {
    path = path.replace(`{${name}}`, encodeURIComponent(value));
  }
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined) query.set(name, String(value));
  }
  const url = `${config().apiUrl}${path}${query.size > 0 ? `?${query}` : ''}`;
  const send = (token: string) =>
    fetch(url, {
      method: operation.method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });

  let token = await accessToken();
  if (!token) throw new SignedOutError();
  let response = await send(token);
  if (response.status === 401) {
    // The token may have been revoked or expired early: one refresh, one retry.
    token = await accessToken({ forceRefresh: true });
    if (!token) throw new SignedOutError();
    response = await send(token);
  }
  if (response.status === 401) throw new SignedOutError();
  if (response.status === 204) return undefined as AnswerOf<Id>;
  const answer = await response.json().catch(() => undefined);
  // API Gateway answers a route it does not have with 404 {"message":"Not Found"} and no code; the local API
  // with NOT_FOUND "No API operation answers …". A missing video has its own code.
  const missing = answer as { code?: string; message?: string } | undefined;
  if (
    response.status === 404 &&
    (!missing?.code || missing.message?.startsWith('No API operation answers'))
  ) {
    throw new NotOfferedError(operationId);
  }
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer as AnswerOf<Id>;
}

/** A media URL: `mediaUrl` joined with a path relative to it. */
export function mediaUrl(path: string): string {
  return `${config().mediaUrl}/${path.replace(/^\//, '')}`;
}

/**
 * Where to play a READY video from: its `playback` URL, once its signed cookies are set for the video's media
 * path. Media is never served without them, so a video without `playback` (a clip whose source was deleted or
 * made private since) has nothing to play.
 */
export function playbackSource(video: WatchableVideo): string | undefined {
  if (!video.playback) return undefined;
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  for (const cookie of video.playback.cookies) {
    // biome-ignore lint/suspicious/noDocumentCookie: the API hands out CloudFront cookies for the media path; the Cookie Store API is not in every browser.
    document.cookie = `${cookie.name}=${cookie.value}; path=${cookie.path}; expires=${new Date(cookie.expires).toUTCString()}; SameSite=Strict${secure}`;
  }
  return video.playback.url;
}
