/**
 * The studio's live tools, while the stream is on air: post a news flash (lower third) or a disclaimer notice
 * over the video to everyone watching, in-band (postAnnouncement). The limits are the contract's.
 */
import { ANNOUNCEMENT_KINDS, type AnnouncementKind } from '#contract/interactivity-limits.ts';
import { call, offers } from '../api.ts';
import { announce, h } from '../dom.ts';
import { FieldError, onSubmit, problemRegion } from '../views/forms.ts';

/** The text limit in characters (the API also checks its bytes, and says so in a 400). */
const TEXT_MAX_CHARACTERS = 280;
const SECONDS = { min: 3, max: 600, default: 15 };

const KIND_LABELS: Record<AnnouncementKind, string> = {
  news: 'News flash (lower third)',
  disclaimer: 'Notice over the video',
};

export function liveTools(streamId: () => string | undefined): HTMLElement | null {
  if (!offers('postAnnouncement')) return null;
  const problem = problemRegion();
  const form = h(
    'form',
    { novalidate: true, class: 'live-tools', 'aria-label': 'Announce to your viewers' },
    h('h3', {}, 'Announce to your viewers'),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'announcement-kind' }, 'Kind'),
      h(
        'select',
        { id: 'announcement-kind', name: 'kind' },
        ANNOUNCEMENT_KINDS.map((kind) => h('option', { value: kind }, KIND_LABELS[kind])),
      ),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'announcement-text' }, 'Text'),
      h('input', {
        id: 'announcement-text',
        name: 'text',
        required: true,
        maxlength: String(TEXT_MAX_CHARACTERS),
      }),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'announcement-seconds' }, 'Seconds on screen'),
      h('input', {
        id: 'announcement-seconds',
        name: 'durationSeconds',
        type: 'number',
        min: String(SECONDS.min),
        max: String(SECONDS.max),
        value: String(SECONDS.default),
      }),
    ),
    h('button', { type: 'submit' }, 'Post announcement'),
    problem,
  );
  onSubmit(form, problem, async (data) => {
    const id = streamId();
    if (!id) throw new Error('Set up your stream first.');
    const text = String(data.get('text')).trim();
    if (!text) throw new FieldError('text', 'Write what your viewers should read.');
    const seconds = Number(data.get('durationSeconds'));
    if (!Number.isInteger(seconds) || seconds < SECONDS.min || seconds > SECONDS.max)
      throw new FieldError('durationSeconds', `Between ${SECONDS.min} and ${SECONDS.max} seconds.`);
    await call('postAnnouncement', {
      params: { streamId: id },
      body: { kind: String(data.get('kind')) as AnnouncementKind, text, durationSeconds: seconds },
    });
    (form.elements.namedItem('text') as HTMLInputElement).value = '';
    announce('Announcement posted: your viewers see it now.');
  });
  return form;
}

const AD_SECONDS = { min: 5, max: 180, default: 30 };

/**
 * Start an ad break now (scheduleAdBreak): every viewer sees the chosen sponsor creative over the paused
 * stream, then comes back to the live edge. The creatives are the owner's READY, not private videos marked as
 * sponsor creatives (My videos → Sponsor creative); with none, the house creative plays if the operator set one.
 */
export function adBreakTools(
  streamId: () => string | undefined,
): { element: HTMLElement; refresh(): Promise<void> } | null {
  if (!offers('scheduleAdBreak')) return null;
  const problem = problemRegion();
  const creative = h('select', { id: 'ad-break-creative', name: 'creativeVideoId' }) as HTMLSelectElement;
  const form = h(
    'form',
    { novalidate: true, class: 'live-tools', 'aria-label': 'Ad break' },
    h('h3', {}, 'Ad break'),
    h('div', { class: 'field' }, h('label', { for: 'ad-break-creative' }, 'Creative'), creative),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'ad-break-seconds' }, 'Length in seconds'),
      h('input', {
        id: 'ad-break-seconds',
        name: 'durationSeconds',
        type: 'number',
        min: String(AD_SECONDS.min),
        max: String(AD_SECONDS.max),
        value: String(AD_SECONDS.default),
      }),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'ad-break-at' }, 'Start at (optional, within 24 hours)'),
      h('input', { id: 'ad-break-at', name: 'startsAt', type: 'datetime-local', step: '1' }),
    ),
    h('button', { type: 'submit' }, 'Start ad break'),
    problem,
  );
  async function refresh() {
    const page = await call('listVideos', { query: { scope: 'mine', limit: 50 } });
    const eligible = page.items.filter(
      (video) => video.sponsorCreative === true && video.status === 'READY' && video.visibility !== 'private',
    );
    const selected = creative.value;
    creative.replaceChildren(
      h(
        'option',
        { value: '' },
        eligible.length ? 'House creative (if the operator set one)' : 'House creative (if any)',
      ),
      ...eligible.map((video) =>
        h('option', { value: video.videoId, selected: video.videoId === selected }, video.title),
      ),
    );
    if (!selected && eligible[0]) creative.value = eligible[0].videoId;
  }
  onSubmit(form, problem, async (data) => {
    const id = streamId();
    if (!id) throw new Error('Set up your stream first.');
    const seconds = Number(data.get('durationSeconds'));
    if (!Number.isInteger(seconds) || seconds < AD_SECONDS.min || seconds > AD_SECONDS.max)
      throw new FieldError('durationSeconds', `Between ${AD_SECONDS.min} and ${AD_SECONDS.max} seconds.`);
    const chosen = String(data.get('creativeVideoId') ?? '');
    // The browser's local time, as the viewer typed it; the API takes an instant.
    const at = String(data.get('startsAt') ?? '');
    const startsAt = at ? new Date(at) : undefined;
    if (startsAt && Number.isNaN(startsAt.getTime()))
      throw new FieldError('startsAt', 'Pick a date and time.');
    const answer = await call('scheduleAdBreak', {
      params: { streamId: id },
      body: {
        durationSeconds: seconds,
        ...(chosen ? { creativeVideoId: chosen } : {}),
        ...(startsAt ? { startsAt: startsAt.toISOString() } : {}),
      },
    });
    (form.elements.namedItem('startsAt') as HTMLInputElement).value = '';
    announce(
      answer.status === 'SCHEDULED'
        ? `Ad break scheduled for ${new Date(answer.startsAt).toLocaleTimeString()}.`
        : `Ad break started: your viewers see the ad for ${seconds} seconds.`,
    );
  });
  return { element: form, refresh };
}
