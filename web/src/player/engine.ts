/**
 * What plays the stream inside the <video>, as the player sees it: hls.js (or the browser's own HLS, on Safari)
 * for HLS (hls-engine.ts), and Amazon IVS's player for IVS low-latency channels in the cloud (ivs-engine.ts).
 * Each loads its library only when a page plays something.
 */

interface Quality {
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

/** The quality menu's names for renditions: `720p`, with the bitrate where two share a height. */
export function qualityLabels(levels: { height: number; bitrate: number }[]): string[] {
  return levels.map((level) =>
    labelFor(level.height, level.bitrate, levels.filter((other) => other.height === level.height).length > 1),
  );
}
