/**
 * The studio's "Go live" section: set up a stream (title, category, who can watch), then connect an encoder
 * to its ingest; the section follows the stream's status while it is open.
 */
import {
  ApiError,
  call,
  type Ingest,
  NotOfferedError,
  offers,
  type StreamView,
  type Visibility,
} from '../api.ts';
import { currentSession } from '../auth.ts';
import { announce, every, formatDate, h, notice, replace } from '../dom.ts';
import { FieldError, onSubmit, problemRegion, visibilityField } from '../views/forms.ts';
import { encoderSetup } from './encoder-setup.ts';
import { adBreakTools, liveTools } from './live-tools.ts';

const STREAM_KEY = 'skycast.stream';

/** The stream this browser set up last for the signed-in user, so the studio finds it again after a reload. */
function rememberedStreamId(): string | undefined {
  const session = currentSession();
  const saved = JSON.parse(localStorage.getItem(STREAM_KEY) ?? '{}') as Record<string, string>;
  return session ? saved[session.userId] : undefined;
}

function rememberStreamId(streamId: string): void {
  const session = currentSession();
  if (!session) return;
  const saved = JSON.parse(localStorage.getItem(STREAM_KEY) ?? '{}') as Record<string, string>;
  saved[session.userId] = streamId;
  localStorage.setItem(STREAM_KEY, JSON.stringify(saved));
}

/** The section, with the user's stream shown if they have one; `stop` ends its status polling. */
export async function goLiveSection(): Promise<{ element: HTMLElement; stop: () => void }> {
  const element = h(
    'section',
    { id: 'live', class: 'panel', 'aria-labelledby': 'live-heading' },
    h('h2', { id: 'live-heading' }, 'Go live'),
  );
  if (!offers('startStream')) {
    element.append(notice('Going live is not available on this server yet.'));
    return { element, stop: () => {} };
  }
  const problem = problemRegion();
  const status = h('p', { class: 'live-status', role: 'status', 'data-status': 'OFFLINE' }, 'Offline');
  const ingestArea = h('div', { class: 'ingest' });
  const form = h(
    'form',
    { novalidate: true, 'aria-label': 'Stream details' },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'stream-title' }, 'Stream title'),
      h('input', { id: 'stream-title', name: 'title', required: true, maxlength: '200' }),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'stream-category' }, 'Category (optional)'),
      h('input', { id: 'stream-category', name: 'category', maxlength: '64' }),
    ),
    visibilityField('stream-visibility', 'public', 'Who can watch'),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'stream-disclaimer' }, 'Disclaimer before viewers watch (optional)'),
      h('input', {
        id: 'stream-disclaimer',
        name: 'disclaimer',
        maxlength: '300',
        placeholder: 'e.g. Contains flashing lights',
      }),
    ),
    h('button', { type: 'submit' }, 'Set up stream'),
  );
  const titleInput = form.elements.namedItem('title') as HTMLInputElement;
  const disclaimerInput = form.elements.namedItem('disclaimer') as HTMLInputElement;
  let streamId = rememberedStreamId();
  const tools = liveTools(() => streamId);
  if (tools) tools.hidden = true;
  const adTools = adBreakTools(() => streamId);
  if (adTools) adTools.element.hidden = true;

  const showIngest = (ingest: Ingest) => replace(ingestArea, encoderSetup(ingest, streamId, { rotate, end }));

  const showStatus = (view: StreamView) => {
    status.dataset.status = view.status;
    status.textContent =
      view.status === 'LIVE'
        ? `You are live${view.startedAt ? ` since ${formatDate(view.startedAt)}` : ''}${view.viewerCount !== undefined ? ` · ${view.viewerCount} watching` : ''}.`
        : 'Offline: start streaming from your encoder and this says LIVE within seconds.';
    if (!titleInput.value) titleInput.value = view.title;
    if (!disclaimerInput.value && view.disclaimer) disclaimerInput.value = view.disclaimer;
    if (tools) tools.hidden = view.status !== 'LIVE';
    if (adTools) {
      const wasHidden = adTools.element.hidden;
      adTools.element.hidden = view.status !== 'LIVE';
      // The creatives are read when the tools appear: a video marked meanwhile shows up on the next stream.
      if (wasHidden && !adTools.element.hidden) void adTools.refresh().catch(() => {});
    }
  };

  const showProblem = (error: unknown) => {
    problem.textContent = error instanceof Error ? error.message : String(error);
    problem.hidden = false;
  };

  const poll = async () => {
    if (!streamId) return;
    try {
      showStatus(await call('watchStream', { params: { streamId } }));
    } catch (error) {
      if (error instanceof NotOfferedError) return;
      throw error;
    }
  };

  async function rotate() {
    if (!streamId || !confirm('Rotate the stream key? Your encoder disconnects and needs the new key.'))
      return;
    try {
      const answer = await call('rotateStreamKey', { params: { streamId } });
      showIngest(answer.ingest);
      announce('Stream key rotated. Give your encoder the new key.');
    } catch (error) {
      showProblem(error);
    }
  }

  async function end() {
    if (!streamId) return;
    try {
      await call('endStream', { params: { streamId } });
      announce('Stream ended.');
      await poll();
    } catch (error) {
      showProblem(error);
    }
  }

  const submitButton = form.querySelector('button[type=submit]') as HTMLButtonElement;
  onSubmit(form, problem, async (data) => {
    const title = String(data.get('title')).trim();
    if (!title) throw new FieldError('title', 'Give your stream a title.');
    const category = String(data.get('category')).trim();
    const disclaimer = String(data.get('disclaimer')).trim();
    const answer = await call('startStream', {
      body: {
        title,
        ...(category ? { category } : {}),
        ...(disclaimer ? { disclaimer } : {}),
        visibility: String(data.get('visibility')) as Visibility,
      },
    });
    streamId = answer.stream.streamId;
    rememberStreamId(streamId);
    showStatus(answer.stream);
    showIngest(answer.ingest);
    submitButton.textContent = 'Update stream';
    announce('Your stream is set up. Point your encoder at the server with the stream key.');
  });

  if (streamId) {
    try {
      const [view, key] = await Promise.all([
        call('watchStream', { params: { streamId } }),
        call('getStreamKey', { params: { streamId } }),
      ]);
      showStatus(view);
      showIngest(key.ingest);
      submitButton.textContent = 'Update stream';
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404) && !(error instanceof NotOfferedError))
        throw error;
      streamId = undefined;
    }
  }
  element.append(
    h(
      'p',
      {},
      'Stream from OBS, ffmpeg or any RTMP encoder. Viewers watch at your stream’s page; each stream is recorded and becomes a video when it ends.',
    ),
    status,
    problem,
    form,
    ingestArea,
    ...(tools ? [tools] : []),
    ...(adTools ? [adTools.element] : []),
  );
  return { element, stop: every(3000, poll) };
}
