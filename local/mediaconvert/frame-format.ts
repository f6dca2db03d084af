/**
 * The picture an output gets: its frame rate when it follows the source's, its display size after the
 * job's rotation, its frame size, and the scale (and pad) filters that make it so.
 */
import type { JobSpec, VideoSpec } from './job-spec.ts';
import type { Fraction, MediaInfo } from './media-info.ts';

const STANDARD_RATES: Fraction[] = [
  { numerator: 24000, denominator: 1001 },
  { numerator: 24, denominator: 1 },
  { numerator: 25, denominator: 1 },
  { numerator: 30000, denominator: 1001 },
  { numerator: 30, denominator: 1 },
  { numerator: 48, denominator: 1 },
  { numerator: 50, denominator: 1 },
  { numerator: 60000, denominator: 1001 },
  { numerator: 60, denominator: 1 },
];

/** Frames per second. */
export const rate = (fraction: Fraction) => fraction.numerator / fraction.denominator;

/**
 * The source's frame rate as an output rate: phones record variable frame rates whose average is an odd
 * fraction (e.g. 1829000/61023); within 1 % of a standard rate, the standard rate is what MediaConvert's
 * "follow source" produces too.
 */
export function followSourceRate(source: Fraction): Fraction {
  const distance = (standard: Fraction) => Math.abs(rate(standard) / rate(source) - 1);
  const nearest = [...STANDARD_RATES].sort((a, b) => distance(a) - distance(b))[0] as Fraction;
  return distance(nearest) < 0.01 ? nearest : source;
}

/** Display size after the rotation the job asks for. */
export function displaySize(
  source: NonNullable<MediaInfo['video']>,
  rotate: JobSpec['input']['rotate'],
): { width: number; height: number } {
  const turn = rotate === 'AUTO' ? source.rotation : rotate;
  return turn === 90 || turn === 270
    ? { width: source.codedHeight, height: source.codedWidth }
    : { width: source.codedWidth, height: source.codedHeight };
}

const even = (value: number) => Math.max(2, Math.round(value / 2) * 2);

/** The output frame size: as the job says, or following the source, or one side following its aspect. */
export function frameSize(video: VideoSpec, source: { width: number; height: number }) {
  if (video.width && video.height) return { width: video.width, height: video.height };
  if (video.width) return { width: video.width, height: even((video.width * source.height) / source.width) };
  if (video.height)
    return { width: even((video.height * source.width) / source.height), height: video.height };
  return { width: even(source.width), height: even(source.height) };
}

/**
 * Scale (and pad, when the aspect ratio differs) to exactly width × height. ScalingBehavior DEFAULT keeps
 * the picture's aspect ratio and pads (letterbox/pillarbox) to the frame size.
 */
export function scaleFilters(
  video: VideoSpec,
  target: { width: number; height: number },
  source: { width: number; height: number },
): string[] {
  if (video.scaling === 'STRETCH_TO_OUTPUT') return [`scale=${target.width}:${target.height}`, 'setsar=1'];
  const fit = Math.min(target.width / source.width, target.height / source.height);
  const width = Math.min(target.width, even(source.width * fit));
  const height = Math.min(target.height, even(source.height * fit));
  const filters = [`scale=${width}:${height}`];
  if (width !== target.width || height !== target.height) {
    filters.push(`pad=${target.width}:${target.height}:(ow-iw)/2:(oh-ih)/2:black`);
  }
  filters.push('setsar=1');
  return filters;
}
