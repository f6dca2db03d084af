import type { Failure, PlayableMedia, Video, Visibility } from '#contract/catalog.ts';

/** A video with the bookkeeping the API does not show. */
export interface StoredVideo extends Video {
  /** S3 key of the original upload in the uploads bucket. */
  sourceKey?: string;
  /**
   * While UPLOADING: epoch seconds after which DynamoDB's TTL deletes an upload nobody finished (by then
   * the bucket's lifecycle rule has discarded its parts too). Removed as soon as the upload completes.
   */
  expiresAt?: number;
  /** S3 multipart upload id while UPLOADING. */
  uploadId?: string;
  /** Bytes per part of the multipart upload (all but the last), fixed when the upload starts. */
  partSize?: number;
  /** The transcode job working on it, once submitted. */
  jobId?: string;
  /**
   * How many clips were ever cut from it. Cutting one raises it in the same transaction, so deleting the video
   * conditionally on the count read notices a clip cut meanwhile, which must be hidden too.
   */
  clipsCut?: number;
}

/** Where a clip's update requires its source to be: as read (`visibility`), or gone (`undefined`). */
export interface SourceAsRead {
  sourceId: string;
  visibility: Visibility | undefined;
}

export interface Page<T> {
  items: T[];
  /** Pass back to get the next page; absent on the last one. */
  cursor?: string;
}

/**
 * The catalog of videos. Every status change is conditional on the current state, so a late, repeated or
 * out-of-order event is a no-op (the method returns false) instead of moving a video backwards.
 */
export interface VideoCatalog {
  /**
   * Adds a new video; fails if the id is taken. A clip is added with its link under its source, and only while
   * the source is READY and at least as open as the clip (else SourceChangedError).
   */
  create(video: StoredVideo): Promise<void>;
  get(videoId: string): Promise<StoredVideo | undefined>;
  listByOwner(ownerId: string, page: { limit: number; cursor?: string }): Promise<Page<StoredVideo>>;
  /** Public, READY videos, newest first. */
  listPublic(page: { limit: number; cursor?: string }): Promise<Page<StoredVideo>>;
  /** UPLOADING → UPLOADED. */
  markUploaded(videoId: string, at: string): Promise<boolean>;
  /** Records the transcode job (once) and moves an UPLOADING or UPLOADED video to PROCESSING. */
  recordJob(videoId: string, jobId: string, at: string): Promise<boolean>;
  /** Raises progress of the current job; never lowers it. */
  markProgress(videoId: string, jobId: string, progress: number, at: string): Promise<boolean>;
  /** Final: the current job (or, with no job, a recording) produced playable media. */
  markReady(videoId: string, jobId: string | undefined, media: PlayableMedia, at: string): Promise<boolean>;
  /** Final: with a job id, only if that is the current job; without, only before any job started. */
  markFailed(videoId: string, failure: Failure, at: string, jobId?: string): Promise<boolean>;
  /**
   * Sets the title, description, visibility or disclaimer (null removes it), keeping the public listing in step
   * (a READY video is listed while it is public); returns the video as changed, or undefined when there is none.
   */
  updateDetails(
    videoId: string,
    changes: {
      title?: string;
      description?: string;
      visibility?: Video['visibility'];
      disclaimer?: string | null;
      sponsorCreative?: boolean;
    },
    at: string,
    /** For a clip: write only while its source is still as read (else SourceChangedError). */
    source?: SourceAsRead,
  ): Promise<StoredVideo | undefined>;
  /**
   * Removes the video from the catalog (a clip with its link under its source); returns what was removed, if
   * anything. With `ifClipsCut`, only while no clip was cut from it since it was read with that `clipsCut`.
   */
  remove(videoId: string, ifClipsCut?: { clipsCut: number | undefined }): Promise<StoredVideo | undefined>;
  /** The ids of the clips cut from a source (read consistently), a page at a time. */
  clipsOf(sourceId: string, page: { limit: number; cursor?: string }): Promise<Page<string>>;
  /**
   * Narrows a clip to `ceiling` if it is more open, and unlists it unless it stays public; one conditional write,
   * so repeating it is harmless. True when it changed the clip.
   */
  narrowClip(clipId: string, ceiling: Visibility, at: string): Promise<boolean>;
  /** Forgets that a clip was cut from this source (the source is going away). */
  unlinkClip(sourceId: string, clipId: string): Promise<void>;
}
