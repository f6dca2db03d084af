import { createHash } from 'node:crypto';
import type { ClaimedPart, ReceivedPart } from '../../../lambdas/uploads/parts.ts';

import type { CompletionOutcome, MultipartStore } from '../../../lambdas/uploads/upload.ts';

interface Upload {
  key: string;
  contentType: string;
  parts: Map<number, ReceivedPart>;
}

/**
 * Multipart uploads kept in memory, with S3's rules for completion (the parts named must exist with those
 * ETags), for testing the upload use cases. `receive` plays the client PUTting a part to its URL.
 */
export class InMemoryMultipartStore implements MultipartStore {
  readonly uploads = new Map<string, Upload>();
  readonly objects = new Map<string, number>();
  readonly presigned: { key: string; uploadId: string; partNumber: number }[] = [];
  readonly aborted: string[] = [];
  /** Credentials' end, as S3 would see it; undefined for long-lived keys. */
  credentialsExpireAt: Date | undefined;
  private nextId = 1;

  async start(key: string, contentType: string) {
    const uploadId = `upload-${this.nextId++}`;
    this.uploads.set(uploadId, { key, contentType, parts: new Map() });
    return uploadId;
  }

  async presignParts(
    key: string,
    uploadId: string,
    partNumbers: readonly number[],
    validity: { signedAt: Date; seconds: number },
  ) {
    for (const partNumber of partNumbers) this.presigned.push({ key, uploadId, partNumber });
    const requested = new Date(validity.signedAt.getTime() + validity.seconds * 1000);
    const expiresAt =
      this.credentialsExpireAt && this.credentialsExpireAt < requested ? this.credentialsExpireAt : requested;
    return {
      parts: partNumbers.map((partNumber) => ({
        partNumber,
        url: `https://uploads.example/${key}?uploadId=${uploadId}&partNumber=${partNumber}`,
      })),
      expiresAt,
    };
  }

  /** A part arrives, as S3 would store it; returns its ETag (quoted, like S3's header). */
  receive(uploadId: string, partNumber: number, size: number, content = `${partNumber}:${size}`): string {
    const upload = this.uploads.get(uploadId);
    if (!upload) throw new Error(`no upload ${uploadId}`);
    const etag = `"${createHash('md5').update(content).digest('hex')}"`;
    upload.parts.set(partNumber, { partNumber, size, etag });
    return etag;
  }

  async listParts(_key: string, uploadId: string) {
    const upload = this.uploads.get(uploadId);
    return upload ? [...upload.parts.values()].sort((a, b) => a.partNumber - b.partNumber) : undefined;
  }

  async complete(key: string, uploadId: string, parts: readonly ClaimedPart[]): Promise<CompletionOutcome> {
    const upload = this.uploads.get(uploadId);
    if (!upload) return 'no-such-upload';
    let size = 0;
    for (const claim of parts) {
      const part = upload.parts.get(claim.partNumber);
      if (!part || part.etag !== claim.etag) return 'invalid-part';
      size += part.size;
    }
    this.uploads.delete(uploadId);
    this.objects.set(key, size);
    return 'completed';
  }

  async abort(_key: string, uploadId: string) {
    this.aborted.push(uploadId);
    return this.uploads.delete(uploadId);
  }

  async objectSize(key: string) {
    return this.objects.get(key);
  }
}
