import * as z from 'zod';

/**
 * Numbers a client sends, bounded to what we store. DynamoDB keeps a number to 38 significant digits with a
 * magnitude from 1e-130 to below 1e126 (or exactly 0) and refuses anything else with a 400 of its own, which
 * would reach the caller as a 500; every number in a request schema is therefore finite, bounded and, when
 * it is not a whole number, rounded to the precision we keep (seconds to the millisecond).
 */

/** The largest media time a request may name: 100 days, far beyond any upload or recording we accept. */
export const MAX_MEDIA_SECONDS = 100 * 24 * 60 * 60;

/** Whether DynamoDB can store `value` as a number exactly as JavaScript holds it. */
export function isStorableNumber(value: number): boolean {
  if (!Number.isFinite(value)) return false;
  if (value === 0) return true;
  const magnitude = Math.abs(value);
  if (magnitude < 1e-130 || magnitude >= 1e126) return false;
  // JavaScript writes the shortest decimal that reads back as the same double: at most 17 digits.
  const digits = magnitude.toExponential().split('e')[0]?.replace('.', '') ?? '';
  return digits.length <= 38;
}

/** Rounds to the millisecond, the precision media times are stored with; -0 becomes 0. */
export function toMilliseconds(seconds: number): number {
  return Math.round(seconds * 1000) / 1000 + 0;
}

/**
 * A time in a media file, in seconds, from `min` (inclusive) up to MAX_MEDIA_SECONDS, rounded to the
 * millisecond: a denormal such as 1e-320 becomes 0, 6.0004999 becomes 6. `above` refuses a value that is not
 * strictly greater once rounded (an end must come after the start of the source).
 */
export function mediaSeconds(field: string, bounds: { min: number; above?: number }) {
  const rounded = z.number().transform(toMilliseconds);
  return z
    .number(`${field} is a number of seconds.`)
    .min(bounds.min, `${field} is at least ${bounds.min}.`)
    .max(MAX_MEDIA_SECONDS, `${field} is at most ${MAX_MEDIA_SECONDS} seconds.`)
    .pipe(
      bounds.above === undefined
        ? rounded
        : rounded.pipe(
            z.number().gt(bounds.above, `${field} is more than ${bounds.above} (to the millisecond).`),
          ),
    )
    .describe(`Seconds; kept to the millisecond (rounded), from ${bounds.min} to ${MAX_MEDIA_SECONDS}.`);
}
