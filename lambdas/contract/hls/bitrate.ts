/**
 * What a variant's BANDWIDTH and AVERAGE-BANDWIDTH should say, measured from its segments (RFC 8216
 * §4.3.4.2). The peak is taken per segment (its bits over its EXTINF duration): the largest rate of any set
 * of consecutive segments is never above the largest of its members, so this peak is at least the RFC's.
 */

/** A segment as measured: its size in bytes and its EXTINF duration in seconds. */
export interface MeasuredSegment {
  bytes: number;
  duration: number;
}

/** Peak and average bits per second; undefined when no segment has a duration. */
export function measureBitrates(
  segments: readonly MeasuredSegment[],
): { peak: number; average: number } | undefined {
  let bits = 0;
  let seconds = 0;
  let peak = 0;
  for (const segment of segments) {
    if (!(segment.duration > 0)) continue;
    bits += segment.bytes * 8;
    seconds += segment.duration;
    peak = Math.max(peak, (segment.bytes * 8) / segment.duration);
  }
  if (seconds === 0) return undefined;
  // Rounded up: BANDWIDTH must not fall below the peak, not even by a fraction of a bit.
  return { peak: Math.ceil(peak), average: Math.round(bits / seconds) };
}
