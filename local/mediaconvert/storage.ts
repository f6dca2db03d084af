/**
 * The emulator's view of S3: the same SDK client the handlers use, pointed at the S3 emulator the
 * platform gives it (path-style addressing, dummy credentials). It reads inputs, writes outputs and serves
 * byte ranges of an object over local HTTP so ffprobe can probe a large upload without downloading it.
 */
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { s3Uri } from '#contract/media-layout.ts';
import { emulatorS3Config } from '../emulator-clients.ts';
import type { S3Location } from './job-spec.ts';
import type { ObjectMetadata } from './probe-result.ts';

export interface S3Target {
  endpoint: string;
  region: string;
}

/** The object (or its bucket) does not exist. */
export class ObjectNotFoundError extends Error {
  override name = 'ObjectNotFoundError';
}

const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/x-mpegURL',
  ts: 'video/MP2T',
  aac: 'audio/aac',
  jpg: 'image/jpeg',
};

export function contentTypeFor(key: string): string {
  return CONTENT_TYPES[key.split('.').pop() ?? ''] ?? 'application/octet-stream';
}

function notFound(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  return (
    error.$metadata.httpStatusCode === 404 || ['NoSuchKey', 'NoSuchBucket', 'NotFound'].includes(error.name)
  );
}

export class ObjectStorage {
  private readonly client: S3Client;

  constructor(target: S3Target) {
    this.client = new S3Client(emulatorS3Config(target));
  }

  async head(location: S3Location, signal?: AbortSignal): Promise<ObjectMetadata> {
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }),
        {
          abortSignal: signal,
        },
      );
      return {
        ...(head.ETag ? { eTag: head.ETag } : {}),
        ...(head.ContentLength !== undefined ? { size: head.ContentLength } : {}),
        ...(head.LastModified ? { lastModified: head.LastModified } : {}),
        ...(head.ContentType ? { contentType: head.ContentType } : {}),
      };
    } catch (error) {
      if (notFound(error))
        throw new ObjectNotFoundError(s3Uri(location.bucket, location.key), { cause: error });
      throw error;
    }
  }

  async download(location: S3Location, path: string, signal?: AbortSignal): Promise<void> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: location.bucket, Key: location.key }),
        {
          abortSignal: signal,
        },
      );
      await pipeline(object.Body as Readable, createWriteStream(path), { signal });
    } catch (error) {
      if (notFound(error))
        throw new ObjectNotFoundError(s3Uri(location.bucket, location.key), { cause: error });
      throw error;
    }
  }

  async upload(location: S3Location, path: string, signal?: AbortSignal): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        Body: await readFile(path),
        ContentType: contentTypeFor(location.key),
      }),
      { abortSignal: signal },
    );
  }

  /**
   * Answers an HTTP GET for (a byte range of) an object the way a web server would, so ffmpeg's HTTP
   * reader can seek in it: 206 with Content-Range for a range, 200 otherwise.
   */
  async serve(location: S3Location, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const range = request.headers.range;
    try {
      const object = await this.client.send(
        new GetObjectCommand({
          Bucket: location.bucket,
          Key: location.key,
          ...(range ? { Range: range } : {}),
        }),
      );
      const headers: Record<string, string> = {
        'accept-ranges': 'bytes',
        'content-type': 'application/octet-stream',
      };
      if (object.ContentLength !== undefined) headers['content-length'] = String(object.ContentLength);
      if (object.ContentRange) headers['content-range'] = object.ContentRange;
      response.writeHead(object.ContentRange ? 206 : 200, headers);
      if (request.method === 'HEAD') {
        (object.Body as Readable).destroy();
        response.end();
        return;
      }
      await pipeline(object.Body as Readable, response);
    } catch (error) {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const status = error instanceof S3ServiceException ? (error.$metadata.httpStatusCode ?? 500) : 500;
      response.writeHead(status === 416 ? 416 : notFound(error) ? 404 : 502).end();
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
