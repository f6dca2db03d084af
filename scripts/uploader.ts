/**
 * A Skycast upload client for scripts and benchmarks: streams a file to S3 in parallel multipart parts
 * through the API's presigned URLs, holding no more than a stream buffer per part in memory, and resumes
 * an interrupted upload by asking which parts arrived.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { acceptedMediaContentType } from '#contract/media-types.ts';

export interface ApiClient {
  apiUrl: string;
  accessToken: string;
}

interface PartUrl {
  partNumber: number;
  url: string;
}

interface PartPage {
  videoId: string;
  size: number;
  partSize: number;
  partCount: number;
  parts: PartUrl[];
  nextPartNumber?: number;
  uploadedParts?: { partNumber: number; size: number; etag: string }[];
}

export interface UploadProgress {
  videoId: string;
  uploadedBytes: number;
  totalBytes: number;
}

export interface UploadOptions {
  title?: string;
  visibility?: 'public' | 'unlisted' | 'private';
  /** Parts in flight at once. @default 4 */
  concurrency?: number;
  onProgress?: (progress: UploadProgress) => void;
  /** Called after each part's PUT, with how long it took. */
  onPart?: (part: { partNumber: number; bytes: number; ms: number }) => void;
  /** Aborting stops the upload where it is; `resumeUpload` finishes it later. */
  signal?: AbortSignal;
}

/** An API answer that is not 2xx, with the API's code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'ApiError';
  }
}

export async function callApi<T>(
  client: ApiClient,
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  const response = await fetch(`${client.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${client.accessToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (!response.ok)
    throw new ApiError(response.status, parsed?.code ?? 'HTTP_ERROR', parsed?.message ?? text);
  return parsed as T;
}

/**
 * PUTs one part straight from the file to its presigned URL. node:http rather than fetch: fetch keeps several
 * MiB of every request body alive while it sits in socket buffers, and costs far more CPU per byte.
 */
function putPart(
  url: string,
  path: string,
  start: number,
  length: number,
  signal?: AbortSignal,
): Promise<string> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      target,
      { method: 'PUT', headers: { 'content-length': String(length) }, ...(signal ? { signal } : {}) },
      (response) => {
        response.resume();
        response.on('error', reject);
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const etag = response.headers.etag;
          if (status < 200 || status >= 300) reject(new Error(`A part upload failed with HTTP ${status}`));
          else if (!etag)
            reject(new Error('S3 answered a part upload without an ETag (is ETag exposed by CORS?)'));
          else resolve(etag);
        });
      },
    );
    request.on('error', reject);
    pipeline(createReadStream(path, { start, end: start + length - 1 }), request).catch(reject);
  });
}

/** Uploads the parts still missing, fetching more part URLs as pages run out, then completes the upload. */
async function uploadRemaining(client: ApiClient, path: string, first: PartPage, options: UploadOptions) {
  const { videoId, size, partSize, partCount } = first;
  const etags = new Map<number, string>(
    (first.uploadedParts ?? []).map((part) => [part.partNumber, part.etag]),
  );
  let uploadedBytes = (first.uploadedParts ?? []).reduce((sum, part) => sum + part.size, 0);
  const queue: PartUrl[] = [...first.parts];
  let nextPartNumber = first.nextPartNumber;
  let refilling: Promise<void> | undefined;

  const refill = async () => {
    if (nextPartNumber === undefined) return;
    const page = await callApi<PartPage>(
      client,
      'GET',
      `/uploads/${videoId}/parts?fromPart=${nextPartNumber}`,
      undefined,
      options.signal,
    );
    nextPartNumber = page.nextPartNumber;
    queue.push(...page.parts.filter((part) => !etags.has(part.partNumber)));
  };

  const worker = async () => {
    for (;;) {
      if (queue.length === 0 && nextPartNumber !== undefined) {
        refilling ??= refill().finally(() => {
          refilling = undefined;
        });
        await refilling;
      }
      const part = queue.shift();
      if (!part) return;
      const start = (part.partNumber - 1) * partSize;
      const length = Math.min(partSize, size - start);
      const sent = performance.now();
      etags.set(part.partNumber, await putPart(part.url, path, start, length, options.signal));
      options.onPart?.({ partNumber: part.partNumber, bytes: length, ms: performance.now() - sent });
      uploadedBytes += length;
      options.onProgress?.({ videoId, uploadedBytes, totalBytes: size });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));

  if (etags.size !== partCount)
    throw new Error(`Uploaded ${etags.size} of ${partCount} parts; resume to finish.`);
  const parts = [...etags].sort(([a], [b]) => a - b).map(([partNumber, etag]) => ({ partNumber, etag }));
  return callApi<{ videoId: string; status: string }>(client, 'POST', `/uploads/${videoId}/complete`, {
    parts,
  });
}

/** Starts and finishes the upload of a file; resolves to the video as completeUpload returns it. */
export async function uploadFile(client: ApiClient, path: string, options: UploadOptions = {}) {
  const { size } = await stat(path);
  const fileName = basename(path);
  const ticket = await callApi<PartPage>(
    client,
    'POST',
    '/uploads',
    {
      fileName,
      size,
      // The type the API would pick from the extension; an unknown file gets its 415 from the API.
      contentType: acceptedMediaContentType(fileName, '') ?? '',
      ...(options.title ? { title: options.title } : {}),
      ...(options.visibility ? { visibility: options.visibility } : {}),
    },
    options.signal,
  );
  options.onProgress?.({ videoId: ticket.videoId, uploadedBytes: 0, totalBytes: size });
  return uploadRemaining(client, path, ticket, options);
}

/** Finishes an upload that was interrupted: uploads only the parts S3 does not have yet. */
export async function resumeUpload(
  client: ApiClient,
  videoId: string,
  path: string,
  options: UploadOptions = {},
) {
  const progress = await callApi<PartPage>(
    client,
    'GET',
    `/uploads/${videoId}/parts`,
    undefined,
    options.signal,
  );
  const { size } = await stat(path);
  if (size !== progress.size)
    throw new Error(`The file is ${size} bytes but the upload was started for ${progress.size}.`);
  return uploadRemaining(client, path, progress, options);
}

/** What `waitForVideo` reads of a video; callers widen it to what they need. */
export interface VideoStatus {
  status: string;
  progress?: number;
}

/**
 * Polls getVideo until the video is READY or FAILED and resolves to it; `onStatus` sees every answer on the
 * way (for a progress line). Rejects after `timeoutMs`.
 */
export async function waitForVideo<T extends VideoStatus>(
  client: ApiClient,
  videoId: string,
  options: { intervalMs?: number; timeoutMs?: number; onStatus?: (video: T) => void } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  for (;;) {
    const video = await callApi<T>(client, 'GET', `/videos/${videoId}`);
    if (video.status === 'READY' || video.status === 'FAILED') return video;
    options.onStatus?.(video);
    if (Date.now() > deadline) throw new Error(`Video ${videoId} is still ${video.status} after waiting.`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 2000));
  }
}
