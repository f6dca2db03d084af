/**
 * The upload pipeline on the local platform, driven only through the API: a file uploaded in parts goes
 * S3 → SQS → submit → the local MediaConvert → EventBridge → job-state, and its video becomes READY with its
 * HLS playlists in the media bucket; a file that is not a video ends FAILED with a reason. Nothing is left
 * in a dead-letter queue.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type RunningPlatform, startPlatform } from '../../local/platform.ts';
import { emulatorClientConfig } from '../../local/provision.ts';
import { waitFor } from '../../local/tcp-ports.ts';
import { callApi, fetchJson, newSignedInUser, type WebConfig } from './support/client.ts';

describe('the upload pipeline on the local platform', () => {
  let platform: RunningPlatform;
  let config: WebConfig;
  let token: string;
  let s3: S3Client;
  let sqs: SQSClient;
  const work = mkdtempSync(join(tmpdir(), 'skycast-e2e-pipelines-'));

  before(async () => {
    platform = await startPlatform({ port: 0, rtmpPort: 0, quiet: true });
    config = (await fetchJson(`${platform.url}/config.json`)).body;
    token = (await newSignedInUser(platform.url, config)).tokens.AccessToken;
    const target = { endpoint: platform.motoEndpoint, region: config.region };
    s3 = new S3Client({ ...emulatorClientConfig(target), forcePathStyle: true });
    sqs = new SQSClient(emulatorClientConfig(target));
  });
  after(async () => {
    s3?.destroy();
    sqs?.destroy();
    await platform?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /** Uploads `file` through createUpload, the presigned part URLs and completeUpload; returns the video id. */
  async function upload(file: Buffer, fileName: string, contentType: string): Promise<string> {
    const created = await callApi(config, 'POST', '/uploads', {
      token,
      body: { fileName, size: file.length, contentType },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { videoId, partSize, parts } = created.body as {
      videoId: string;
      partSize: number;
      parts: { partNumber: number; url: string }[];
    };
    const uploaded: { partNumber: number; etag: string }[] = [];
    for (const part of parts) {
      const bytes = file.subarray((part.partNumber - 1) * partSize, part.partNumber * partSize);
      const response = await fetch(part.url, { method: 'PUT', body: new Uint8Array(bytes) });
      assert.equal(response.status, 200, await response.text());
      uploaded.push({ partNumber: part.partNumber, etag: response.headers.get('etag') ?? '' });
    }
    const completed = await callApi(config, 'POST', `/uploads/${videoId}/complete`, {
      token,
      body: { parts: uploaded },
    });
    assert.equal(completed.status, 200, JSON.stringify(completed.body));
    return videoId;
  }

  /** The video once it is READY or FAILED. */
  async function finished(videoId: string) {
    let video: { status: string; [field: string]: unknown } | undefined;
    await waitFor(
      `video ${videoId} to be READY or FAILED`,
      async () => {
        const response = await callApi(config, 'GET', `/videos/${videoId}`, { token });
        video = response.body;
        return video?.status === 'READY' || video?.status === 'FAILED';
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    return video as { status: string; [field: string]: unknown };
  }

  async function mediaObject(key: string): Promise<string> {
    const object = await s3.send(
      new GetObjectCommand({ Bucket: platform.resources.bucketNames.media, Key: key }),
    );
    return (await object.Body?.transformToString()) ?? '';
  }

  async function messagesOn(url: string): Promise<number> {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
    );
  }

  it('turns an uploaded video into a READY video with its HLS playlists in the media bucket', async () => {
    const path = join(work, 'clip.mp4');
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '3'],
      ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path],
    ]);

    const videoId = await upload(readFileSync(path), 'clip.mp4', 'video/mp4');
    const video = await finished(videoId);

    assert.equal(video.status, 'READY', JSON.stringify(video));
    const renditions = video.renditions as { playlistPath: string }[];
    assert.ok(renditions.length > 0, 'at least one rendition');
    assert.match(await mediaObject(video.playbackPath as string), /^#EXTM3U/);
    for (const rendition of renditions) {
      assert.match(await mediaObject(rendition.playlistPath), /#EXTINF:/);
    }
  });

  it('ends a file that is not a video as FAILED, with a reason a person can read', async () => {
    const videoId = await upload(randomBytes(64 * 1024), 'holiday.mp4', 'video/mp4');
    const video = await finished(videoId);

    assert.equal(video.status, 'FAILED', JSON.stringify(video));
    const failure = video.failure as { code: string; message: string };
    assert.ok(failure.code.length > 0);
    assert.ok(failure.message.length > 0);
  });

  it('leaves nothing in a dead-letter queue or an event rule’s failed queue', async () => {
    for (const queue of platform.resources.queues)
      assert.equal(await messagesOn(queue.deadLetter.url), 0, queue.name);
    for (const rule of platform.resources.eventRules)
      assert.equal(await messagesOn(rule.failed.url), 0, rule.name);
  });
});
