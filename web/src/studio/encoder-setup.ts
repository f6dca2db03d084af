/**
 * The studio's "Connect your encoder" panel: the ingest server and stream key to copy (the key hidden until
 * asked), the stream's actions, and settings for OBS and ffmpeg that work with the ingest.
 */
import type { Ingest } from '../api.ts';
import { copyText, h } from '../dom.ts';

/** What the panel's buttons do; they belong to the go-live section, which knows the stream. */
export interface StreamActions {
  rotate: () => void;
  end: () => void;
}

/** A read-only value with a Copy button; a secret one is masked, with a Show/Hide toggle. */
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

function encoderSettings(ingest: Ingest): HTMLElement {
  return h(
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
  );
}

/** The panel's contents for one stream's ingest; `streamId` links to its watch page. */
export function encoderSetup(ingest: Ingest, streamId: string | undefined, actions: StreamActions): Node[] {
  return [
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
      h('button', { type: 'button', class: 'secondary', onclick: actions.rotate }, 'Rotate key'),
      h('button', { type: 'button', class: 'secondary', onclick: actions.end }, 'End stream'),
      streamId
        ? h('a', { href: `/watch/live/${encodeURIComponent(streamId)}` }, 'Open the watch page')
        : null,
    ),
    encoderSettings(ingest),
  ];
}
