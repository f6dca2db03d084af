/**
 * The studio's "Upload a video" section: a file, a title and who can watch, sent with Uppy and Skycast's
 * uploader (skycast-upload.ts), with progress, pause, retry and cancel, and unfinished uploads to resume.
 */
import Uppy from '@uppy/core';
import { getETA, getSpeed } from '@uppy/utils';
import { ACCEPTED_MEDIA } from '#contract/media-types.ts';
import { VISIBILITIES } from '../api.ts';
import { announce, formatBytes, formatDuration, h } from '../dom.ts';
import { FieldError, onSubmit, problemRegion, visibilityField } from '../views/forms.ts';
import {
  describeUploadError,
  discardUpload,
  fingerprint,
  forgetSavedUpload,
  installUploader,
  savedUploads,
  type UploadBody,
  type UploadMeta,
  uploadIdOf,
} from './skycast-upload.ts';
import { unfinishedUploads } from './unfinished-uploads.ts';

/** The section; `onUploaded` runs when the user's list of videos may have changed, `stop` closes the uploader. */
export function uploadSection(onUploaded: () => void): { element: HTMLElement; stop: () => void } {
  const uppy = new Uppy<UploadMeta, UploadBody>({
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
  const unfinished = unfinishedUploads(onUploaded);
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
        'A video (MP4, MOV, MKV, WebM …) or a sound file (M4A, MP3, WAV, FLAC, Ogg), up to 20 GB. Large files go in parts and survive a reload: choose the same file again to resume.',
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
      meta: { title: String(data.get('title')).trim(), visibility: visibility as UploadMeta['visibility'] },
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
    unfinished.render();
    onUploaded();
  });
  uppy.on('upload-error', (_file, error) => {
    uploading = false;
    problem.textContent = `The upload stopped: ${describeUploadError(error)}`;
    problem.hidden = false;
    retryButton.hidden = false;
    pauseButton.hidden = true;
    unfinished.render();
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
    unfinished.render();
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
    unfinished.render();
    announce('Upload cancelled.');
    onUploaded();
  });

  const element = h(
    'section',
    { id: 'upload', class: 'panel', 'aria-labelledby': 'upload-heading' },
    h('h2', { id: 'upload-heading' }, 'Upload a video'),
    unfinished.element,
    problem,
    form,
    progressArea,
  );
  return { element, stop: closeUploader };
}
