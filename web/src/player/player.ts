/**
 * Skycast's player: a <video> with our own controls (play, seek, volume, quality menu with Auto and every
 * rendition, fullscreen), keyboard shortcuts, a poster, a buffering indicator and plain-language errors.
 */
import { formatDuration, h } from '../dom.ts';
import type { Engine } from './engine.ts';
import { hlsEngine } from './hls-engine.ts';
import { icon } from './icons.ts';
import { isIvsUrl, ivsEngine } from './ivs-engine.ts';
import { bindPlayerKeys, KEY_HELP } from './keyboard.ts';

interface PlayerOptions {
  url: string;
  title: string;
  live: boolean;
  poster?: string;
  /** Called when the stream's playlist is gone (a live stream went offline) or playback fails for good. */
  onFatal?: (message: string, offline: boolean) => void;
  /** The stream's in-band metadata, at the moment of the video it belongs to (engine.ts `onMetadata`). */
  onMetadata?: (text: string) => void;
}

export interface Player {
  element: HTMLElement;
  video: HTMLVideoElement;
  /** A layer over the picture, under the controls, for what goes with the video (live reactions, announcements). */
  overlay: HTMLElement;
  engineName: string;
  destroy(): void;
}

/** A player for `options.url`, to put in the page; it tries to start playing at once. */
export async function createPlayer(options: PlayerOptions): Promise<Player> {
  const video = h('video', {
    playsinline: true,
    preload: 'metadata',
    poster: options.poster,
  }) as HTMLVideoElement;
  const spinner = h(
    'div',
    { class: 'player-spinner', hidden: true },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    h('span', {}, 'Buffering…'),
  );
  const message = h('div', { class: 'player-message', role: 'alert', hidden: true });
  const overlay = h('div', { class: 'player-overlay' });
  const playButton = h(
    'button',
    { type: 'button', class: 'player-button', 'aria-label': 'Play' },
    icon('play'),
  );
  const time = h('span', { class: 'player-time', 'aria-live': 'off' }, options.live ? '' : '0:00 / 0:00');
  const liveBadge = options.live ? h('span', { class: 'badge-live' }, 'LIVE') : null;
  const seek = h('input', {
    type: 'range',
    class: 'player-seek',
    min: '0',
    max: '0',
    step: '0.1',
    value: '0',
    'aria-label': 'Seek',
    hidden: options.live,
  }) as HTMLInputElement;
  const muteButton = h(
    'button',
    { type: 'button', class: 'player-button', 'aria-label': 'Mute', 'aria-pressed': 'false' },
    icon('volume'),
  );
  const volume = h('input', {
    type: 'range',
    class: 'player-volume',
    min: '0',
    max: '1',
    step: '0.05',
    value: '1',
    'aria-label': 'Volume',
  }) as HTMLInputElement;
  const quality = h(
    'select',
    { class: 'player-quality', id: `quality-${Math.random().toString(36).slice(2)}` },
    h('option', { value: '-1' }, 'Auto'),
  ) as HTMLSelectElement;
  const fullscreenButton = h(
    'button',
    { type: 'button', class: 'player-button', 'aria-label': 'Full screen' },
    icon('fullscreen'),
  );
  const controls = h(
    'div',
    { class: 'player-controls' },
    playButton,
    liveBadge,
    time,
    seek,
    muteButton,
    volume,
    // A label beside the menu, not around it: around it, the chosen option would join the menu's name.
    h('label', { class: 'sr-only', for: quality.id }, 'Quality'),
    quality,
    fullscreenButton,
  );
  const help = h('p', { class: 'sr-only', id: `${quality.id}-help` }, KEY_HELP);
  const element = h(
    'div',
    {
      class: 'player',
      role: 'region',
      'aria-label': `Player: ${options.title}`,
      'aria-describedby': help.id,
      tabindex: '0',
      'data-state': 'loading',
    },
    video,
    overlay,
    spinner,
    message,
    controls,
    help,
  );

  const fail = (text: string, offline: boolean) => {
    message.textContent = text;
    message.hidden = false;
    spinner.hidden = true;
    element.dataset.state = offline ? 'offline' : 'error';
    options.onFatal?.(text, offline);
  };

  const engineEvents = {
    onQualities: () => renderQualities(),
    onQualitySwitch: () => renderQualities(),
    onFatal: fail,
    ...(options.onMetadata ? { onMetadata: options.onMetadata } : {}),
  };
  let engine: Engine;
  try {
    engine = isIvsUrl(options.url)
      ? await ivsEngine(video, options.url, engineEvents)
      : await hlsEngine(video, options.url, options.live, engineEvents);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error), false);
    return { element, video, overlay, engineName: 'none', destroy: () => {} };
  }

  function renderQualities() {
    const selected = quality.value;
    const playing = engine.playingLabel();
    quality.replaceChildren(
      h('option', { value: '-1' }, playing && selected === '-1' ? `Auto (${playing})` : 'Auto'),
      ...engine.qualities().map((q) => h('option', { value: String(q.index) }, q.label)),
    );
    quality.value = [...quality.options].some((option) => option.value === selected) ? selected : '-1';
  }
  quality.addEventListener('change', () => {
    engine.setQuality(Number(quality.value));
    renderQualities();
  });

  const togglePlay = () => {
    if (video.paused || video.ended) {
      video.play().catch((error: unknown) => {
        // Autoplay rules or a source that failed: the message region or the play button says what to do.
        if ((error as DOMException).name !== 'AbortError') playButton.focus();
      });
    } else {
      video.pause();
    }
  };
  const skip = (seconds: number) => {
    if (options.live || !Number.isFinite(video.duration)) return;
    video.currentTime = Math.min(Math.max(0, video.currentTime + seconds), video.duration);
  };
  const setVolume = (value: number) => {
    video.volume = Math.min(1, Math.max(0, value));
    video.muted = video.volume === 0;
  };
  const toggleFullscreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void element.requestFullscreen?.().catch(() => {});
  };

  playButton.addEventListener('click', togglePlay);
  video.addEventListener('click', togglePlay);
  muteButton.addEventListener('click', () => {
    video.muted = !video.muted;
  });
  volume.addEventListener('input', () => setVolume(Number(volume.value)));
  seek.addEventListener('input', () => {
    video.currentTime = Number(seek.value);
  });
  fullscreenButton.addEventListener('click', toggleFullscreen);

  const updatePlay = () => {
    const playing = !video.paused && !video.ended;
    playButton.replaceChildren(icon(playing ? 'pause' : 'play'));
    playButton.setAttribute('aria-label', playing ? 'Pause' : 'Play');
    element.dataset.state =
      element.dataset.state === 'error' || element.dataset.state === 'offline'
        ? element.dataset.state
        : playing
          ? 'playing'
          : 'paused';
  };
  const updateTime = () => {
    if (options.live) return;
    const duration = Number.isFinite(video.duration) ? video.duration : 0;
    time.textContent = `${formatDuration(video.currentTime)} / ${formatDuration(duration)}`;
    seek.max = String(duration);
    seek.value = String(video.currentTime);
    seek.setAttribute(
      'aria-valuetext',
      `${formatDuration(video.currentTime)} of ${formatDuration(duration)}`,
    );
  };
  const updateVolume = () => {
    muteButton.replaceChildren(icon(video.muted ? 'muted' : 'volume'));
    muteButton.setAttribute('aria-pressed', String(video.muted));
    volume.value = String(video.muted ? 0 : video.volume);
  };
  for (const event of ['play', 'pause', 'ended', 'playing']) video.addEventListener(event, updatePlay);
  for (const event of ['timeupdate', 'durationchange', 'loadedmetadata'])
    video.addEventListener(event, updateTime);
  video.addEventListener('volumechange', updateVolume);
  video.addEventListener('waiting', () => {
    spinner.hidden = false;
  });
  for (const event of ['playing', 'canplay', 'seeked', 'pause']) {
    video.addEventListener(event, () => {
      spinner.hidden = true;
    });
  }
  // Playing again after a stall: some browsers skip the `playing` event when the buffer refills.
  video.addEventListener('timeupdate', () => {
    if (!video.paused && video.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA) spinner.hidden = true;
  });
  video.addEventListener('playing', () => {
    if (element.dataset.state !== 'error' && element.dataset.state !== 'offline') message.hidden = true;
  });
  video.addEventListener('error', () => {
    // hls.js reports its own errors; this is the browser's (native HLS, or a decode failure).
    if (engine.name === 'hls.js') return;
    fail('The video cannot be played in this browser.', false);
  });

  bindPlayerKeys(element, video, options.live, { togglePlay, skip, setVolume, toggleFullscreen });

  // Try to start at once; browsers may refuse without a click, and then the play button is there.
  video.play().catch(() => {});

  return {
    element,
    video,
    overlay,
    engineName: engine.name,
    destroy: () => {
      engine.destroy();
      element.remove();
    },
  };
}
