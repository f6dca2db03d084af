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

/** Reads UPLOAD_MAX_BYTES (whole bytes), defaulting to 20 GiB; a value the rule cannot plan stops the function at init. */
export function uploadMaxBytesFrom(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.UPLOAD_MAX_BYTES?.trim();
  if (!raw) return DEFAULT_UPLOAD_MAX_BYTES;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_PLANNABLE_BYTES) {
    throw new RangeError(
      `UPLOAD_MAX_BYTES must be a whole number of bytes from 1 to ${MAX_PLANNABLE_BYTES}; it is "${raw}".`,
    );
  }
  return value;
}

/** A part S3 has received. */
export interface ReceivedPart {
  partNumber: number;
  size: number;
  /** As S3 reports it, with its quotes. */
  etag: string;
}

/** A part as the client says it uploaded it: the ETag header of its PUT response. */
export interface ClaimedPart {
  partNumber: number;
  etag: string;
}

/** What stands between an upload and its completion; every list is empty when it can complete. */
export interface PartCheck {
  /** Parts S3 has not received: upload them. */
  missingParts: number[];
  /** Parts S3 holds with the wrong number of bytes: upload them again. */
  wrongSizeParts: { partNumber: number; expectedSize: number; size: number }[];
  /** Parts whose ETag differs from what S3 holds (uploaded again since?): list the parts for the current ones. */
  etagMismatchParts: { partNumber: number; etag: string; uploadedEtag: string }[];
  /** Parts S3 holds that the completion request left out. */
  unlistedParts: number[];
  /** Part numbers the completion request names that this upload does not have (beyond its part count). */
  unknownParts: number[];
  expectedBytes: number;
  /** Bytes of the received parts that belong to the upload. */
  receivedBytes: number;
}

/** S3 quotes ETags; clients copy them with or without the quotes. */
export const normaliseEtag = (etag: string) => etag.replaceAll('"', '').trim().toLowerCase();

/** Which parts need uploading: not received, or received with the wrong size. Ascending. */
export function partsToUpload(plan: PartPlan, received: readonly ReceivedPart[]): number[] {
  const byNumber = new Map(received.map((part) => [part.partNumber, part]));
  const needed: number[] = [];
  for (let n = 1; n <= plan.partCount; n++) {
    if (byNumber.get(n)?.size !== expectedPartSize(plan, n)) needed.push(n);
  }
  return needed;
}

/**
 * Checks a completion request against what S3 received: every part 1..partCount present with its exact size
 * (so the sizes add up to the declared size) and the ETag the client names.
 */
export function checkParts(
  plan: PartPlan,
  received: readonly ReceivedPart[],
  claimed: readonly ClaimedPart[],
): PartCheck {
  const receivedByNumber = new Map(received.map((part) => [part.partNumber, part]));
  const claimedByNumber = new Map(claimed.map((part) => [part.partNumber, part]));
  const check: PartCheck = {
    missingParts: [],
    wrongSizeParts: [],
    etagMismatchParts: [],
    unlistedParts: [],
    unknownParts: claimed.map((part) => part.partNumber).filter((n) => n > plan.partCount),
    expectedBytes: plan.size,
    receivedBytes: 0,
  };
  for (let n = 1; n <= plan.partCount; n++) {
    const part = receivedByNumber.get(n);
    if (!part) {
      check.missingParts.push(n);
      continue;
    }
    check.receivedBytes += part.size;
    const expectedSize = expectedPartSize(plan, n);
    if (part.size !== expectedSize)
      check.wrongSizeParts.push({ partNumber: n, expectedSize, size: part.size });
    const claim = claimedByNumber.get(n);
    if (!claim) check.unlistedParts.push(n);
    else if (normaliseEtag(claim.etag) !== normaliseEtag(part.etag)) {
      check.etagMismatchParts.push({ partNumber: n, etag: claim.etag, uploadedEtag: part.etag });
    }
  }
  return check;
}

export const isComplete = (check: PartCheck) =>
  check.missingParts.length === 0 &&
  check.wrongSizeParts.length === 0 &&
  check.etagMismatchParts.length === 0 &&
  check.unlistedParts.length === 0 &&
  check.unknownParts.length === 0;
