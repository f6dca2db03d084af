import type { Failure, PlayableMedia, Visibility } from '#contract/catalog.ts';
import { SourceChangedError } from '../../../lambdas/catalog/errors.ts';
import { OPENNESS } from '../../../lambdas/catalog/video.ts';
import type {
  Page,
  SourceAsRead,
  StoredVideo,
  VideoCatalog,
} from '../../../lambdas/catalog/video-catalog.ts';
import { InvalidCursorError } from '../../../lambdas/shared/cursor.ts';

/**
 * A VideoCatalog kept in a Map, with the same conditional status rules as the DynamoDB one, for testing use
 * cases without a database. Cursors are offsets into the sorted listing.
 */
export class InMemoryVideoCatalog implements VideoCatalog {
  readonly items = new Map<string, StoredVideo>();
  /** Clip ids by source id, as the links under each source's partition. */
  readonly links = new Map<string, Set<string>>();

  async create(video: StoredVideo) {
    if (this.items.has(video.videoId)) throw new Error(`video ${video.videoId} exists`);
    if (video.source.kind === 'clip') {
      const source = this.items.get(video.source.videoId);
      if (source?.status !== 'READY' || OPENNESS[source.visibility] < OPENNESS[video.visibility]) {
        throw new SourceChangedError('The source changed.');
      }
      source.clipsCut = (source.clipsCut ?? 0) + 1;
      const clips = this.links.get(source.videoId) ?? new Set<string>();
      clips.add(video.videoId);
      this.links.set(source.videoId, clips);
    }
    this.items.set(video.videoId, structuredClone(video));
  }

  async clipsOf(sourceId: string, page: { limit: number; cursor?: string }) {
    const ids = [...(this.links.get(sourceId) ?? [])].sort();
    const rest = page.cursor === undefined ? ids : ids.filter((id) => id > (page.cursor as string));
    const items = rest.slice(0, page.limit);
    return { items, ...(rest.length > page.limit ? { cursor: items.at(-1) as string } : {}) };
  }

  async narrowClip(clipId: string, ceiling: Visibility, at: string) {
    return this.change(
      clipId,
      (clip) => OPENNESS[clip.visibility] > OPENNESS[ceiling],
      (clip) => Object.assign(clip, { visibility: ceiling, updatedAt: at }),
    );
  }

  async unlinkClip(sourceId: string, clipId: string) {
    this.links.get(sourceId)?.delete(clipId);
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
    source?: SourceAsRead,
  ) {
    const video = this.items.get(videoId);
    if (!video) return undefined;
    if (source && this.items.get(source.sourceId)?.visibility !== source.visibility) {
      throw new SourceChangedError('The source changed.');
    }
    for (const field of ['title', 'description', 'visibility'] as const) {
      const value = changes[field];
      if (value !== undefined) Object.assign(video, { [field]: value });
    }
    video.updatedAt = at;
    return structuredClone(video);
  }

  async remove(videoId: string, ifClipsCut?: { clipsCut: number | undefined }) {
    const video = this.items.get(videoId);
    if (video && ifClipsCut && video.clipsCut !== ifClipsCut.clipsCut) return undefined;
    this.items.delete(videoId);
    if (video?.source.kind === 'clip') this.links.get(video.source.videoId)?.delete(videoId);
    return video;
  }
}
