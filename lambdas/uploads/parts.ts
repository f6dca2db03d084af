import { ENV } from '#contract/environment.ts';
/** What the uploads functions check of a multipart upload's parts, by the part-size rule of the contract. */
import {
  DEFAULT_UPLOAD_MAX_BYTES,
  expectedPartSize,
  MAX_PLANNABLE_BYTES,
  type PartPlan,
} from '#contract/part-plan.ts';

/** Reads UPLOAD_MAX_BYTES (whole bytes), defaulting to 20 GiB; a value the rule cannot plan stops the function at init. */
export function uploadMaxBytesFrom(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[ENV.uploadMaxBytes]?.trim();
  if (!raw) return DEFAULT_UPLOAD_MAX_BYTES;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_PLANNABLE_BYTES) {
    throw new RangeError(
      `${ENV.uploadMaxBytes} must be a whole number of bytes from 1 to ${MAX_PLANNABLE_BYTES}; it is "${raw}".`,
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
