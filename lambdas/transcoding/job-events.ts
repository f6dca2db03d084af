import type { PlayableMedia, Rendition } from '#contract/catalog.ts';
import type { MediaConvertJobStateDetail } from '#contract/events/mediaconvert.ts';
import { parseMultivariantPlaylist } from '#contract/hls/index.ts';
import {
  parseCaptureKey,
  parseS3Uri,
  parseVideoOutputKey,
  renditionOfPlaylistKey,
  type VideoOutput,
} from '#contract/media-layout.ts';

import type { VideoCatalog } from '../catalog/video-catalog.ts';
import type { VideoFiles } from '../catalog/videos.ts';
import { logger } from '../shared/logger.ts';
import { OUTPUT_NAMES } from './job.ts';
import type { MediaStore } from './ports.ts';

/** The `detail` of a "MediaConvert Job State Change" event, parsed at the edge (see job-state.ts). */
export type JobStateDetail = MediaConvertJobStateDetail;

export interface JobEventDeps {
  catalog: VideoCatalog;
  media: MediaStore;
  /** Removes what a job wrote for a video that was deleted while it ran. */
  files: Pick<VideoFiles, 'deleteMedia'>;
  now?: () => Date;
}

/** `s3://bucket/a/b.m3u8` → { bucket, key }. */
function objectOf(uri: string): { bucket: string; key: string } {
  const object = parseS3Uri(uri);
  if (!object?.key) throw new Error(`Not an S3 URI: ${uri}`);
  return object;
}

/** BANDWIDTH and RESOLUTION of each variant in a multivariant playlist, by the variant's URI. */
export function readVariants(
  playlist: string,
): Map<string, { bandwidth: number; width?: number; height?: number }> {
  const variants = new Map<string, { bandwidth: number; width?: number; height?: number }>();
  for (const variant of parseMultivariantPlaylist(playlist).variants) {
    variants.set(variant.uri.split('/').pop() as string, {
      bandwidth: variant.bandwidth,
      ...(variant.resolution ? { width: variant.resolution.width, height: variant.resolution.height } : {}),
    });
  }
  return variants;
}

/** How many frame captures a group wrote: MediaConvert reports the path of the last one (`…/thumb.0000041.jpg`). */
function captureCount(lastPath: string | undefined): number {
  const index = lastPath ? parseCaptureKey(lastPath)?.index : undefined;
  return index === undefined ? 0 : index + 1;
}

/** What a COMPLETE event says the job produced, with bitrates read from the multivariant playlist. */
async function playableMedia(
  deps: JobEventDeps,
  detail: Extract<JobStateDetail, { status: 'COMPLETE' }>,
): Promise<PlayableMedia> {
  const groups = detail.outputGroupDetails;
  const hls = groups.find((group) => group.type === 'HLS_GROUP');
  const multivariant = hls?.playlistFilePaths?.[0];
  if (!hls || !multivariant) throw new Error(`Job ${detail.jobId} completed without an HLS playlist`);
  const { bucket, key: playbackPath } = objectOf(multivariant);
  const variants = readVariants(await deps.media.readText(bucket, playbackPath));

  const outputs = hls.outputDetails;
  const audioOnly = outputs.every((output) => !output.videoDetails?.widthInPx);
  const renditions: Rendition[] = audioOnly
    ? []
    : outputs.flatMap((output) => {
        const path = output.outputFilePaths?.[0];
        if (!path) return [];
        const { key } = objectOf(path);
        const file = key.split('/').pop() as string;
        const width = output.videoDetails?.widthInPx ?? 0;
        const height = output.videoDetails?.heightInPx ?? 0;
        const name = renditionOfPlaylistKey(file) ?? `${Math.min(width, height)}p`;
        return [{ name, width, height, bitrate: variants.get(file)?.bandwidth ?? 0, playlistPath: key }];
      });
  renditions.sort((a, b) => b.height * b.width - a.height * a.width);

  const durationMs = Math.max(0, ...outputs.map((output) => output.durationInMs ?? 0));
  const media: PlayableMedia = {
    playbackPath,
    durationSeconds: Math.round(durationMs) / 1000,
    renditions,
    ...(audioOnly ? { audioOnly: true } : {}),
  };

  const captures = (output: VideoOutput) =>
    groups.find(
      (group) =>
        group.type === 'FILE_GROUP' &&
        parseVideoOutputKey(parseS3Uri(group.outputDetails?.[0]?.outputFilePaths?.[0] ?? '')?.key ?? '')
          ?.output === output,
    )?.outputDetails?.[0]?.outputFilePaths?.[0];
  const lastThumbnail = captures('thumbnails');
  const count = captureCount(lastThumbnail);
  if (lastThumbnail && count > 0) {
    const { key } = objectOf(lastThumbnail);
    media.thumbnails = {
      pathTemplate: parseCaptureKey(key)?.template ?? key,
      count,
      intervalSeconds: OUTPUT_NAMES.thumbnails.everySeconds,
    };
  }
  // The poster group keeps its last capture: a few seconds in, past any fade-in from black.
  const poster = captures('poster');
  if (poster) media.posterPath = objectOf(poster).key;
  return media;
}

/**
 * MediaConvert's error codes that mean the uploaded file itself cannot be used: it cannot be opened (1010), has
 * no video or audio where needed (1020, 1021), a codec we cannot decode (1030), or a broken or cut-short
 * container (1075, 1076). Other codes (settings, S3 access and writes, 1999's unknown error) are ours or
 * passing, and telling the uploader their file is damaged would send them looking for the wrong fault.
 */
const INPUT_ERROR_CODES = new Set([1010, 1020, 1021, 1030, 1075, 1076]);

/** A person-readable reason for a failed job. MediaConvert's own message is kept after ours. */
export function describeJobError(code: number | undefined, message: string | undefined): string {
  const detail = message ? ` (${message})` : '';
  if (code !== undefined && INPUT_ERROR_CODES.has(code)) {
    return `We could not read this video: it may be damaged, incomplete or in a format we cannot decode${detail}.`;
  }
  return `Transcoding failed${code === undefined ? '' : ` with error ${code}`}${detail}. Try uploading the file again.`;
}

const FINAL_JOB_STATUSES = new Set(['COMPLETE', 'ERROR', 'CANCELED']);

/**
 * Applies one job state change to its video. Each change is conditional in the catalog, so events that come
 * late, twice or out of order are no-ops. A final event may overtake the submitter's own record of the job:
 * recording the job first makes the outcome independent of that race.
 */
export async function applyJobStateChange(deps: JobEventDeps, detail: JobStateDetail): Promise<string> {
  const videoId = detail.userMetadata.videoId;
  if (!videoId) return 'ignored: not a Skycast job';
  const at = () => (deps.now?.() ?? new Date()).toISOString();
  const video = await deps.catalog.get(videoId);
  if (!video) {
    // Deleted while transcoding: deleteVideo removed the media that existed then; the job wrote more since.
    if (!FINAL_JOB_STATUSES.has(detail.status)) return 'ignored: no such video (deleted)';
    const removed = await deps.files.deleteMedia(videoId);
    logger.info('media of a deleted video removed', { videoId, jobId: detail.jobId, removed });
    return `cleaned up ${removed} object(s) of a deleted video`;
  }
  if (!video.jobId) await deps.catalog.recordJob(videoId, detail.jobId, at());

  switch (detail.status) {
    case 'PROGRESSING':
    case 'STATUS_UPDATE': {
      const percent = detail.status === 'STATUS_UPDATE' ? detail.jobProgress.jobPercentComplete : 0;
      const progress = Math.min(99, Math.max(0, Math.floor(percent)));
      const changed = await deps.catalog.markProgress(videoId, detail.jobId, progress, at());
      return changed ? `progress ${progress}%` : 'stale progress';
    }
    case 'COMPLETE': {
      const media = await playableMedia(deps, detail);
      const changed = await deps.catalog.markReady(videoId, detail.jobId, media, at());
      if (changed)
        logger.info('video ready', { videoId, jobId: detail.jobId, renditions: media.renditions?.length });
      return changed ? 'ready' : 'stale completion';
    }
    case 'ERROR':
    case 'CANCELED': {
      const errorCode = detail.status === 'ERROR' ? detail.errorCode : undefined;
      const message =
        detail.status === 'ERROR'
          ? describeJobError(detail.errorCode, detail.errorMessage)
          : 'Transcoding was canceled. Upload the file again.';
      const code = detail.status === 'ERROR' ? 'TRANSCODE_FAILED' : 'TRANSCODE_CANCELED';
      const changed = await deps.catalog.markFailed(videoId, { code, message }, at(), detail.jobId);
      if (changed) logger.info('video failed', { videoId, jobId: detail.jobId, errorCode });
      return changed ? 'failed' : 'stale failure';
    }
    default:
      return `ignored: ${detail.status}`;
  }
}
