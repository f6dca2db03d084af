/**
 * What the video page shows besides the player: the line about the video (kind, length, who can watch, date),
 * a clip's link to its whole video, the description, and what stands in the player's place until it plays.
 */
import type { Video } from '../api.ts';
import { formatDate, formatDuration, h, notice } from '../dom.ts';
import { statusText } from '../views/cards.ts';

/** The details under the player. */
export function videoDetails(video: Video): (HTMLElement | null)[] {
  return [
    h(
      'p',
      { class: 'card-meta' },
      [
        video.source.kind === 'clip'
          ? `Clip of ${formatDuration(video.source.startSeconds)}–${formatDuration(video.source.endSeconds)}`
          : video.source.kind === 'recording'
            ? 'Recording of a live stream'
            : 'Video',
        video.durationSeconds !== undefined ? formatDuration(video.durationSeconds) : '',
        video.visibility,
        formatDate(video.createdAt),
      ]
        .filter(Boolean)
        .join(' · '),
    ),
    video.source.kind === 'clip'
      ? h(
          'p',
          {},
          h(
            'a',
            { href: `/watch/video/${encodeURIComponent(video.source.videoId)}` },
            'Watch the whole video',
          ),
        )
      : null,
    video.description ? h('p', {}, video.description) : null,
  ];
}

/** In the player's place while a video is not READY: why, and processing progress when there is some. */
export function notReadyPlaceholder(video: Video): HTMLElement {
  const text =
    video.status === 'FAILED'
      ? `This video could not be processed: ${video.failure?.message ?? 'no reason was given.'}`
      : `This video is not ready yet (${statusText(video).toLowerCase()}). This page will play it when it is.`;
  return h(
    'div',
    { class: 'player-placeholder', 'data-status': video.status },
    h('p', { role: video.status === 'FAILED' ? 'alert' : 'status' }, text),
    video.status === 'PROCESSING' && video.progress !== undefined
      ? h('progress', { max: '100', value: String(video.progress), 'aria-label': 'Processing' })
      : null,
  );
}

/** In the player's place when a READY video has nothing to play from (see playbackSource). */
export function unplayableNotice(video: Video): HTMLElement {
  return notice(
    video.source.kind === 'clip'
      ? 'This clip cannot be played: the video it was cut from has been deleted or made private.'
      : 'This video cannot be played right now. Try again in a moment.',
    'alert',
  );
}
