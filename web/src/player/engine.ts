/**
 * What plays the stream inside the <video>, as the player sees it: hls.js (or the browser's own HLS, on Safari)
 * for HLS (hls-engine.ts), and Amazon IVS's player for IVS low-latency channels in the cloud (ivs-engine.ts).
 * Each loads its library only when a page plays something.
 */
import { ID3_METADATA_FRAME } from '#contract/interactivity-limits.ts';

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
  /**
   * The stream's in-band metadata reached the moment of the video it belongs to: the text of an ID3 TXXX frame
   * (hls.js and Safari's metadata cues) or of an IVS TextMetadataCue, once per cue.
   */
  onMetadata?(text: string): void;
}

/**
 * Payloads with their time on the video's timeline, raised once each when playback reaches it (checked on
 * every timeupdate and a few times a second while playing). One that playback passed by more than
 * `STALE_SECONDS` (a jump to the live edge, a seek) is dropped rather than shown out of its moment.
 */
export class MetadataTimeline {
  private pending: { at: number; text: string }[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly check = () => this.deliver();
  static readonly STALE_SECONDS = 10;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly onMetadata: (text: string) => void,
  ) {
    video.addEventListener('timeupdate', this.check);
    this.timer = setInterval(this.check, 200);
  }

  add(at: number, text: string): void {
    if (!Number.isFinite(at)) return;
    this.pending.push({ at, text });
    this.pending.sort((a, b) => a.at - b.at);
    this.deliver();
  }

  private deliver(): void {
    const now = this.video.currentTime;
    while (this.pending.length > 0 && (this.pending[0]?.at ?? Number.POSITIVE_INFINITY) <= now) {
      const next = this.pending.shift() as { at: number; text: string };
      if (now - next.at <= MetadataTimeline.STALE_SECONDS) this.onMetadata(next.text);
    }
  }

  destroy(): void {
    clearInterval(this.timer);
    this.video.removeEventListener('timeupdate', this.check);
    this.pending = [];
  }
}

/**
 * Follows the ID3 metadata cues Safari's own HLS puts on the <video>'s text tracks: each TXXX cue's text goes to
 * `onMetadata` once, when playback reaches it.
 */
export function followMetadataCues(video: HTMLVideoElement, onMetadata: (text: string) => void): () => void {
  const seen = new WeakSet<TextTrackCue>();
  const followed = new Set<TextTrack>();
  const onCueChange = (event: Event) => {
    for (const cue of [...((event.target as TextTrack).activeCues ?? [])]) {
      if (seen.has(cue)) continue;
      seen.add(cue);
      const value = (cue as TextTrackCue & { value?: { key?: string; data?: unknown } }).value;
      if (value?.key === ID3_METADATA_FRAME && typeof value.data === 'string') onMetadata(value.data);
    }
  };
  const follow = (track: TextTrack) => {
    if (track.kind !== 'metadata' || followed.has(track)) return;
    followed.add(track);
    // A hidden track still fires cuechange; a disabled one does not.
    if (track.mode === 'disabled') track.mode = 'hidden';
    track.addEventListener('cuechange', onCueChange);
  };
  for (const track of [...video.textTracks]) follow(track);
  const onAddTrack = (event: TrackEvent) => {
    if (event.track) follow(event.track as TextTrack);
  };
  video.textTracks.addEventListener('addtrack', onAddTrack);
  return () => {
    video.textTracks.removeEventListener('addtrack', onAddTrack);
    for (const track of followed) track.removeEventListener('cuechange', onCueChange);
  };
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
