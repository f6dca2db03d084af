/**
 * How a file is cut into S3 multipart parts, in one place.
 *
 * The rule: a part is the smallest whole number of MiB that fits the file into at most 10,000 parts, and never
 * less than S3's 5 MiB minimum. Every part but the last has exactly that size; the last holds the rest.
 * So a 1 B file is one 5 MiB-sized part (holding 1 B), 20 GiB is 4,096 parts of 5 MiB, 100 GiB is 9,310 parts
 * of 11 MiB, and the largest object S3 stores (5 TiB) is 9,987 parts of 525 MiB.
 */

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** S3's multipart limits. */
export const S3_MIN_PART_BYTES = 5 * MiB;
export const S3_MAX_PART_BYTES = 5 * GiB;
export const S3_MAX_PARTS = 10_000;
/** S3's largest object: 5 TiB (less than 10,000 parts of 5 GiB could hold). */
export const S3_MAX_OBJECT_BYTES = 5 * 1024 * GiB;
/** The largest file the rule can plan: the largest object S3 stores. */
export const MAX_PLANNABLE_BYTES = S3_MAX_OBJECT_BYTES;

/** The upload limit when UPLOAD_MAX_BYTES is not set. */
export const DEFAULT_UPLOAD_MAX_BYTES = 20 * GiB;

export interface PartPlan {
  /** The whole file, in bytes. */
  size: number;
  /** Bytes in every part but the last. */
  partSize: number;
  partCount: number;
}

/** Plans the parts of a file of `size` bytes (1 B up to MAX_PLANNABLE_BYTES). */
export function planParts(size: number): PartPlan {
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_PLANNABLE_BYTES) {
    throw new RangeError(`Cannot plan a multipart upload of ${size} bytes.`);
  }
  const partSize = Math.max(S3_MIN_PART_BYTES, Math.ceil(size / (S3_MAX_PARTS * MiB)) * MiB);
  return { size, partSize, partCount: Math.ceil(size / partSize) };
}

/** The plan of an upload that already started with this part size. */
export function planWithPartSize(size: number, partSize: number): PartPlan {
  return { size, partSize, partCount: Math.ceil(size / partSize) };
}

/** How many bytes part `partNumber` (1-based) must hold. */
export function expectedPartSize(plan: PartPlan, partNumber: number): number {
  return partNumber < plan.partCount ? plan.partSize : plan.size - (plan.partCount - 1) * plan.partSize;
}
