import type { Failure, PlayableMedia } from '#contract/catalog.ts';

import type { Page, StoredVideo, VideoCatalog } from '../../../lambdas/catalog/video-catalog.ts';
import { InvalidCursorError } from '../../../lambdas/shared/cursor.ts';

/**
 * A VideoCatalog kept in a Map, with the same conditional status rules as the DynamoDB one, for testing use
 * cases without a database. Cursors are offsets into the sorted listing.
 */
export class InMemoryVideoCatalog implements VideoCatalog {
  readonly items = new Map<string, StoredVideo>();

  async create(video: StoredVideo) {
    if (this.items.has(video.videoId)) throw new Error(`video ${video.videoId} exists`);
    this.items.set(video.videoId, structuredClone(video));
  }

  async get(videoId: string) {
    const video = this.items.get(videoId);
    return video ? structuredClone(video) : undefined;
  }

  async listByOwner(ownerId: string, page: { limit: number; cursor?: string }) {
    return this.page(
      [...this.items.values()].filter((video) => video.ownerId === ownerId),
      page,
    );
  }

  async listPublic(page: { limit: number; cursor?: string }) {
    return this.page(
      [...this.items.values()].filter((video) => video.visibility === 'public' && video.status === 'READY'),
      page,
    );
  }

  private page(videos: StoredVideo[], page: { limit: number; cursor?: string }): Page<StoredVideo> {
    const start = page.cursor === undefined ? 0 : Number(page.cursor);
    if (!Number.isInteger(start) || start < 0) throw new InvalidCursorError();
    const sorted = videos.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const items = sorted.slice(start, start + page.limit).map((video) => structuredClone(video));
    const next = start + page.limit;
    return { items, ...(next < sorted.length ? { cursor: String(next) } : {}) };
  }

  private change(
    videoId: string,
    allowed: (video: StoredVideo) => boolean,
    apply: (video: StoredVideo) => void,
  ) {
    const video = this.items.get(videoId);
    if (!video || !allowed(video)) return false;
    apply(video);
    return true;
  }

  async markUploaded(videoId: string, at: string) {
    return this.change(
      videoId,
      (video) => video.status === 'UPLOADING',
      (video) => {
        video.status = 'UPLOADED';
        video.updatedAt = at;
        delete video.uploadId;
      },
    );
  }

  async recordJob(videoId: string, jobId: string, at: string) {
    return this.change(
      videoId,
      (video) => !video.jobId && (video.status === 'UPLOADING' || video.status === 'UPLOADED'),
      (video) => {
        Object.assign(video, { jobId, status: 'PROCESSING', progress: 0, updatedAt: at });
        delete video.uploadId;
      },
    );
  }

  async markProgress(videoId: string, jobId: string, progress: number, at: string) {
    return this.change(
      videoId,
      (video) => video.jobId === jobId && video.status === 'PROCESSING' && (video.progress ?? 0) < progress,
      (video) => Object.assign(video, { progress, updatedAt: at }),
    );
  }

  async markReady(videoId: string, jobId: string | undefined, media: PlayableMedia, at: string) {
    return this.change(
      videoId,
      (video) =>
        video.status !== 'READY' &&
        video.status !== 'FAILED' &&
        (jobId === undefined || video.jobId === jobId),
      (video) => {
        Object.assign(video, media, { status: 'READY', updatedAt: at });
        delete video.progress;
        delete video.failure;
      },
    );
  }

  async markFailed(videoId: string, failure: Failure, at: string, jobId?: string) {
    return this.change(
      videoId,
      (video) =>
        video.status !== 'READY' &&
        video.status !== 'FAILED' &&
        (jobId === undefined ? !video.jobId : video.jobId === jobId),
      (video) => {
        Object.assign(video, { status: 'FAILED', failure, updatedAt: at });
        delete video.progress;
      },
    );
  }

  async updateDetails(
    videoId: string,
    changes: { title?: string; description?: string; visibility?: StoredVideo['visibility'] },
    at: string,
  ) {
    const video = this.items.get(videoId);
    if (!video) return undefined;
    for (const field of ['title', 'description', 'visibility'] as const) {
      const value = changes[field];
      if (value !== undefined) Object.assign(video, { [field]: value });
    }
    video.updatedAt = at;
    return structuredClone(video);
  }

  async remove(videoId: string) {
    const video = this.items.get(videoId);
    this.items.delete(videoId);
    return video;
  }
}
