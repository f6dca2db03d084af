/**
 * The studio's "My videos" section: every video of the user (uploads, live recordings, clips) with its status,
 * who can watch it, and Watch and Delete. The list follows by itself while the studio is open.
 */
import { call, type ListedVideo, type Visibility } from '../api.ts';
import { announce, every, formatDate, formatDuration, h, replace } from '../dom.ts';
import { posterImage, statusText } from '../views/cards.ts';
import { problemRegion } from '../views/forms.ts';

/** The section; `refresh` reloads the list now, `stop` ends its polling. */
export function myVideosSection(): { element: HTMLElement; refresh: () => Promise<void>; stop: () => void } {
  const list = h('ul', { class: 'video-rows', 'aria-labelledby': 'videos-heading' });
  const problem = problemRegion();
  const element = h(
    'section',
    { id: 'videos', class: 'panel', 'aria-labelledby': 'videos-heading' },
    h('h2', { id: 'videos-heading' }, 'My videos'),
    problem,
    list,
  );

  const row = (video: ListedVideo) =>
    h(
      'li',
      { class: 'video-row', 'data-video-id': video.videoId, 'data-status': video.status },
      h('span', { class: 'thumb video-row-thumb', 'aria-hidden': 'true' }, posterImage(video)),
      h(
        'div',
        { class: 'video-row-main' },
        video.status === 'READY'
          ? h(
              'a',
              { href: `/watch/video/${encodeURIComponent(video.videoId)}`, class: 'video-row-title' },
              video.title,
            )
          : h('span', { class: 'video-row-title' }, video.title),
        h(
          'p',
          { class: 'card-meta' },
          [
            video.source.kind === 'clip'
              ? 'Clip'
              : video.source.kind === 'recording'
                ? 'Live recording'
                : 'Upload',
            video.durationSeconds !== undefined ? formatDuration(video.durationSeconds) : '',
            video.visibility,
            formatDate(video.createdAt),
          ]
            .filter(Boolean)
            .join(' · '),
        ),
        h('p', { class: 'video-status', 'data-status': video.status }, statusText(video)),
        video.status === 'PROCESSING'
          ? h('progress', {
              max: '100',
              value: String(video.progress ?? 0),
              'aria-label': `Processing ${video.title}`,
            })
          : null,
        video.status === 'FAILED' && video.failure
          ? h('p', { class: 'failure' }, `Why: ${video.failure.message}`)
          : null,
      ),
      h(
        'div',
        { class: 'actions' },
        h(
          'select',
          {
            class: 'visibility',
            'aria-label': `Who can watch ${video.title}`,
            onchange: async (event: Event) => {
              const select = event.currentTarget as HTMLSelectElement;
              try {
                await call('updateVideo', {
                  params: { videoId: video.videoId },
                  body: { visibility: select.value as Visibility },
                });
                announce(`${video.title} is now ${select.value}.`);
                await refresh();
              } catch (error) {
                select.value = video.visibility;
                problem.textContent = error instanceof Error ? error.message : String(error);
                problem.hidden = false;
              }
            },
          },
          (
            [
              ['public', 'Public'],
              ['unlisted', 'Unlisted'],
              ['private', 'Private'],
            ] as const
          ).map(([value, text]) => h('option', { value, selected: value === video.visibility }, text)),
        ),
        video.status === 'READY'
          ? h(
              'a',
              { href: `/watch/video/${encodeURIComponent(video.videoId)}`, class: 'button secondary' },
              'Watch',
            )
          : null,
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            'aria-label': `Disclaimer for ${video.title}`,
            onclick: async () => {
              const text = prompt(
                'Shown before the video plays, until the viewer goes on (e.g. “Contains flashing lights”). Leave empty for none.',
                video.disclaimer ?? '',
              );
              if (text === null) return;
              try {
                await call('updateVideo', {
                  params: { videoId: video.videoId },
                  body: { disclaimer: text.trim() ? text.trim() : null },
                });
                announce(
                  text.trim()
                    ? `${video.title} now shows a disclaimer.`
                    : `${video.title} shows no disclaimer.`,
                );
                await refresh();
              } catch (error) {
                problem.textContent = error instanceof Error ? error.message : String(error);
                problem.hidden = false;
              }
            },
          },
          video.disclaimer ? 'Disclaimer ✓' : 'Disclaimer',
        ),
        video.status === 'READY' && video.visibility !== 'private' && video.source.kind !== 'clip'
          ? h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                'aria-pressed': String(video.sponsorCreative === true),
                'aria-label': `Sponsor creative: ${video.title} may play in your live ad breaks`,
                onclick: async () => {
                  try {
                    await call('updateVideo', {
                      params: { videoId: video.videoId },
                      body: { sponsorCreative: video.sponsorCreative !== true },
                    });
                    announce(
                      video.sponsorCreative
                        ? `${video.title} no longer plays in ad breaks.`
                        : `${video.title} may now play in your live ad breaks.`,
                    );
                    await refresh();
                  } catch (error) {
                    problem.textContent = error instanceof Error ? error.message : String(error);
                    problem.hidden = false;
                  }
                },
              },
              'Sponsor creative',
            )
          : null,
        h(
          'button',
          {
            type: 'button',
            class: 'secondary danger',
            'aria-label': `Delete ${video.title}`,
            onclick: async () => {
              if (!confirm(`Delete “${video.title}”? This removes the video and its media for good.`)) return;
              try {
                await call('deleteVideo', { params: { videoId: video.videoId } });
                announce(`Deleted ${video.title}.`);
                await refresh();
              } catch (error) {
                problem.textContent = error instanceof Error ? error.message : String(error);
                problem.hidden = false;
              }
            },
          },
          'Delete',
        ),
      ),
    );

  let shown = '';
  async function refresh() {
    const page = await call('listVideos', { query: { scope: 'mine', limit: 50 } });
    // Unchanged: leave the list alone, so keyboard focus on one of its buttons stays where it is.
    const next = JSON.stringify(page.items);
    if (next === shown) return;
    shown = next;
    replace(
      list,
      page.items.length > 0
        ? page.items.map(row)
        : h('li', { class: 'empty' }, 'No videos yet: upload one above, or go live.'),
    );
  }
  // The list follows by itself: processing progress, uploads finishing, a live stream's recording arriving.
  const stopPoll = every(3000, refresh);
  return { element, refresh, stop: stopPoll };
}
