import type { StreamView, Video } from '../api.ts';
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
 * A video in a list. No poster image here: media is served only with the cookies getVideo hands out, which a
 * list does not carry, so a card shows the title, length and date instead of a picture that would fail.
 */
export function videoCard(video: Video): HTMLElement {
  return h(
    'li',
    { class: 'card' },
    h(
      'a',
      { href: `/watch/video/${encodeURIComponent(video.videoId)}`, class: 'card-link' },
      h(
        'span',
        { class: 'thumb', 'aria-hidden': 'true' },
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
