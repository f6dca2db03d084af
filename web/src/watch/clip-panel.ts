/** The video page's "Make a clip" section. */
import { call, type Visibility, type WatchableVideo } from '../api.ts';
import { announce, formatDuration, h } from '../dom.ts';
import type { Player } from '../player/player.ts';
import { navigate } from '../router.ts';
import { onSubmit, problemRegion, visibilityField } from '../views/forms.ts';

/** Cut a clip from the player: in and out points from the current time, a title and who can watch. */
export function clipPanel(video: WatchableVideo, player: Player): HTMLElement {
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
    const clip = await call('createClip', {
      params: { videoId: video.videoId },
      body: {
        title: String(data.get('title')).trim(),
        startSeconds,
        endSeconds,
        visibility: String(data.get('visibility')) as Visibility,
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
