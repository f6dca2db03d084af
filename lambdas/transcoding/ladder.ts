/**
 * The one ladder definition: which renditions a source gets. MediaConvert in AWS and the local transcoder
 * both encode exactly what `buildLadder` returns.
 */

/** What we know about a source file before transcoding it (from its container's metadata). */
export interface SourceMedia {
  /** Frame size as coded in the file, before any rotation. Absent for audio-only sources. */
  video?: {
    width: number;
    height: number;
    /** Clockwise display rotation from the container (phones record landscape frames and rotate on display). */
    rotation: 0 | 90 | 180 | 270;
  };
  hasAudio: boolean;
}

export interface VideoRendition {
  kind: 'video';
  /** Stable name used in file names and the quality menu, e.g. `1080p`. */
  name: string;
  /** Output frame size in display orientation (rotation already applied), even numbers. */
  width: number;
  height: number;
  /** Peak bitrate cap for QVBR, bits per second. */
  maxBitrate: number;
  /** QVBR quality level, 1 (lowest) to 10. */
  quality: number;
  profile: 'HIGH' | 'MAIN';
}

export interface Ladder {
  orientation: 'landscape' | 'portrait' | 'square';
  /** Highest first. Empty for audio-only sources. */
  renditions: VideoRendition[];
  /** AAC audio muxed into every rendition when the source has sound. */
  audio?: { codec: 'AAC'; bitrate: number; sampleRate: number; channels: 2 };
}

/** Standard rungs by the short side of the frame, so portrait sources get the same ladder turned upright. */
const RUNGS = [
  { shortSide: 2160, maxBitrate: 16_000_000, quality: 9 },
  { shortSide: 1080, maxBitrate: 6_000_000, quality: 8 },
  { shortSide: 720, maxBitrate: 3_000_000, quality: 7 },
  { shortSide: 480, maxBitrate: 1_200_000, quality: 7 },
  { shortSide: 360, maxBitrate: 700_000, quality: 7 },
] as const;

/** MediaConvert's frame size limits, per side, in pixels. */
export const MIN_SIDE = 32;
export const MAX_SIDE = 8192;

/**
 * A source whose short side is this much larger than the best rung below it also gets a rendition at its
 * own size, so a 1440p upload is not capped at 1080p.
 */
const NATIVE_RUNG_MARGIN = 1.15;

export const AUDIO = { codec: 'AAC', bitrate: 128_000, sampleRate: 48_000, channels: 2 } as const;

/** Seconds per GOP, the same in every rendition so players can switch at any segment boundary. */
export const GOP_SECONDS = 2;
/** HLS segment length: a whole number of GOPs. */
export const SEGMENT_SECONDS = 6;
/**
 * A last segment shorter than this joins the one before it (MediaConvert's MinFinalSegmentLength). Without
 * it, a source a frame longer than a whole number of segments ends in a segment of one frame, whose bits per
 * second (a keyframe over 1/30 s) set the rendition's peak BANDWIDTH several times above its real rate, so
 * players shun the rung. One GOP: anything shorter is a remainder, not content.
 */
export const MIN_FINAL_SEGMENT_SECONDS = GOP_SECONDS;

/** Rounds down to an even number of pixels (H.264 4:2:0 needs even sizes; rounding down never upscales). */
const even = (value: number) => Math.max(2, Math.floor(value / 2) * 2);

/** The source's frame size as a viewer sees it. */
export function displaySize(video: NonNullable<SourceMedia['video']>): { width: number; height: number } {
  const quarterTurn = video.rotation === 90 || video.rotation === 270;
  return quarterTurn
    ? { width: video.height, height: video.width }
    : { width: video.width, height: video.height };
}

/** Bitrate for a size between rungs, scaled by pixel count from the rung above it. */
function interpolatedBitrate(shortSide: number): { maxBitrate: number; quality: number } {
  const above = [...RUNGS].reverse().find((rung) => rung.shortSide >= shortSide) ?? RUNGS[0];
  const scale = (shortSide / above.shortSide) ** 2;
  return {
    maxBitrate: Math.max(200_000, Math.round((above.maxBitrate * scale) / 1000) * 1000),
    quality: above.quality,
  };
}

function rendition(
  shortSide: number,
  aspect: number,
  portrait: boolean,
  rate: { maxBitrate: number; quality: number },
) {
  // A very wide (or tall) frame is scaled down until its long side fits.
  const exact = Math.min(shortSide, MAX_SIDE / aspect);
  const short = even(exact);
  const long = even(exact * aspect);
  return {
    kind: 'video' as const,
    name: `${short}p`,
    width: portrait ? short : long,
    height: portrait ? long : short,
    maxBitrate: rate.maxBitrate,
    quality: rate.quality,
    profile: short >= 720 ? ('HIGH' as const) : ('MAIN' as const),
  };
}

/** A source we cannot make renditions of; the message is for the person who uploaded it. */
export class UntranscodableSourceError extends Error {
  override name = 'UntranscodableSourceError';
}

/**
 * Chooses the renditions for a source: never larger than the source, portrait sources get portrait
 * renditions, rotation metadata is honoured, and a source without sound gets a ladder without audio.
 */
export function buildLadder(source: SourceMedia): Ladder {
  const audio = source.hasAudio ? { ...AUDIO } : undefined;
  if (!source.video) return { orientation: 'landscape', renditions: [], ...(audio ? { audio } : {}) };

  const { width, height } = displaySize(source.video);
  const shortSide = Math.min(width, height);
  const aspect = Math.max(width, height) / shortSide;
  const portrait = height > width;
  const orientation = width === height ? 'square' : portrait ? 'portrait' : 'landscape';

  if (shortSide < MIN_SIDE) {
    throw new UntranscodableSourceError(
      `The video is ${width}×${height} pixels; it must be at least ${MIN_SIDE} pixels on each side.`,
    );
  }

  const standard = RUNGS.filter((rung) => rung.shortSide <= shortSide);
  const renditions = standard.map((rung) => rendition(rung.shortSide, aspect, portrait, rung));
  const best = standard[0]?.shortSide ?? 0;
  if (best === 0 || shortSide > best * NATIVE_RUNG_MARGIN) {
    renditions.unshift(rendition(shortSide, aspect, portrait, interpolatedBitrate(shortSide)));
  }
  // Clamping an extreme aspect ratio can make two rungs the same size: keep one of each.
  const unique = renditions.filter(
    (r, i) => renditions.findIndex((o) => o.width === r.width && o.height === r.height) === i,
  );
  return { orientation, renditions: unique, ...(audio ? { audio } : {}) };
}
