import { type Engine, type EngineEvents, qualityLabels } from './engine.ts';

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
  // In-band metadata arrives as TextMetadataCue at the moment of the video it belongs to.
  player.addEventListener(ivs.PlayerEventType.TEXT_METADATA_CUE, (cue: { text?: string }) => {
    if (typeof cue.text === 'string') events.onMetadata?.(cue.text);
  });
  // The IVS player drives the <video> itself: it starts playing once loaded (browsers may still ask for a click).
  player.setAutoplay(true);
  player.load(url);
  const list = () => player.getQualities();
  return {
    name: 'IVS',
    qualities: () => {
      const names = qualityLabels(
        list().map((quality) => ({ height: quality.height, bitrate: quality.bitrate })),
      );
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
