import type { CreateJobRequest } from '@aws-sdk/client-mediaconvert';
import type { SourceMedia } from './ladder.ts';

/** Reads uploaded originals. */
export interface SourceStore {
  /** The first `count` bytes of an object (fewer if it is shorter); undefined if the object is gone. */
  readFirstBytes(bucket: string, key: string, count: number): Promise<Uint8Array | undefined>;
}

/** What a probe found in a source, or why it found nothing usable. */
export type ProbeOutcome = { ok: true; media: SourceMedia; format?: string } | { ok: false; reason: string };

/** The transcoding service (MediaConvert in AWS, the local emulator on one machine). */
export interface Transcoder {
  /** Reads the tracks of `s3://…` without transcoding it. */
  probe(uri: string): Promise<ProbeOutcome>;
  /** Submits a job; the same `idempotencyToken` always yields the same job. Resolves to the job id. */
  submit(request: CreateJobRequest, idempotencyToken: string): Promise<string>;
}

/** Reads what a finished job wrote. */
export interface MediaStore {
  readText(bucket: string, key: string): Promise<string>;
}
