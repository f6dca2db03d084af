/**
 * The MediaConvert emulator wired as the tests need it: an S3 emulator with Skycast's buckets (moto, or
 * AWS_ENDPOINT_URL), the emulator on a free port, the REAL MediaConvert SDK client pointed at it, and the
 * job state events it publishes, collected so a test can wait for the one it expects.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  type JobStateChangeEvent,
  type MediaConvertEmulatorOptions,
  type RunningMediaConvertEmulator,
  startMediaConvertEmulator,
} from '../../../local/mediaconvert/index.ts';
import { emulatorClientConfig } from '../../../local/provision.ts';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.ts';

export interface Harness {
  aws: TestEmulator;
  emulator: RunningMediaConvertEmulator;
  mediaConvert: MediaConvertClient;
  s3: S3Client;
  uploadsBucket: string;
  mediaBucket: string;
  events: JobStateChangeEvent[];
  upload(path: string, key: string): Promise<string>;
  readText(bucket: string, key: string): Promise<string>;
  readBytes(bucket: string, key: string): Promise<Buffer>;
  listKeys(bucket: string, prefix: string): Promise<string[]>;
  eventsOf(jobId: string): JobStateChangeEvent[];
  /** Resolves with the job's COMPLETE, ERROR or CANCELED event; fails after `timeoutMs`. */
  waitForEnd(jobId: string, timeoutMs?: number): Promise<JobStateChangeEvent>;
  stop(): Promise<void>;
}

const FINAL = new Set(['COMPLETE', 'ERROR', 'CANCELED']);

export async function startHarness(
  options: Partial<Omit<MediaConvertEmulatorOptions, 's3' | 'publish'>> = {},
): Promise<Harness> {
  const aws = await startTestEmulator();
  const region = aws.resources.region;
  const events: JobStateChangeEvent[] = [];
  const listeners = new Set<() => void>();
  let emulator: RunningMediaConvertEmulator | undefined;
  try {
    emulator = await startMediaConvertEmulator({
      s3: { endpoint: aws.endpoint, region },
      publish: async (event) => {
        events.push(event);
        for (const listener of listeners) listener();
      },
      ...options,
    });
  } catch (error) {
    await aws.stop();
    throw error;
  }
  const running = emulator;
  const mediaConvert = new MediaConvertClient({
    ...emulatorClientConfig({ endpoint: running.endpoint, region }),
  });
  const s3 = new S3Client({
    ...emulatorClientConfig({ endpoint: aws.endpoint, region }),
    forcePathStyle: true,
  });
  const uploadsBucket = aws.resources.bucketNames.uploads;
  const mediaBucket = aws.resources.bucketNames.media;

  const eventsOf = (jobId: string) => events.filter((event) => event.detail.jobId === jobId);
  return {
    aws,
    emulator: running,
    mediaConvert,
    s3,
    uploadsBucket,
    mediaBucket,
    events,
    async upload(path, key) {
      await s3.send(
        new PutObjectCommand({
          Bucket: uploadsBucket,
          Key: key,
          Body: createReadStream(path),
          ContentLength: (await stat(path)).size,
        }),
      );
      return `s3://${uploadsBucket}/${key}`;
    },
    async readText(bucket, key) {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await object.Body?.transformToString()) ?? '';
    },
    async readBytes(bucket, key) {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from((await object.Body?.transformToByteArray()) ?? []);
    },
    async listKeys(bucket, prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
        keys.push(...(page.Contents ?? []).map((object) => object.Key as string));
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    },
    eventsOf,
    waitForEnd(jobId, timeoutMs = 60_000) {
      return new Promise((resolveEnd, reject) => {
        const check = () => {
          const end = eventsOf(jobId).find((event) => FINAL.has(event.detail.status));
          if (!end) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolveEnd(end);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          const seen = eventsOf(jobId).map((event) => event.detail.status);
          reject(
            new Error(
              `Job ${jobId} did not end within ${timeoutMs} ms; events so far: ${seen.join(', ') || 'none'}`,
            ),
          );
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    async stop() {
      mediaConvert.destroy();
      s3.destroy();
      await running.stop();
      await aws.stop();
    },
  };
}
