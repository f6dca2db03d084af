import { ACCEPTED_MEDIA } from '#contract/media-types.ts';
import {
  ApiError,
  call,
  type Ingest,
  NotOfferedError,
  offers,
  type Page,
  type StreamView,
  VISIBILITIES,
  type Video,
} from '../api.ts';
import { currentSession } from '../auth.ts';
import {
  announce,
  copyText,
  every,
  formatBytes,
  formatDate,
  formatDuration,
  h,
  notice,
  replace,
} from '../dom.ts';
import type { View } from '../router.ts';
import { posterImage, statusText } from './cards.ts';
import { FieldError, onSubmit, problemRegion, visibilityField } from './forms.ts';

export const studioView: View = {
  signedIn: true,
  async render(root) {
    root.append(
      h('h1', {}, 'Studio'),
      h(
        'nav',
        { 'aria-label': 'Studio sections', class: 'subnav' },
        h('a', { href: '#live' }, 'Go live'),
        h('a', { href: '#upload' }, 'Upload'),
        h('a', { href: '#videos' }, 'My videos'),
      ),
    );
    const stops: (() => void)[] = [];
    const videos = myVideos();
    stops.push(videos.stop);
    const live = await liveSection();
    stops.push(live.stop);
    const upload = await uploadSection(() => videos.refresh());
    stops.push(upload.stop);
    root.append(live.element, upload.element, videos.element);
    await videos.refresh();
    return () => {
      for (const stop of stops) stop();
    };
  },
};

// ------------------------------------------------------------------------------------------------------------
// Go live

const STREAM_KEY = 'skycast.stream';

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

function copyRow(id: string, label: string, value: string, secret: boolean): HTMLElement {
  const output = h('input', {
    id,
    readonly: true,
    value,
    type: secret ? 'password' : 'text',
    class: 'mono',
    autocomplete: 'off',
    spellcheck: 'false',
  }) as HTMLInputElement;
  const reveal = secret
    ? (h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          'aria-pressed': 'false',
          'aria-controls': id,
          onclick: () => {
            const show = output.type === 'password';
            output.type = show ? 'text' : 'password';
            reveal?.setAttribute('aria-pressed', String(show));
            if (reveal) reveal.textContent = show ? 'Hide' : 'Show';
          },
        },
        'Show',
      ) as HTMLButtonElement)
    : undefined;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h(
      'div',
      { class: 'copy-row' },
      output,
      reveal,
      h(
        'button',
        { type: 'button', class: 'secondary', onclick: () => copyText(output.value, label) },
        'Copy',
      ),
    ),
  );
}

async function liveSection(): Promise<{ element: HTMLElement; stop: () => void }> {
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
    h('button', { type: 'submit' }, 'Set up stream'),
  );
  const titleInput = form.elements.namedItem('title') as HTMLInputElement;
  let streamId = rememberedStreamId();

  const showIngest = (ingest: Ingest) => {
    replace(
      ingestArea,
      h('h3', {}, 'Connect your encoder'),
      copyRow('ingest-server', 'Server', ingest.url, false),
      copyRow('ingest-key', 'Stream key', ingest.streamKey, true),
      h(
        'p',
        { class: 'hint' },
        'Keep the stream key secret: anyone with it can stream as you. If it leaks, rotate it.',
      ),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', onclick: rotate }, 'Rotate key'),
        h('button', { type: 'button', class: 'secondary', onclick: end }, 'End stream'),
        streamId
          ? h('a', { href: `/watch/live/${encodeURIComponent(streamId)}` }, 'Open the watch page')
          : null,
      ),
      h(
        'details',
        { class: 'obs' },
        h('summary', {}, 'OBS settings that work'),
        h(
          'ol',
          {},
          h('li', {}, 'Settings → Stream: Service “Custom…”, Server and Stream Key as above.'),
          h(
            'li',
            {},
            'Settings → Output (Advanced): Encoder x264 or your hardware H.264 encoder, Rate Control CBR, Bitrate 2500–6000 Kbps (at most 8500), Keyframe Interval 2 s, Profile main, Tune zerolatency; no B-frames for the lowest latency.',
          ),
          h('li', {}, 'Settings → Audio: Sample Rate 48 kHz, AAC at 160 Kbps.'),
          h('li', {}, 'Settings → Video: Output resolution up to 1920×1080, 30 or 60 FPS.'),
        ),
        h('p', {}, 'With ffmpeg:'),
        h(
          'pre',
          {},
          h(
            'code',
            {},
            `ffmpeg -re -i input.mp4 -c:v libx264 -preset veryfast -tune zerolatency -b:v 3000k -maxrate 3000k -bufsize 6000k -g 60 -keyint_min 60 -c:a aac -b:a 160k -ar 48000 -f flv "${ingest.url}<stream key>"`,
          ),
        ),
      ),
    );
  };

  const showStatus = (view: StreamView) => {
    status.dataset.status = view.status;
    status.textContent =
      view.status === 'LIVE'
        ? `You are live${view.startedAt ? ` since ${formatDate(view.startedAt)}` : ''}${view.viewerCount !== undefined ? ` · ${view.viewerCount} watching` : ''}.`
        : 'Offline: start streaming from your encoder and this says LIVE within seconds.';
    if (!titleInput.value) titleInput.value = view.title;
  };

  const poll = async () => {
    if (!streamId) return;
    try {
      showStatus(await call<StreamView>('watchStream', { params: { streamId } }));
    } catch (error) {
      if (error instanceof NotOfferedError) return;
      throw error;
    }
  };

  async function rotate() {
    if (!streamId || !confirm('Rotate the stream key? Your encoder disconnects and needs the new key.'))
      return;
    try {
      const answer = await call<{ ingest: Ingest }>('rotateStreamKey', { params: { streamId } });
      showIngest(answer.ingest);
      announce('Stream key rotated. Give your encoder the new key.');
    } catch (error) {
      problem.textContent = error instanceof Error ? error.message : String(error);
      problem.hidden = false;
    }
  }

  async function end() {
    if (!streamId) return;
    try {
      await call('endStream', { params: { streamId } });
      announce('Stream ended.');
      await poll();
    } catch (error) {
      problem.textContent = error instanceof Error ? error.message : String(error);
      problem.hidden = false;
    }
  }

  onSubmit(form, problem, async (data) => {
    const title = String(data.get('title')).trim();
    if (!title) throw new FieldError('title', 'Give your stream a title.');
    const category = String(data.get('category')).trim();
    const answer = await call<{ stream: StreamView; ingest: Ingest }>('startStream', {
      body: { title, ...(category ? { category } : {}), visibility: String(data.get('visibility')) },
    });
    streamId = answer.stream.streamId;
    rememberStreamId(streamId);
    showStatus(answer.stream);
    showIngest(answer.ingest);
    (form.querySelector('button[type=submit]') as HTMLButtonElement).textContent = 'Update stream';
    announce('Your stream is set up. Point your encoder at the server with the stream key.');
  });

  if (streamId) {
    try {
      const [view, key] = await Promise.all([
        call<StreamView>('watchStream', { params: { streamId } }),
        call<{ ingest: Ingest }>('getStreamKey', { params: { streamId } }),
      ]);
      showStatus(view);
      showIngest(key.ingest);
      (form.querySelector('button[type=submit]') as HTMLButtonElement).textContent = 'Update stream';
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
  );
  return { element, stop: every(3000, poll) };
}

// ------------------------------------------------------------------------------------------------------------
// Upload

async function uploadSection(onUploaded: () => void): Promise<{ element: HTMLElement; stop: () => void }> {
  const [{ default: Uppy }, uploaderModule, { getSpeed, getETA }] = await Promise.all([
    import('@uppy/core'),
    import('../studio/skycast-upload.ts'),
    import('@uppy/utils'),
  ]);
  const {
    installUploader,
    savedUploads,
    forgetSavedUpload,
    discardUpload,
    describeUploadError,
    fingerprint,
    uploadIdOf,
  } = uploaderModule;
  type M = import('../studio/skycast-upload.ts').UploadMeta;
  type B = import('../studio/skycast-upload.ts').UploadBody;

  const uppy = new Uppy<M, B>({
    autoProceed: false,
    restrictions: {
      maxNumberOfFiles: 1,
      // What createUpload accepts, from the same table; anything else would only come back as a 415.
      allowedFileTypes: [...ACCEPTED_MEDIA.contentTypes, ...ACCEPTED_MEDIA.extensions],
    },
  });
  const closeUploader = installUploader(uppy);

  const problem = problemRegion();
  const fileInput = h('input', {
    id: 'upload-file',
    name: 'file',
    type: 'file',
    accept: [...ACCEPTED_MEDIA.contentTypes, ...ACCEPTED_MEDIA.extensions].join(','),
    required: true,
    'aria-describedby': 'upload-file-hint',
  }) as HTMLInputElement;
  const titleInput = h('input', {
    id: 'upload-title',
    name: 'title',
    maxlength: '200',
    'aria-describedby': 'upload-title-hint',
  }) as HTMLInputElement;
  const progress = h('progress', {
    id: 'upload-progress',
    max: '100',
    value: '0',
    'aria-label': 'Upload progress',
  }) as HTMLProgressElement;
  const progressText = h('p', { class: 'upload-numbers', id: 'upload-numbers' });
  const pauseButton = h('button', { type: 'button', class: 'secondary', id: 'upload-pause' }, 'Pause');
  const cancelButton = h('button', { type: 'button', class: 'secondary', id: 'upload-cancel' }, 'Cancel');
  const retryButton = h('button', { type: 'button', id: 'upload-retry', hidden: true }, 'Retry');
  const progressArea = h(
    'div',
    { class: 'upload-progress', hidden: true, role: 'group', 'aria-label': 'Upload' },
    progress,
    progressText,
    h('div', { class: 'actions' }, pauseButton, retryButton, cancelButton),
  );
  const resumeHint = h('div', { class: 'resume-hint' });
  const form = h(
    'form',
    { novalidate: true, 'aria-label': 'Upload a video' },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'upload-file' }, 'Video file'),
      fileInput,
      h(
        'p',
        { id: 'upload-file-hint', class: 'hint' },
        'MP4, MOV, MKV, WebM … up to 20 GB. Large files go in parts and survive a reload: choose the same file again to resume.',
      ),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'upload-title' }, 'Title'),
      titleInput,
      h('p', { id: 'upload-title-hint', class: 'hint' }, 'Leave empty to use the file name.'),
    ),
    visibilityField('upload-visibility', 'private'),
    h('button', { type: 'submit', id: 'upload-start' }, 'Upload'),
  );

  const renderResumeHint = () => {
    const saved = Object.entries(savedUploads());
    replace(
      resumeHint,
      saved.length > 0
        ? h(
            'div',
            { class: 'notice' },
            h('p', {}, 'Unfinished uploads — choose the same file above to resume:'),
            h(
              'ul',
              {},
              saved.map(([key, upload]) =>
                h(
                  'li',
                  {},
                  `${upload.title || upload.fileName} (${upload.fileName}, ${formatBytes(upload.size)}, started ${formatDate(upload.savedAt)}) `,
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'link-button',
                      onclick: async () => {
                        try {
                          await discardUpload(upload.videoId);
                        } catch {
                          /* the server could not be reached: it drops unfinished uploads by itself after a while */
                        }
                        forgetSavedUpload(key);
                        renderResumeHint();
                        onUploaded();
                      },
                    },
                    `Discard ${upload.fileName}`,
                  ),
                ),
              ),
            ),
          )
        : null,
    );
  };
  renderResumeHint();

  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    const saved = savedUploads()[fingerprint(file)];
    if (saved && !titleInput.value) titleInput.value = saved.title;
    if (saved) announce(`This file has an unfinished upload: uploading resumes where it stopped.`);
  });

  /** A file is on its way: started (or retried), and not done, stopped by an error or cancelled. */
  let uploading = false;
  const busy = (on: boolean) => {
    (form.querySelector('#upload-start') as HTMLButtonElement).disabled = on;
    fileInput.disabled = on;
  };

  onSubmit(form, problem, async (data) => {
    const file = fileInput.files?.[0];
    if (!file) throw new FieldError('file', 'Choose a video file to upload.');
    const visibility = String(data.get('visibility'));
    if (!(VISIBILITIES as readonly string[]).includes(visibility))
      throw new FieldError('visibility', 'Choose who can watch.');
    uppy.clear();
    uppy.addFile({
      name: file.name,
      type: file.type,
      data: file,
      meta: { title: String(data.get('title')).trim(), visibility: visibility as M['visibility'] },
    });
    progressArea.hidden = false;
    retryButton.hidden = true;
    pauseButton.hidden = false;
    cancelButton.hidden = false;
    pauseButton.textContent = 'Pause';
    busy(true);
    uploading = true;
    void uppy.upload();
  });

  let lastAnnounced = -1;
  uppy.on('upload-progress', (file) => {
    const current = file && uppy.getFile(file.id);
    const fileProgress = current?.progress;
    if (!fileProgress?.uploadStarted) return;
    const { bytesUploaded, bytesTotal } = fileProgress;
    const total = bytesTotal ?? 0;
    const percent = total > 0 ? Math.floor((bytesUploaded / total) * 100) : 0;
    progress.value = percent;
    const speed = getSpeed(fileProgress);
    const eta = getETA(fileProgress);
    progressText.textContent = `${percent}% · ${formatBytes(bytesUploaded)} of ${formatBytes(total)}${Number.isFinite(speed) && speed > 0 ? ` · ${formatBytes(speed)}/s · ${formatDuration(eta)} left` : ''}`;
    // Screen readers hear every 25 %, not every progress event.
    if (Math.floor(percent / 25) !== Math.floor(lastAnnounced / 25)) {
      lastAnnounced = percent;
      announce(`Upload ${percent}% done.`);
    }
  });
  uppy.on('upload-success', (_file, response) => {
    progress.value = 100;
    const video = response.body?.video;
    progressText.textContent = `Uploaded. “${video?.title ?? 'Your video'}” is being processed; it appears below and plays when ready.`;
    announce('Upload complete. Processing starts now.');
    pauseButton.hidden = true;
    cancelButton.hidden = true;
    busy(false);
    uploading = false;
    form.reset();
    // Not uppy.clear() here: Uppy is still finishing this upload's bookkeeping; the next upload clears.
    renderResumeHint();
    onUploaded();
  });
  uppy.on('upload-error', (_file, error) => {
    uploading = false;
    problem.textContent = `The upload stopped: ${describeUploadError(error)}`;
    problem.hidden = false;
    retryButton.hidden = false;
    pauseButton.hidden = true;
    renderResumeHint();
  });
  // The uploader waits out a lost connection by itself (its parts wait, then go on): say so meanwhile.
  const offlineMessage = 'The connection is lost. The upload goes on by itself when it is back.';
  uppy.on('is-offline', () => {
    if (!uploading) return;
    problem.textContent = offlineMessage;
    problem.hidden = false;
  });
  uppy.on('is-online', () => {
    if (problem.textContent === offlineMessage) problem.hidden = true;
  });
  pauseButton.addEventListener('click', () => {
    const file = uppy.getFiles()[0];
    if (!file) return;
    const paused = uppy.pauseResume(file.id);
    pauseButton.textContent = paused ? 'Resume' : 'Pause';
    announce(paused ? 'Upload paused.' : 'Upload resumed.');
    renderResumeHint();
  });
  retryButton.addEventListener('click', () => {
    const file = uppy.getFiles()[0];
    if (!file) return;
    problem.hidden = true;
    retryButton.hidden = true;
    pauseButton.hidden = false;
    uploading = true;
    void uppy.retryUpload(file.id);
  });
  cancelButton.addEventListener('click', async () => {
    const file = uppy.getFiles()[0];
    const videoId = file && uploadIdOf(file);
    uploading = false;
    uppy.cancelAll();
    if (videoId) {
      try {
        // The same request as the uploader's own abort of an upload in progress (one per upload).
        await discardUpload(videoId);
      } catch {
        /* the server could not be reached: it drops unfinished uploads by itself after a while */
      }
    }
    if (file?.data) forgetSavedUpload(fingerprint(file.data as File));
    progressArea.hidden = true;
    busy(false);
    renderResumeHint();
    announce('Upload cancelled.');
    onUploaded();
  });

  const element = h(
    'section',
    { id: 'upload', class: 'panel', 'aria-labelledby': 'upload-heading' },
    h('h2', { id: 'upload-heading' }, 'Upload a video'),
    resumeHint,
    problem,
    form,
    progressArea,
  );
  return { element, stop: closeUploader };
}

// ------------------------------------------------------------------------------------------------------------
// My videos

function myVideos(): { element: HTMLElement; refresh: () => Promise<void>; stop: () => void } {
  const list = h('ul', { class: 'video-rows', 'aria-labelledby': 'videos-heading' });
  const problem = problemRegion();
  const element = h(
    'section',
    { id: 'videos', class: 'panel', 'aria-labelledby': 'videos-heading' },
    h('h2', { id: 'videos-heading' }, 'My videos'),
    problem,
    list,
  );

  const row = (video: Video) =>
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
                  body: { visibility: select.value },
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
    const page = await call<Page<Video>>('listVideos', { query: { scope: 'mine', limit: 50 } });
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
