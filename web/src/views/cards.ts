import type { ListedVideo, StreamView, Video } from '../api.ts';
import { formatDate, formatDuration, h } from '../dom.ts';

const STATUS_TEXT: Record<Video['status'], string> = {
  UPLOADING: 'Uploading',
  UPLOADED: 'Waiting to process',
  PROCESSING: 'Processing',
  READY: 'Ready',
  FAILED: 'Failed',
};

export const statusText = (video: Video) =>
  video.status === 'PROCESSING' && video.progress !== undefined
    ? `Processing, ${Math.round(video.progress)}%`
    : STATUS_TEXT[video.status];

function kindOf(video: Video): string {
  if (video.source.kind === 'clip') return 'Clip';
  if (video.source.kind === 'recording') return 'Live recording';
  return 'Video';
}

/**
 * A listed video's poster: listVideos signs a URL for that one image (the rest of the media needs getVideo's
 * cookies). The `.thumb` box keeps its 16:9 size and placeholder background, so nothing moves while the image
 * loads, and an image that fails (say, its URL expired) leaves the placeholder rather than a broken icon.
 */
export function posterImage(video: ListedVideo): HTMLImageElement | null {
  if (!video.posterUrl) return null;
  return h('img', {
    class: 'thumb-image',
    src: video.posterUrl,
    alt: '',
    loading: 'lazy',
    decoding: 'async',
    width: 320,
    height: 180,
    onerror: (event: Event) => (event.currentTarget as HTMLImageElement).remove(),
  });
}

/** A video in a list: its poster (or a placeholder: audio-only, not ready yet), kind, length, title and date. */
export function videoCard(video: ListedVideo): HTMLElement {
  return h(
    'li',
    { class: 'card' },
    h(
      'a',
      { href: `/watch/video/${encodeURIComponent(video.videoId)}`, class: 'card-link' },
      h(
        'span',
        { class: 'thumb', 'aria-hidden': 'true' },
        posterImage(video),
        h('span', { class: 'thumb-kind' }, kindOf(video)),
        video.durationSeconds !== undefined
          ? h('span', { class: 'thumb-duration' }, formatDuration(video.durationSeconds))
          : null,
      ),
      h('span', { class: 'card-title' }, video.title),
    ),
    h(
      'p',
      { class: 'card-meta' },
      `${kindOf(video)} · ${video.durationSeconds !== undefined ? `${formatDuration(video.durationSeconds)} · ` : ''}${formatDate(video.createdAt)}`,
    ),
  );
}

export function streamCard(stream: StreamView): HTMLElement {
  return h(
    'li',
    { class: 'card' },
    h(
      'a',
      { href: `/watch/live/${encodeURIComponent(stream.streamId)}`, class: 'card-link' },
      h('span', { class: 'thumb live', 'aria-hidden': 'true' }, h('span', { class: 'badge-live' }, 'LIVE')),
      h('span', { class: 'card-title' }, stream.title),
    ),
    h(
      'p',
      { class: 'card-meta' },
      [
        'Live now',
        stream.viewerCount !== undefined ? `${stream.viewerCount} watching` : '',
        stream.category ?? '',
      ]
        .filter(Boolean)
        .join(' · '),
    ),
  );
}
