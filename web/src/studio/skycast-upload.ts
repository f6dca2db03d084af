/**
 * Uploads to Skycast with Uppy's S3 multipart uploader (@uppy/aws-s3 v5). The plugin cuts the file into parts and
 * moves the bytes: parallel part PUTs with progress, pause and resume, retries with backoff, waiting out a lost
 * connection, resuming an upload whose id it is given. This module only maps its callbacks onto our uploads API:
 *
 * - createMultipartUpload → createUpload (plans the parts, presigns the first page of part URLs);
 * - signPart → a URL from those pages; the next page comes from listUploadParts when a part has none left;
 * - listParts → listUploadParts (the parts that arrived, and a fresh page of URLs);
 * - completeMultipartUpload → completeUpload; abortMultipartUpload → abortUpload.
 *
 * Why v5: since v6 the plugin signs S3's own requests (CreateMultipartUpload, ListParts, … as S3 XML calls) and no
 * longer takes these callbacks; our API keeps those steps on the server, where the catalog and key prefix are decided.
 */
import AwsS3, { type AwsS3Part, type AwsS3UploadParameters } from '@uppy/aws-s3';
import type { Body, Meta, Uppy, UppyFile } from '@uppy/core';
import { planParts } from '#contract/part-plan.ts';
import { ApiError, call, type UploadTicket, type Video, type Visibility } from '../api.ts';

export interface UploadMeta extends Meta {
  title: string;
  visibility: Visibility;
}

export interface UploadBody extends Body {
  video: Video;
}

type PartUrlPage = Pick<UploadTicket, 'expiresAt' | 'parts'>;

/** What survives a reload: enough to find the upload again when the same file is chosen. */
interface SavedUpload {
  videoId: string;
  fileName: string;
  size: number;
  lastModified: number;
  title: string;
  savedAt: string;
}

const SAVED_KEY = 'skycast.uploads';
/** Requests at once per uploader (part PUTs and API calls): enough to fill a connection, under the browser's 6 per host. */
const PARALLEL_REQUESTS = 4;
const URL_PAGE = 100;
/** A URL this close to its expiry is not handed out: a part may take a while to send. */
const URL_EXPIRY_MARGIN_MS = 60_000;

export function fingerprint(file: { name: string; size: number; lastModified?: number }): string {
  return `${file.name}|${file.size}|${file.lastModified ?? 0}`;
}

export function savedUploads(): Record<string, SavedUpload> {
  try {
    return JSON.parse(localStorage.getItem(SAVED_KEY) ?? '{}') as Record<string, SavedUpload>;
  } catch {
    return {};
  }
}

function saveUpload(key: string, saved: SavedUpload | undefined): void {
  const all = savedUploads();
  if (saved) all[key] = saved;
  else delete all[key];
  localStorage.setItem(SAVED_KEY, JSON.stringify(all));
}

export function forgetSavedUpload(key: string): void {
  saveUpload(key, undefined);
}

/** What the uploader needs of the app: the API (tests pass their own). */
interface UploaderDeps {
  call: typeof call;
}

const isGone = (error: unknown) => error instanceof ApiError && [404, 409, 410].includes(error.status);

const discarding = new Map<string, Promise<void>>();

/** Abandons an upload on the server (once, however many ask) and forgets it here. */
export function discardUpload(videoId: string, api: UploaderDeps = { call }): Promise<void> {
  let discarded = discarding.get(videoId);
  if (!discarded) {
    discarded = api.call('abortUpload', { params: { videoId } }).then(
      () => undefined,
      (error: unknown) => {
        if (isGone(error)) return;
        discarding.delete(videoId); // unreachable just now: the next discard asks again
        throw error;
      },
    );
    discarding.set(videoId, discarded);
  }
  for (const [key, saved] of Object.entries(savedUploads())) {
    if (saved.videoId === videoId) forgetSavedUpload(key);
  }
  return discarded;
}

/** The server's id of a file's upload, once it has one. */
export function uploadIdOf(file: UppyFile<UploadMeta, UploadBody>): string | undefined {
  const started = (file as { s3Multipart?: { uploadId?: string } }).s3Multipart?.uploadId;
  return started ?? (file.data ? savedUploads()[fingerprint(file.data as File)]?.videoId : undefined);
}

/** Resolves once the browser is online (at once if it is), or rejects when `signal` aborts. */
function whenOnline(signal?: AbortSignal): Promise<void> {
  if (navigator.onLine) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const online = () => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    };
    const aborted = () => {
      window.removeEventListener('online', online);
      reject(signal?.reason);
    };
    window.addEventListener('online', online, { once: true });
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

/** The plugin's errors, as the studio shows them: ours are plain already; storage's are XHRs. */
export function describeUploadError(error: Error): string {
  const status = (error as { source?: { status?: unknown } }).source?.status;
  if (typeof status !== 'number') {
    if (error instanceof TypeError && /fetch/i.test(error.message))
      return 'The server could not be reached. Retry goes on from the parts that arrived.';
    return error.message;
  }
  if (status === 0)
    return navigator.onLine
      ? 'Storage could not be reached. Retry goes on from the parts that arrived.'
      : 'The connection is lost. Retry when it is back: the upload goes on from the parts that arrived.';
  if (status === 403)
    return 'Storage refused a part (HTTP 403): its upload link may have expired. Retry to get fresh links.';
  return `Storage answered HTTP ${status} to a part. Retry goes on from the parts that arrived.`;
}

interface CachedUrl {
  url: string;
  expiresAt: number;
  /** Given to the plugin once: asked again for the same part means that PUT failed, so a fresh URL. */
  handedOut: boolean;
}

/**
 * Puts Skycast's uploader on `uppy`: @uppy/aws-s3 with callbacks onto our API, and a pre-processor that picks up
 * an unfinished upload of the same file (after a reload, or a Retry) instead of starting another.
 * Returns `close`, which destroys `uppy` but keeps unfinished uploads on the server, to resume later.
 */
export function installUploader<M extends UploadMeta, B extends UploadBody>(
  uppy: Uppy<M, B>,
  deps: UploaderDeps = { call },
): () => void {
  let closing = false;
  const urls = new Map<string, Map<number, CachedUrl>>();
  const fetchingUrls = new Map<string, Promise<void>>();
  /** For uploads picked up again: the part size the server planned them with. */
  const partSizes = new WeakMap<object, number>();

  const adopt = (videoId: string, page: PartUrlPage) => {
    const cached = urls.get(videoId) ?? new Map<number, CachedUrl>();
    urls.set(videoId, cached);
    const expiresAt = Date.parse(page.expiresAt);
    for (const part of page.parts)
      cached.set(part.partNumber, { url: part.url, expiresAt, handedOut: false });
  };

  const listUploadParts = async (videoId: string, fromPart: number, signal?: AbortSignal) => {
    await whenOnline(signal);
    const progress = await deps.call('listUploadParts', {
      params: { videoId },
      query: { fromPart, urlCount: URL_PAGE },
    });
    adopt(videoId, progress);
    return progress;
  };

  const usableUrl = (videoId: string, partNumber: number) => {
    const cached = urls.get(videoId)?.get(partNumber);
    return cached && !cached.handedOut && cached.expiresAt - Date.now() > URL_EXPIRY_MARGIN_MS
      ? cached
      : undefined;
  };

  /** The plugin cuts parts before createUpload answers: the same rule as the server, checked against its answer. */
  const partSizeFor = (data: { size: number }) => partSizes.get(data) ?? planParts(data.size).partSize;

  /** Before the uploader runs: a file with a saved upload resumes it if the server still has it. */
  const pickUpSavedUploads = async (fileIDs: string[]) => {
    for (const file of uppy.getFilesByIds(fileIDs)) {
      if (!file.data) continue;
      const key = fingerprint(file.data as File);
      const saved = savedUploads()[key];
      const resume = (videoId: string | undefined) =>
        uppy.setFileState(file.id, {
          s3Multipart: videoId ? { key: videoId, uploadId: videoId } : undefined,
        } as Partial<UppyFile<M, B>>);
      if (!saved) {
        resume(undefined);
        continue;
      }
      try {
        const progress = await listUploadParts(saved.videoId, 1);
        partSizes.set(file.data, progress.partSize);
        resume(saved.videoId);
      } catch (error) {
        // Gone (expired, aborted, deleted) or completed meanwhile: start over as a new upload.
        if (isGone(error)) {
          forgetSavedUpload(key);
          partSizes.delete(file.data);
          resume(undefined);
        } else {
          // Unreachable just now: the plugin's own listParts tries again and reports what goes wrong.
          resume(saved.videoId);
        }
      }
    }
  };
  uppy.addPreProcessor(pickUpSavedUploads);

  uppy.use(AwsS3<M, B>, {
    // Our API has only multipart uploads, a 1-byte file included: never the plugin's single PUT.
    shouldUseMultipart: true,
    limit: PARALLEL_REQUESTS,
    getChunkSize: partSizeFor,

    async createMultipartUpload(file) {
      const data = file.data as File;
      await whenOnline();
      const ticket = await deps.call('createUpload', {
        body: {
          fileName: file.name,
          size: data.size,
          contentType: file.type ?? '',
          title: file.meta.title || undefined,
          visibility: file.meta.visibility,
        },
      });
      const expected = partSizeFor(data);
      if (ticket.partSize !== expected || !uppy.getFile(file.id)) {
        await discardUpload(ticket.videoId, deps).catch(() => {});
        if (!uppy.getFile(file.id)) throw new DOMException('The file was removed.', 'AbortError');
        throw new Error(
          `The server cuts this file into parts of ${ticket.partSize} bytes, this page into ${expected}: reload the page and upload again.`,
        );
      }
      adopt(ticket.videoId, ticket);
      saveUpload(fingerprint(data), {
        videoId: ticket.videoId,
        fileName: file.name ?? '',
        size: data.size,
        lastModified: data.lastModified ?? 0,
        title: file.meta.title,
        savedAt: new Date().toISOString(),
      });
      return { uploadId: ticket.videoId, key: ticket.videoId };
    },

    async signPart(_file, { uploadId, partNumber, signal }): Promise<AwsS3UploadParameters> {
      for (;;) {
        const cached = usableUrl(uploadId, partNumber);
        if (cached) {
          cached.handedOut = true;
          return { method: 'PUT', url: cached.url };
        }
        // One page request at a time per upload: the parts waiting for it usually find their URL in it.
        const pending = fetchingUrls.get(uploadId);
        if (pending) {
          await pending;
          continue;
        }
        const page = listUploadParts(uploadId, partNumber, signal).then(() => undefined);
        fetchingUrls.set(uploadId, page);
        try {
          await page;
        } finally {
          fetchingUrls.delete(uploadId);
        }
        const fresh = usableUrl(uploadId, partNumber);
        if (!fresh) throw new Error(`The server handed out no upload URL for part ${partNumber}.`);
        fresh.handedOut = true;
        return { method: 'PUT', url: fresh.url };
      }
    },

    async listParts(file, { uploadId, signal }): Promise<AwsS3Part[]> {
      const progress = await listUploadParts(uploadId as string, 1, signal);
      const expected = partSizeFor(file.data as Blob);
      if (progress.partSize !== expected) {
        throw new Error(
          `This upload was planned in parts of ${progress.partSize} bytes, this page cut it into ${expected}: reload the page and choose the file again.`,
        );
      }
      return progress.uploadedParts.map((part) => ({
        PartNumber: part.partNumber,
        Size: part.size,
        ETag: part.etag,
      }));
    },

    async completeMultipartUpload(file, { uploadId, parts }) {
      await whenOnline();
      const video = await deps.call('completeUpload', {
        params: { videoId: uploadId },
        // Uppy fills both in for every part it uploaded; the API refuses a part without them all the same.
        body: {
          parts: parts.map((part) => ({ partNumber: part.PartNumber as number, etag: part.ETag as string })),
        },
      });
      urls.delete(uploadId);
      forgetSavedUpload(fingerprint(file.data as File));
      return { video } as UploadBody & { location?: string };
    },

    async abortMultipartUpload(file, { uploadId }) {
      // The plugin also abandons an upload after an error it gave up on; ours stays, so that Retry (or choosing
      // the file again after a reload) goes on from the parts that arrived. Only a removed file's upload goes,
      // unless the studio is closing (Uppy's destroy removes every file): it resumes on the next visit.
      if (uploadId && !closing && !uppy.getFile(file.id)) await discardUpload(uploadId, deps);
    },
  });

  return () => {
    closing = true;
    uppy.destroy();
  };
}
