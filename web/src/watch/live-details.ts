/**
 * What the live page shows besides the player: the line about the stream (live or not, since when, viewers,
 * category), a link to the studio for its owner, and what stands in the player's place while it is offline.
 */
import type { StreamView } from '../api.ts';
import { currentSession } from '../auth.ts';
import { formatDate, h } from '../dom.ts';

/** The details under the player. */
export function streamDetails(stream: StreamView): (HTMLElement | null)[] {
  return [
    h(
      'p',
      { class: 'card-meta' },
      [
        stream.status === 'LIVE' ? 'Live now' : 'Offline',
        stream.startedAt && stream.status === 'LIVE' ? `since ${formatDate(stream.startedAt)}` : '',
        stream.viewerCount !== undefined ? `${stream.viewerCount} watching` : '',
        stream.category ?? '',
      ]
        .filter(Boolean)
        .join(' · '),
    ),
    stream.ownerId === currentSession()?.userId
      ? h('p', {}, h('a', { href: '/studio' }, 'Manage this stream in your studio'))
      : null,
  ];
}

/** In the player's place while there is nothing live: `text` says why; the last recording is a link away. */
export function offlinePlaceholder(text: string, stream: StreamView | undefined): HTMLElement {
  return h(
    'div',
    { class: 'player-placeholder', 'data-status': 'OFFLINE' },
    h('p', { role: 'status' }, text),
    stream?.latestRecordingVideoId
      ? h(
          'p',
          {},
          h(
            'a',
            { href: `/watch/video/${encodeURIComponent(stream.latestRecordingVideoId)}` },
            'Watch the recording of the last stream',
          ),
        )
      : null,
  );
}

/** The URL to play a live stream from: its playback URL, with the playback token of a private channel. */
export function livePlaybackUrl(playbackUrl: string, playbackToken: string | undefined): string {
  return playbackToken
    ? `${playbackUrl}${playbackUrl.includes('?') ? '&' : '?'}token=${encodeURIComponent(playbackToken)}`
    : playbackUrl;
}
