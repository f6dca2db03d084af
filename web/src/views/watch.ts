import {
  ApiError,
  call,
  mediaUrl,
  NotOfferedError,
  offers,
  playbackSource,
  type StreamView,
  type Video,
} from '../api.ts';
import { currentSession } from '../auth.ts';
import { announce, every, formatDate, formatDuration, h, notice, replace } from '../dom.ts';
import { createPlayer, type Player } from '../player/player.ts';
import { navigate, type View } from '../router.ts';
import { statusText } from './cards.ts';
import { onSubmit, problemRegion, visibilityField } from './forms.ts';

const FINAL = new Set(['READY', 'FAILED']);

export const watchVideoView: View = {
  signedIn: true,
  async render(root, { videoId = '' }) {
    const heading = h('h1', {}, 'Video');
    const stage = h('div', { class: 'stage' });
    const details = h('div', { class: 'details' });
    root.append(heading, stage, details);
    let player: Player | undefined;
    let stopPolling: (() => void) | undefined;

    const show = async (video: Video) => {
      heading.textContent = video.title;
      document.title = `${video.title} · Skycast`;
      replace(
        details,
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
      );
      if (video.status !== 'READY') {
        const text =
          video.status === 'FAILED'
            ? `This video could not be processed: ${video.failure?.message ?? 'no reason was given.'}`
            : `This video is not ready yet (${statusText(video).toLowerCase()}). This page will play it when it is.`;
        replace(
          stage,
          h(
            'div',
            { class: 'player-placeholder', 'data-status': video.status },
            h('p', { role: video.status === 'FAILED' ? 'alert' : 'status' }, text),
            video.status === 'PROCESSING' && video.progress !== undefined
              ? h('progress', { max: '100', value: String(video.progress), 'aria-label': 'Processing' })
              : null,
          ),
        );
        return;
      }
      const source = playbackSource(video);
      if (!source) {
        replace(
          stage,
          notice(
            video.source.kind === 'clip'
              ? 'This clip cannot be played: the video it was cut from has been deleted or made private.'
              : 'This video cannot be played right now. Try again in a moment.',
            'alert',
          ),
        );
        return;
      }
      player = await createPlayer({
        url: source,
        title: video.title,
        live: false,
        poster: video.posterPath ? mediaUrl(video.posterPath) : undefined,
      });
      replace(stage, player.element);
      if (offers('createClip') && video.source.kind !== 'clip') details.append(clipPanel(video, player));
    };

    let video = await call<Video>('getVideo', { params: { videoId } }).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    });
    if (!video) {
      heading.textContent = 'Video not found';
      stage.append(notice('There is no video here, or it is private. Check the link.', 'alert'));
      return undefined;
    }
    await show(video);
    if (!FINAL.has(video.status)) {
      // Processing: check every few seconds, and play it the moment it is ready.
      stopPolling = every(3000, async () => {
        const next = await call<Video>('getVideo', { params: { videoId } });
        if (next.status !== video?.status || next.progress !== video?.progress) {
          video = next;
          await show(next);
          if (FINAL.has(next.status)) {
            stopPolling?.();
            announce(next.status === 'READY' ? 'The video is ready.' : 'The video could not be processed.');
          }
        }
      });
    }
    return () => {
      stopPolling?.();
      player?.destroy();
    };
  },
};

/** Cut a clip from the player: in and out points from the current time, a title and who can watch. */
function clipPanel(video: Video, player: Player): HTMLElement {
  const problem = problemRegion();
  const inPoint = h('input', {
    id: 'clip-start',
    name: 'start',
    inputmode: 'decimal',
    value: '0',
    'aria-describedby': 'clip-hint',
  }) as HTMLInputElement;
  const outPoint = h('input', {
    id: 'clip-end',
    name: 'end',
    inputmode: 'decimal',
    value: String(Math.min(video.durationSeconds ?? 10, 10).toFixed(1)),
    'aria-describedby': 'clip-hint',
  }) as HTMLInputElement;
  const markIn = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: () => {
        inPoint.value = player.video.currentTime.toFixed(1);
        announce(`In point ${formatDuration(player.video.currentTime)}.`);
      },
    },
    'Set in point here',
  );
  const markOut = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: () => {
        outPoint.value = player.video.currentTime.toFixed(1);
        announce(`Out point ${formatDuration(player.video.currentTime)}.`);
      },
    },
    'Set out point here',
  );
  const form = h(
    'form',
    { novalidate: true, 'aria-labelledby': 'clip-title-heading', class: 'clip-form' },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'clip-title' }, 'Clip title'),
      h('input', {
        id: 'clip-title',
        name: 'title',
        required: true,
        maxlength: '200',
        value: `${video.title} (clip)`,
      }),
    ),
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'clip-start' }, 'In (seconds)'), inPoint, markIn),
      h('div', { class: 'field' }, h('label', { for: 'clip-end' }, 'Out (seconds)'), outPoint, markOut),
    ),
    h(
      'p',
      { id: 'clip-hint', class: 'hint' },
      'Play to the moment you want and press “Set in point here” or “Set out point here”, or type the seconds.',
    ),
    visibilityField('clip-visibility', video.visibility, 'Who can watch the clip'),
    h('button', { type: 'submit' }, 'Make clip'),
  );
  onSubmit(form, problem, async (data) => {
    const startSeconds = Number(data.get('start'));
    const endSeconds = Number(data.get('end'));
    if (!Number.isFinite(startSeconds) || startSeconds < 0)
      throw Object.assign(new Error('The in point is a number of seconds.'), { field: 'start' });
    if (!Number.isFinite(endSeconds) || endSeconds <= startSeconds)
      throw Object.assign(new Error('The out point must come after the in point.'), { field: 'end' });
    const clip = await call<Video>('createClip', {
      params: { videoId: video.videoId },
      body: {
        title: String(data.get('title')).trim(),
        startSeconds,
        endSeconds,
        visibility: String(data.get('visibility')),
      },
    });
    announce('Clip made.');
    navigate(`/watch/video/${encodeURIComponent(clip.videoId)}`);
  });
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'clip-title-heading' },
    h('h2', { id: 'clip-title-heading' }, 'Make a clip'),
    problem,
    form,
  );
}

export const watchLiveView: View = {
  signedIn: true,
  async render(root, { streamId = '' }) {
    const heading = h('h1', {}, 'Live stream');
    const stage = h('div', { class: 'stage' });
    const details = h('div', { class: 'details' });
    root.append(heading, stage, details);
    if (!offers('watchStream')) {
      stage.append(notice('Live streams are not available on this server yet.', 'alert'));
      return undefined;
    }
    let player: Player | undefined;
    let playing: string | undefined;
    let stream: StreamView | undefined;

    const offline = (text: string) => {
      player?.destroy();
      player = undefined;
      playing = undefined;
      replace(
        stage,
        h(
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
        ),
      );
    };

    const refresh = async () => {
      try {
        stream = await call<StreamView>('watchStream', { params: { streamId } });
      } catch (error) {
        if (error instanceof NotOfferedError || (error instanceof ApiError && error.status === 404)) {
          heading.textContent = 'Stream not found';
          offline('There is no stream here, or it is private. Check the link.');
          return;
        }
        throw error;
      }
      heading.textContent = stream.title || 'Live stream';
      document.title = `${heading.textContent} · Skycast`;
      replace(
        details,
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
      );
      if (stream.status !== 'LIVE' || !stream.playbackUrl) {
        if (playing !== 'offline') {
          offline('This stream is offline. This page will start playing when it goes live.');
          playing = 'offline';
        }
        return;
      }
      // Compared without the token: watchStream signs a fresh one each time, and the player already has one.
      if (playing === stream.playbackUrl) return;
      playing = stream.playbackUrl;
      const url = stream.playbackToken
        ? `${stream.playbackUrl}${stream.playbackUrl.includes('?') ? '&' : '?'}token=${encodeURIComponent(stream.playbackToken)}`
        : stream.playbackUrl;
      player?.destroy();
      player = await createPlayer({
        url,
        title: stream.title,
        live: true,
        onFatal: (_message, isOffline) => {
          if (isOffline) {
            offline('This stream is offline. This page will start playing when it goes live.');
            playing = 'offline';
          }
        },
      });
      replace(stage, player.element);
    };
    await refresh();
    const stop = every(5000, refresh);
    return () => {
      stop();
      player?.destroy();
    };
  },
};
