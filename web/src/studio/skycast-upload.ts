/**
 * An Uppy uploader plugin for Skycast's uploads API. Uppy (core) keeps the files, their progress, pause,
 * resume and retry; this plugin moves the bytes the way our API hands them out: createUpload plans the parts and
 * presigns the first page of part URLs, listUploadParts says which parts arrived and presigns the rest page by
 * page, completeUpload assembles them, abortUpload abandons an upload.
 *
 * Why not @uppy/aws-s3: since v6 it signs S3's own requests (CreateMultipartUpload, ListParts,
 * CompleteMultipartUpload as S3 XML calls) and no longer takes the multipart callbacks an API like ours maps onto;
 * our API keeps those steps on the server, where the catalog and the key prefix are decided.
 * Part PUTs go through Uppy's own `fetcher` (XHR with upload progress, stall timeout and retries with backoff).
 */
import { BasePlugin, type DefinePluginOpts, type PluginOpts, type Uppy } from '@uppy/core';
import { type Body, fetcher, type Meta, type UppyFile } from '@uppy/core/utils';
import { ApiError, call, type Video, type Visibility } from '../api.ts';

export interface UploadMeta extends Meta {
  title: string;
  visibility: Visibility;
}

export interface UploadBody extends Body {
  video: Video;
}

interface PartUrl {
  partNumber: number;
  url: string;
}

interface UploadTicket {
  videoId: string;
  size: number;
  partSize: number;
  partCount: number;
  expiresAt: string;
  parts: PartUrl[];
  nextPartNumber?: number;
}

interface UploadProgressAnswer extends UploadTicket {
  uploadedParts: { partNumber: number; size: number; etag: string }[];
  uploadedBytes: number;
  remainingParts: number;
}

/** What survives a reload: enough to find the upload again when the same file is chosen. */
export interface SavedUpload {
  videoId: string;
  fileName: string;
  size: number;
  lastModified: number;
  title: string;
  savedAt: string;
}

const SAVED_KEY = 'skycast.uploads';
/** Parts in flight at once per file: enough to fill a connection, few enough for the browser's 6 per host. */
const PARALLEL_PARTS = 4;
const URL_PAGE = 100;

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

class OfflineError extends Error {
  constructor() {
    super('The connection is lost. The upload goes on by itself when it is back.');
  }
}

type Opts = PluginOpts & { parallelParts?: number };

/** One file's upload: its parts, their ETags, and the bytes of the parts in flight. */
class FileUpload<M extends UploadMeta, B extends UploadBody> {
  private videoId: string | undefined;
  private partSize = 0;
  private partCount = 0;
  private readonly urls = new Map<number, string>();
  private readonly etags = new Map<number, string>();
  private readonly inFlight = new Map<number, number>();
  private controller = new AbortController();
  private fetchingUrls: Promise<void> | undefined;

  constructor(
    private readonly uppy: Uppy<M, B>,
    private readonly file: UppyFile<M, B>,
    private readonly parallel: number,
  ) {}

  private get data(): Blob {
    return this.file.data as Blob;
  }

  private get key(): string {
    return fingerprint({
      name: this.file.name ?? '',
      size: this.data.size,
      lastModified: (this.data as File).lastModified,
    });
  }

  abort(): void {
    this.controller.abort();
  }

  /** Starts, or resumes after a pause, an error or a reload. Resolves when the video is complete. */
  async run(): Promise<Video> {
    this.controller.abort();
    this.controller = new AbortController();
    const signal = this.controller.signal;
    await this.prepare(signal);
    this.reportProgress();
    const pending: number[] = [];
    for (let part = 1; part <= this.partCount; part++) if (!this.etags.has(part)) pending.push(part);
    const workers = Array.from({ length: Math.min(this.parallel, pending.length) }, async () => {
      for (let part = pending.shift(); part !== undefined; part = pending.shift()) {
        await this.uploadPart(part, signal);
      }
    });
    await Promise.all(workers);
    signal.throwIfAborted();
    const video = await call<Video>('completeUpload', {
      params: { videoId: this.videoId as string },
      body: {
        parts: [...this.etags].sort(([a], [b]) => a - b).map(([partNumber, etag]) => ({ partNumber, etag })),
      },
    });
    forgetSavedUpload(this.key);
    return video;
  }

  /** Finds where the upload stands: a fresh one from createUpload, or a known one from listUploadParts. */
  private async prepare(signal: AbortSignal): Promise<void> {
    const saved = this.videoId ? undefined : savedUploads()[this.key];
    const videoId = this.videoId ?? saved?.videoId;
    if (videoId) {
      try {
        const progress = await call<UploadProgressAnswer>('listUploadParts', {
          params: { videoId },
          query: { fromPart: 1, urlCount: URL_PAGE },
        });
        this.adopt(progress);
        this.etags.clear();
        for (const part of progress.uploadedParts) this.etags.set(part.partNumber, part.etag);
        return;
      } catch (error) {
        // Gone (expired, aborted, deleted) or completed meanwhile: start over as a new upload.
        if (!(error instanceof ApiError) || ![404, 409, 410].includes(error.status)) throw error;
        forgetSavedUpload(this.key);
        this.videoId = undefined;
      }
    }
    signal.throwIfAborted();
    const ticket = await call<UploadTicket>('createUpload', {
      body: {
        fileName: this.file.name,
        size: this.data.size,
        contentType: this.file.type ?? '',
        title: this.file.meta.title || undefined,
        visibility: this.file.meta.visibility,
      },
    });
    this.adopt(ticket);
    saveUpload(this.key, {
      videoId: ticket.videoId,
      fileName: this.file.name ?? '',
      size: this.data.size,
      lastModified: (this.data as File).lastModified ?? 0,
      title: this.file.meta.title,
      savedAt: new Date().toISOString(),
    });
    this.uppy.setFileMeta(this.file.id, { videoId: ticket.videoId } as unknown as M);
  }

  private adopt(ticket: UploadTicket): void {
    this.videoId = ticket.videoId;
    this.partSize = ticket.partSize;
    this.partCount = ticket.partCount;
    for (const part of ticket.parts) this.urls.set(part.partNumber, part.url);
  }

  /** Presigned URLs for the parts from `fromPart` on, one page at a time, one request at a time. */
  private async moreUrls(fromPart: number): Promise<void> {
    this.fetchingUrls ??= call<UploadProgressAnswer>('listUploadParts', {
      params: { videoId: this.videoId as string },
      query: { fromPart, urlCount: URL_PAGE },
    })
      .then((page) => {
        for (const part of page.parts) this.urls.set(part.partNumber, part.url);
      })
      .finally(() => {
        this.fetchingUrls = undefined;
      });
    await this.fetchingUrls;
  }

  private async uploadPart(partNumber: number, signal: AbortSignal): Promise<void> {
    const start = (partNumber - 1) * this.partSize;
    const bytes = this.data.slice(start, Math.min(start + this.partSize, this.data.size));
    for (let attempt = 0; ; attempt++) {
      signal.throwIfAborted();
      if (!navigator.onLine) throw new OfflineError();
      if (!this.urls.has(partNumber)) await this.moreUrls(partNumber);
      const url = this.urls.get(partNumber);
      if (!url) throw new Error(`The server handed out no URL for part ${partNumber}.`);
      try {
        const xhr = await fetcher(url, {
          method: 'PUT',
          body: bytes,
          signal,
          retries: 3,
          // 4xx but 429 will not get better by trying again (an expired URL is handled below).
          shouldRetry: (request) =>
            navigator.onLine && (request.status === 0 || request.status === 429 || request.status >= 500),
          onUploadProgress: (event) => {
            this.inFlight.set(partNumber, event.loaded);
            this.reportProgress();
          },
        });
        const etag = xhr.getResponseHeader('ETag');
        if (!etag)
          throw new Error('Storage did not return the part’s ETag (check the bucket’s CORS ExposeHeaders).');
        this.inFlight.delete(partNumber);
        this.etags.set(partNumber, etag);
        this.reportProgress();
        return;
      } catch (error) {
        this.inFlight.delete(partNumber);
        this.reportProgress();
        if (signal.aborted) throw signal.reason ?? error;
        if (!navigator.onLine) throw new OfflineError();
        const status = (error as { request?: XMLHttpRequest }).request?.status;
        // The URL expired (or its signing credentials did): a fresh one, once.
        if (status === 403 && attempt === 0) {
          this.urls.delete(partNumber);
          continue;
        }
        throw error;
      }
    }
  }

  private reportProgress(): void {
    let bytes = 0;
    for (const part of this.etags.keys()) {
      bytes += Math.min(this.partSize, this.data.size - (part - 1) * this.partSize);
    }
    for (const loaded of this.inFlight.values()) bytes += loaded;
    const file = this.uppy.getFile(this.file.id);
    if (!file) return;
    this.uppy.emit('upload-progress', file, {
      uploadStarted: file.progress.uploadStarted ?? Date.now(),
      bytesUploaded: Math.min(bytes, this.data.size),
      bytesTotal: this.data.size,
    });
  }
}

export default class SkycastUpload<M extends UploadMeta, B extends UploadBody> extends BasePlugin<
  DefinePluginOpts<Opts, 'parallelParts'>,
  M,
  B
> {
  private readonly uploads = new Map<string, FileUpload<M, B>>();
  private readonly settle = new Map<string, () => void>();

  constructor(uppy: Uppy<M, B>, opts?: Opts) {
    super(uppy, { parallelParts: PARALLEL_PARTS, ...opts });
    this.id = this.opts.id ?? 'SkycastUpload';
    this.type = 'uploader';
  }

  override install(): void {
    const { capabilities } = this.uppy.getState();
    this.uppy.setState({ capabilities: { ...capabilities, resumableUploads: true } });
    this.uppy.addUploader(this.upload);
    this.uppy.on('upload-pause', this.onPause);
    this.uppy.on('file-removed', this.onRemoved);
    window.addEventListener('online', this.onOnline);
  }

  override uninstall(): void {
    this.uppy.removeUploader(this.upload);
    this.uppy.off('upload-pause', this.onPause);
    this.uppy.off('file-removed', this.onRemoved);
    window.removeEventListener('online', this.onOnline);
    for (const upload of this.uploads.values()) upload.abort();
  }

  private readonly upload = async (fileIDs: string[]): Promise<void> => {
    const files = this.uppy.getFilesByIds(fileIDs);
    this.uppy.emit('upload-start', files);
    await Promise.allSettled(files.map((file) => this.start(file)));
  };

  /**
   * Uploads one file; settles when it succeeded, failed or was removed. A pause aborts the requests in flight
   * and leaves this pending until the file is resumed, as Uppy's own uploaders do.
   */
  private start(file: UppyFile<M, B>): Promise<void> {
    let entry = this.uploads.get(file.id);
    if (!entry) {
      entry = new FileUpload(this.uppy, file, this.opts.parallelParts);
      this.uploads.set(file.id, entry);
    }
    return new Promise<void>((resolve) => {
      this.settle.set(file.id, resolve);
      this.attempt(file);
    });
  }

  private attempt(file: UppyFile<M, B>): void {
    const upload = this.uploads.get(file.id);
    if (!upload) return;
    const done = () => {
      this.settle.get(file.id)?.();
      this.settle.delete(file.id);
    };
    upload.run().then(
      (video) => {
        this.uploads.delete(file.id);
        const current = this.uppy.getFile(file.id);
        if (current)
          this.uppy.emit('upload-success', current, {
            status: 200,
            body: { video } as B,
            uploadURL: undefined,
          });
        done();
      },
      (error: unknown) => {
        // Paused: the requests were aborted on purpose; resuming calls attempt() again.
        if (this.uppy.getFile(file.id)?.isPaused) return;
        if (error instanceof DOMException && error.name === 'AbortError') return;
        const current = this.uppy.getFile(file.id);
        if (current)
          this.uppy.emit('upload-error', current, error instanceof Error ? error : new Error(String(error)));
        done();
      },
    );
  }

  private readonly onPause = (file: UppyFile<M, B> | undefined, isPaused: boolean | undefined): void => {
    if (!file) return;
    const upload = this.uploads.get(file.id);
    if (isPaused) upload?.abort();
    else if (upload) this.attempt(file);
  };

  private readonly onRemoved = (file: UppyFile<M, B>): void => {
    this.uploads.get(file.id)?.abort();
    this.uploads.delete(file.id);
    this.settle.get(file.id)?.();
    this.settle.delete(file.id);
  };

  /** Back online: uploads that stopped because the connection was lost go on by themselves. */
  private readonly onOnline = (): void => {
    for (const file of this.uppy.getFiles()) {
      if (file.error && !file.isPaused && this.uploads.has(file.id)) this.uppy.retryUpload(file.id);
    }
  };
}
