/**
 * The S3 side of the media server: GetObject and HeadObject on the S3 emulator, with the range and the
 * revalidation passed to S3, and S3's refusals (304, 404, 412, 416) read into what they mean for the answer.
 * The client is created once, with keep-alive sockets.
 */
import { Agent } from 'node:http';
import {
  GetObjectCommand,
  type GetObjectCommandInput,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  S3Client,
} from '@aws-sdk/client-s3';
import { type AwsTarget, emulatorS3Config } from '../emulator-clients.ts';
import type { Conditions } from './preconditions.ts';

/** What a GetObject or HeadObject came to: the object, or the answer S3 gave instead. */
export type Fetched<T> =
  | { kind: 'object'; output: T }
  | { kind: 'not-modified'; etag: string | undefined }
  | { kind: 'precondition-failed' }
  | { kind: 'unsatisfiable'; size: number | undefined }
  | { kind: 'not-found' };

/** What S3 can check for us without changing the answer (see `s3Conditions`). */
export type S3Conditions = Pick<GetObjectCommandInput, 'IfNoneMatch' | 'IfModifiedSince'>;

interface S3Failure {
  name?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
  ActualObjectSize?: string | number;
}

function classify<T>(error: unknown): Fetched<T> {
  const failure = error as S3Failure;
  switch (failure.$metadata?.httpStatusCode) {
    case 304:
      return { kind: 'not-modified', etag: failure.$response?.headers?.etag };
    case 404:
      // A missing bucket is the platform's mistake, not a missing object.
      if (failure.name === 'NoSuchBucket') throw error;
      return { kind: 'not-found' };
    case 412:
      return { kind: 'precondition-failed' };
    case 416: {
      const size = Number(failure.ActualObjectSize);
      return { kind: 'unsatisfiable', size: Number.isSafeInteger(size) ? size : undefined };
    }
    default:
      throw error;
  }
}

/**
 * The revalidation S3 may answer for us, as an optimisation only (`evaluatePreconditions` decides): a single
 * If-None-Match tag, else If-Modified-Since; and only when the request has no If-Match or If-Unmodified-Since,
 * which come first and could turn S3's 304 into our 412.
 */
export function s3Conditions(conditions: Conditions): S3Conditions {
  if (conditions.ifMatch || conditions.ifUnmodifiedSince !== undefined) return {};
  const { ifNoneMatch, ifModifiedSince } = conditions;
  if (ifNoneMatch) {
    // Weak comparison: W/"x" matches the object's "x".
    return ifNoneMatch !== '*' && ifNoneMatch.length === 1 ? { IfNoneMatch: ifNoneMatch[0]?.opaque } : {};
  }
  return ifModifiedSince === undefined ? {} : { IfModifiedSince: new Date(ifModifiedSince * 1000) };
}

/** The buckets, read through one S3 client; S3's 304, 404, 412 and 416 come back as `Fetched`, not thrown. */
export class ObjectSource {
  private readonly client: S3Client;

  constructor(target: AwsTarget) {
    this.client = new S3Client({
      ...emulatorS3Config(target),
      requestHandler: {
        // Sockets are kept and reused wherever the emulator allows it; none is ever waited for.
        httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }),
        // An emulator that does not answer becomes a 502. Both limits end once the headers are in: a body may
        // take as long as the viewer takes to read it (players stop reading when their buffer is full).
        connectionTimeout: 5_000,
        requestTimeout: 30_000,
        throwOnRequestTimeout: true,
      },
    });
  }

  async get(
    bucket: string,
    key: string,
    input: S3Conditions & { Range?: string | undefined; IfMatch?: string | undefined },
    signal: AbortSignal,
  ): Promise<Fetched<GetObjectCommandOutput>> {
    try {
      const output = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...input }), {
        abortSignal: signal,
      });
      return { kind: 'object', output };
    } catch (error) {
      return classify(error);
    }
  }

  async head(
    bucket: string,
    key: string,
    input: S3Conditions,
    signal: AbortSignal,
  ): Promise<Fetched<HeadObjectCommandOutput>> {
    try {
      const output = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...input }), {
        abortSignal: signal,
      });
      return { kind: 'object', output };
    } catch (error) {
      return classify(error);
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
