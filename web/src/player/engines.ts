/**
 * What plays the stream inside the <video>: hls.js (or the browser's own HLS, on Safari) for HLS, and Amazon IVS's
 * player for IVS low-latency channels in the cloud. Each is loaded only when a page plays something.
 */

export interface Quality {
  /** The engine's own index of the rendition. */
  index: number;
  label: string;
}

export interface Engine {
  readonly name: string;
  /** The renditions, best first; empty when the engine chooses alone (native HLS). */
  qualities(): Quality[];
  /** -1: automatic (adaptive). */
  setQuality(index: number): void;
  /** What plays now, e.g. `720p`, when known. */
  playingLabel(): string | undefined;
  destroy(): void;
}

export interface EngineEvents {
  /** The list of qualities is known or changed. */
  onQualities(): void;
  /** The rendition playing changed. */
  onQualitySwitch(): void;
  /** Playback cannot go on; `offline` when the stream's playlist is gone (a live stream ended). */
  onFatal(message: string, offline: boolean): void;
}

function labelFor(height: number, bitrate: number, sameHeight: boolean): string {
  if (!height) return `Audio only (${Math.round(bitrate / 1000)} kbps)`;
  return sameHeight ? `${height}p (${(bitrate / 1_000_000).toFixed(1)} Mbps)` : `${height}p`;
}

function labels(levels: { height: number; bitrate: number }[]): string[] {
  return levels.map((level) =>
    labelFor(level.height, level.bitrate, levels.filter((other) => other.height === level.height).length > 1),
  );
}

/** hls.js where Media Source Extensions exist; the browser's own HLS otherwise (iOS Safari). */
export async function hlsEngine(
  video: HTMLVideoElement,
  url: string,
  live: boolean,
  events: EngineEvents,
): Promise<Engine> {
  const { default: Hls } = await import('hls.js');
  if (!Hls.isSupported()) {
    if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = url;
      return {
        name: 'native',
        qualities: () => [],
        setQuality: () => {},
        playingLabel: () => (video.videoHeight ? `${video.videoHeight}p` : undefined),
        destroy: () => {
          video.removeAttribute('src');
          video.load();
        },
      };
    }
    throw new Error('This browser cannot play HLS video. Try a current Chrome, Firefox, Edge or Safari.');
  }

  // Media is served from the app's own origin, so the playback cookies go with every request as they are; no
  // `withCredentials`, which a media domain of its own (CORS `*`) would refuse.
  const hls = new Hls({
    lowLatencyMode: live,
    backBufferLength: live ? 30 : 90,
  });
  let recoveredMedia = false;
  let retriedNetwork = 0;
  hls.on(Hls.Events.MANIFEST_PARSED, () => events.onQualities());
  hls.on(Hls.Events.LEVEL_SWITCHED, () => events.onQualitySwitch());
  hls.on(Hls.Events.ERROR, (_event, data) => {
    const status = data.response?.code;
    // A live playlist that is gone means the stream ended: say so at the first 404 instead of asking again and
    // again (hls.js retries before it calls the error fatal). The page checks the stream and starts over.
    const playlistGone =
      live &&
      (status === 404 || status === 410) &&
      (data.details === Hls.ErrorDetails.LEVEL_LOAD_ERROR ||
        data.details === Hls.ErrorDetails.MANIFEST_LOAD_ERROR);
    if (playlistGone) {
      hls.stopLoad();
      events.onFatal('The stream is offline.', true);
      return;
    }
    if (!data.fatal) return;
    if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
      // A live playlist that is gone means the stream ended; anything else gets a few more tries.
      if (
        live &&
        (status === 404 || status === 410 || data.details === Hls.ErrorDetails.MANIFEST_LOAD_ERROR)
      ) {
        events.onFatal('The stream is offline.', true);
        return;
      }
      if (status === 403) {
        events.onFatal('You are not allowed to watch this (or your access expired). Reload the page.', false);
        return;
      }
      if (retriedNetwork++ < 3) {
        hls.startLoad();
        return;
      }
      events.onFatal('The video could not be loaded: check your connection and reload.', false);
      return;
    }
    if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recoveredMedia) {
      recoveredMedia = true;
      hls.recoverMediaError();
      return;
    }
    events.onFatal(`The video cannot be played (${data.details}).`, false);
  });
  hls.loadSource(url);
  hls.attachMedia(video);

  // hls.js lists levels worst first; the menu shows the best first.
  return {
    name: 'hls.js',
    qualities: () => {
      const names = labels(hls.levels.map((level) => ({ height: level.height, bitrate: level.bitrate })));
      return names.map((label, index) => ({ index, label })).reverse();
    },
    setQuality: (index) => {
      // currentLevel switches now (flushing the buffer); -1 returns to automatic choice.
      hls.currentLevel = index;
    },
    playingLabel: () => {
      const level = hls.levels[hls.currentLevel];
      if (!level) return undefined;
      return labels(hls.levels.map((l) => ({ height: l.height, bitrate: l.bitrate })))[hls.currentLevel];
    },
    destroy: () => hls.destroy(),
  };
}

/** Amazon IVS's player, for IVS channels (their playback URLs end in .live-video.net). */
export async function ivsEngine(video: HTMLVideoElement, url: string, events: EngineEvents): Promise<Engine> {
  const [ivs, { default: wasmWorker }, { default: wasmBinary }] = await Promise.all([
    import('amazon-ivs-player'),
    import('amazon-ivs-player/dist/assets/amazon-ivs-wasmworker.min.js?url'),
    import('amazon-ivs-player/dist/assets/amazon-ivs-wasmworker.min.wasm?url'),
  ]);
  if (!ivs.isPlayerSupported) {
    throw new Error('This browser cannot run the live player (it needs WebAssembly). Try a current browser.');
  }
  const player = ivs.create({ wasmWorker, wasmBinary });
  player.attachHTMLVideoElement(video);
  player.addEventListener(ivs.PlayerEventType.QUALITY_CHANGED, () => events.onQualitySwitch());
  player.addEventListener(ivs.PlayerState.READY, () => events.onQualities());
  player.addEventListener(ivs.PlayerEventType.ERROR, (error: { type?: string; code?: number }) => {
    const offline = error.code === 404 || error.type === ivs.ErrorType.NOT_AVAILABLE;
    events.onFatal(offline ? 'The stream is offline.' : 'The live stream could not be played.', offline);
  });
  // The IVS player drives the <video> itself: it starts playing once loaded (browsers may still ask for a click).
  player.setAutoplay(true);
  player.load(url);
  const list = () => player.getQualities();
  return {
    name: 'IVS',
    qualities: () => {
      const names = labels(list().map((quality) => ({ height: quality.height, bitrate: quality.bitrate })));
      return names.map((label, index) => ({ index, label }));
    },
    setQuality: (index) => {
      const quality = list()[index];
      if (index < 0 || !quality) player.setAutoQualityMode(true);
      else player.setQuality(quality, true);
    },
    playingLabel: () => {
      const quality = player.getQuality();
      return quality?.height ? `${quality.height}p` : undefined;
    },
    destroy: () => player.delete(),
  };
}

/** IVS playback URLs are served from *.live-video.net; everything else is plain HLS. */
export function isIvsUrl(url: string): boolean {
  try {
    return new URL(url, location.href).hostname.endsWith('.live-video.net');
  } catch {
    return false;
  }
}
