/**
 * The app's settings and the API. Where everything is comes from /config.json; operations are found by their
 * operationId in /openapi.json, so the same build works locally and deployed, and an operation the server does
 * not offer yet (live, clips) is known to be missing instead of failing at random.
 */
import type { WebConfig } from '#contract/web-config.ts';
import { accessToken, SignedOutError } from './auth.ts';

export type { WebConfig };

/** What the app uses of the live API (see the contract: StreamView). */
export interface StreamView {
  streamId: string;
  ownerId: string;
  title: string;
  category?: string;
  tags: string[];
  visibility: Visibility;
  status: 'OFFLINE' | 'LIVE';
  startedAt?: string;
  endedAt?: string;
  viewerCount?: number;
  playbackUrl?: string;
  playbackToken?: string;
  latestRecordingVideoId?: string;
  updatedAt: string;
}

export interface Ingest {
  url: string;
  streamKey: string;
}

export type Visibility = 'public' | 'unlisted' | 'private';
export const VISIBILITIES: readonly Visibility[] = ['public', 'unlisted', 'private'];

export interface Playback {
  url: string;
  expiresAt: string;
  cookies: { name: string; value: string; path: string; expires: string }[];
}

export interface Video {
  videoId: string;
  ownerId: string;
  title: string;
  description?: string;
  visibility: Visibility;
  status: 'UPLOADING' | 'UPLOADED' | 'PROCESSING' | 'READY' | 'FAILED';
  progress?: number;
  failure?: { code: string; message: string };
  source:
    | { kind: 'upload'; fileName: string; size: number; contentType: string }
    | { kind: 'recording'; channelArn: string }
    | { kind: 'clip'; videoId: string; startSeconds: number; endSeconds: number };
  durationSeconds?: number;
  playbackPath?: string;
  posterPath?: string;
  /** In listings only: a signed URL for the poster of a READY video that has one. */
  posterUrl?: string;
  thumbnails?: { pathTemplate: string; count: number; intervalSeconds: number };
  renditions?: { name: string; width: number; height: number; bitrate: number; playlistPath: string }[];
  audioOnly?: boolean;
  playback?: Playback;
  createdAt: string;
  updatedAt: string;
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}

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

export interface CallOptions {
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

/** Calls an API operation as the signed-in user, refreshing the session once if the API says 401. */
export async function call<T>(operationId: string, options: CallOptions = {}): Promise<T> {
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
  if (response.status === 204) return undefined as T;
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
  return answer as T;
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
export function playbackSource(video: Video): string | undefined {
  if (!video.playback) return undefined;
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  for (const cookie of video.playback.cookies) {
    // biome-ignore lint/suspicious/noDocumentCookie: the API hands out CloudFront cookies for the media path; the Cookie Store API is not in every browser.
    document.cookie = `${cookie.name}=${cookie.value}; path=${cookie.path}; expires=${new Date(cookie.expires).toUTCString()}; SameSite=Strict${secure}`;
  }
  return video.playback.url;
}
