import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListPartsCommand,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ClaimedPart, ReceivedPart } from './parts.ts';

import type { CompletionOutcome, MultipartStore, PresignedPart } from './upload.ts';

const errorName = (error: unknown) => (error as { name?: string }).name;
const httpStatus = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/**
 * The S3 client for uploads. Presigned UploadPart URLs must not carry a checksum: with the SDK's default
 * (`WHEN_SUPPORTED`) each URL pins the CRC32 of an empty body, and S3 then rejects every real part PUT to it.
 */
export function createUploadsS3Client(config: S3ClientConfig = {}): S3Client {
  return new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED', ...config });
}

/** Multipart uploads in one bucket. */
export class S3MultipartStore implements MultipartStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async start(key: string, contentType: string): Promise<string> {
    const { UploadId } = await this.s3.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }),
    );
    if (!UploadId) throw new Error('S3 started a multipart upload without an upload id');
    return UploadId;
  }

  async presignParts(
    key: string,
    uploadId: string,
    partNumbers: readonly number[],
    validity: { signedAt: Date; seconds: number },
  ): Promise<{ parts: PresignedPart[]; expiresAt: Date }> {
    // A presigned URL dies with the credentials that signed it (a Lambda role's session may end first).
    const credentials = await this.s3.config.credentials();
    const requested = new Date(validity.signedAt.getTime() + validity.seconds * 1000);
    const expiresAt =
      credentials.expiration && credentials.expiration < requested ? credentials.expiration : requested;
    const parts = await Promise.all(
      partNumbers.map(async (partNumber) => ({
        partNumber,
        url: await getSignedUrl(
          this.s3,
          new UploadPartCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: partNumber,
          }),
          { expiresIn: validity.seconds, signingDate: validity.signedAt },
        ),
      })),
    );
    return { parts, expiresAt };
  }

  async listParts(key: string, uploadId: string): Promise<ReceivedPart[] | undefined> {
    const parts: ReceivedPart[] = [];
    let marker: string | undefined;
    try {
      do {
        const page = await this.s3.send(
          new ListPartsCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumberMarker: marker,
          }),
        );
        for (const part of page.Parts ?? []) {
          if (part.PartNumber === undefined || part.ETag === undefined || part.Size === undefined) continue;
          parts.push({ partNumber: part.PartNumber, size: part.Size, etag: part.ETag });
        }
        const next = page.IsTruncated ? page.NextPartNumberMarker : undefined;
        if (next !== undefined && next === marker) throw new Error('ListParts did not move past its marker');
        marker = next;
      } while (marker !== undefined);
    } catch (error) {
      if (errorName(error) === 'NoSuchUpload') return undefined;
      throw error;
    }
    return parts;
  }

  async complete(key: string, uploadId: string, parts: readonly ClaimedPart[]): Promise<CompletionOutcome> {
    try {
      await this.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: {
            Parts: [...parts]
              .sort((a, b) => a.partNumber - b.partNumber)
              .map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })),
          },
        }),
      );
      return 'completed';
    } catch (error) {
      if (errorName(error) === 'NoSuchUpload') return 'no-such-upload';
      if (errorName(error) === 'InvalidPart') return 'invalid-part';
      throw error;
    }
  }

  async abort(key: string, uploadId: string): Promise<boolean> {
    try {
      await this.s3.send(
        new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }),
      );
      return true;
    } catch (error) {
      if (errorName(error) === 'NoSuchUpload') return false;
      throw error;
    }
  }

  async objectSize(key: string): Promise<number | undefined> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ContentLength;
    } catch (error) {
      if (errorName(error) === 'NotFound' || httpStatus(error) === 404) return undefined;
      throw error;
    }
  }
}
