/**
 * The transcoding pipeline's two handlers against the emulator's DynamoDB and S3: submit (SQS, S3 events)
 * and job-state (EventBridge, MediaConvert events). The transcoder is a recording double of the Transcoder
 * port here; the MediaConvert emulator has its own tests, and the end-to-end tests run the real thing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CreateJobRequest } from '@aws-sdk/client-mediaconvert';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { StoredVideo } from '../../../lambdas/catalog/video-catalog.ts';
import { DynamoVideoCatalog } from '../../../lambdas/catalog/video-store.ts';
import { uploadKey } from '../../../lambdas/contract/media-layout.ts';
import { documentClient } from '../../../lambdas/shared/dynamodb.ts';
import type { ProbeOutcome, Transcoder } from '../../../lambdas/transcoding/ports.ts';
import { emulatorClientConfig } from '../../../local/provision.ts';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/events/${name}`, import.meta.url), 'utf8');

/** Answers Probe from a table and makes one job per idempotency token, recording every request. */
class RecordingTranscoder implements Transcoder {
  readonly requests: CreateJobRequest[] = [];
  readonly jobsByToken = new Map<string, string>();
  constructor(private readonly probes: Map<string, ProbeOutcome>) {}
  async probe(uri: string) {
    return this.probes.get(uri) ?? { ok: false as const, reason: 'We could not read this file.' };
  }
  async submit(request: CreateJobRequest, token: string) {
    this.requests.push(request);
    const existing = this.jobsByToken.get(token);
    if (existing) return existing;
    const jobId = `job-${this.jobsByToken.size + 1}`;
    this.jobsByToken.set(token, jobId);
    return jobId;
  }
}

function sqsRecord(body: string): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: 'AQEB-test',
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:transcode-submissions',
    awsRegion: 'us-east-1',
  };
}

describe('transcoding handlers against the emulator', () => {
  let emulator: TestEmulator;
  let s3: S3Client;
  let catalog: DynamoVideoCatalog;
  let transcoder: RecordingTranscoder;
  let submit: (event: SQSEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
  let jobState: (event: unknown) => Promise<void>;
  const probes = new Map<string, ProbeOutcome>();
  const work = mkdtempSync(join(tmpdir(), 'skycast-transcoding-'));

  before(async () => {
    emulator = await startTestEmulator();
    process.env.MEDIACONVERT_ROLE_ARN = 'arn:aws:iam::123456789012:role/skycast-mediaconvert';
    process.env.APPLICATION_NAME = 'skycast-test';
    s3 = new S3Client({
      ...emulatorClientConfig({ endpoint: emulator.endpoint, region: 'us-east-1' }),
      forcePathStyle: true,
    });
    catalog = new DynamoVideoCatalog(documentClient(), emulator.resources.tableName);
    transcoder = new RecordingTranscoder(probes);
    const submitModule = await import('../../../lambdas/transcoding/submit.ts');
    const jobStateModule = await import('../../../lambdas/transcoding/job-state.ts');
    const { defaultSubmitDeps, defaultJobEventDeps } = await import('../../../lambdas/transcoding/deps.ts');
    submit = submitModule.createHandler({ ...defaultSubmitDeps(), transcoder });
    jobState = jobStateModule.createHandler(defaultJobEventDeps()) as (event: unknown) => Promise<void>;
  });
  after(() => emulator.stop());

  /** A video in the catalog and its original in the uploads bucket, as a finished upload leaves them. */
  async function uploaded(file: Buffer, fileName: string): Promise<{ video: StoredVideo; message: string }> {
    const ownerId = randomUUID();
    const videoId = randomUUID();
    const key = uploadKey(ownerId, videoId, fileName);
    const now = new Date().toISOString();
    const video: StoredVideo = {
      videoId,
      ownerId,
      title: fileName,
      visibility: 'public',
      status: 'UPLOADED',
      source: { kind: 'upload', fileName, size: file.length, contentType: 'video/mp4' },
      sourceKey: key,
      createdAt: now,
      updatedAt: now,
    };
    await catalog.create(video);
    const bucket = emulator.resources.bucketNames.uploads;
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: file }));
    const event = JSON.parse(fixture('s3-object-created.json'));
    event.Records[0].s3.bucket.name = bucket;
    event.Records[0].s3.object.key = encodeURIComponent(key).replace(/%2F/g, '/');
    event.Records[0].s3.object.size = file.length;
    event.Records[0].s3.object.eTag = (put.ETag ?? '').replace(/"/g, '');
    return { video, message: JSON.stringify(event) };
  }

  function ffmpeg(args: string[], output: string): Buffer {
    const path = join(work, output);
    execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, path]);
    return readFileSync(path);
  }

  it('submits one job per upload, however often the event is delivered', async () => {
    const mp4 = ffmpeg(
      ['-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=25', '-t', '1', '-pix_fmt', 'yuv420p'],
      'a.mp4',
    );
    const { video, message } = await uploaded(mp4, 'holiday.mp4');
    probes.set(`s3://${emulator.resources.bucketNames.uploads}/${video.sourceKey}`, {
      ok: true,
      media: { video: { width: 640, height: 360, rotation: 0 }, hasAudio: false },
    });

    const first = await submit({ Records: [sqsRecord(message), sqsRecord(message)] });
    const again = await submit({ Records: [sqsRecord(message)] });

    assert.deepEqual(first.batchItemFailures, []);
    assert.deepEqual(again.batchItemFailures, []);
    const stored = await catalog.get(video.videoId);
    assert.equal(stored?.status, 'PROCESSING');
    assert.equal(stored?.jobId, 'job-1');
    const jobs = transcoder.requests.filter((r) => r.UserMetadata?.videoId === video.videoId);
    assert.equal(jobs.length, 1, 'a recorded job is not submitted again');
    assert.equal(jobs[0]?.UserMetadata?.application, 'skycast-test');
    assert.equal(jobs[0]?.Settings?.OutputGroups?.[0]?.Outputs?.length, 1);
  });

  it('fails a PNG as not a video, with a reason the uploader can read', async () => {
    const png = ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x64', '-frames:v', '1'], 'b.png');
    const { video, message } = await uploaded(png, 'cat.mp4');

    const response = await submit({ Records: [sqsRecord(message)] });

    assert.deepEqual(response.batchItemFailures, []);
    const stored = await catalog.get(video.videoId);
    assert.equal(stored?.status, 'FAILED');
    assert.equal(stored?.failure?.code, 'NOT_A_VIDEO');
    assert.match(stored?.failure?.message ?? '', /looks like a PNG image/);
  });

  it('fails an empty file and one the transcoder cannot read', async () => {
    const empty = await uploaded(Buffer.alloc(0), 'empty.mp4');
    const truncated = await uploaded(
      ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=320x240', '-t', '1'], 'c.mp4').subarray(0, 2048),
      'cut.mp4',
    );

    await submit({ Records: [sqsRecord(empty.message), sqsRecord(truncated.message)] });

    assert.deepEqual((await catalog.get(empty.video.videoId))?.failure, {
      code: 'EMPTY_FILE',
      message: 'The file is empty.',
    });
    const cut = await catalog.get(truncated.video.videoId);
    assert.equal(cut?.status, 'FAILED');
    assert.equal(cut?.failure?.code, 'UNREADABLE_MEDIA');
  });

  it('skips an upload whose original was deleted before its message arrived', async () => {
    const { video, message } = await uploaded(Buffer.from('soon gone'), 'gone.mp4');
    await s3.send(
      new DeleteObjectCommand({ Bucket: emulator.resources.bucketNames.uploads, Key: video.sourceKey }),
    );

    const response = await submit({ Records: [sqsRecord(message)] });

    assert.deepEqual(response.batchItemFailures, []);
    assert.equal((await catalog.get(video.videoId))?.status, 'UPLOADED');
  });

  it('reports only the poison message as failed, and ignores S3 test events', async () => {
    const poison = sqsRecord('this is not an S3 event');
    const test = sqsRecord(fixture('s3-test-event.json'));

    const response = await submit({ Records: [test, poison] });

    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: poison.messageId }]);
  });

  /** The fixture event, pointed at this test's bucket and video. */
  function jobEvent(name: string, videoId: string, jobId: string) {
    const text = fixture(name)
      .replaceAll('skycast-dev-media', emulator.resources.bucketNames.media)
      .replaceAll('0b6f0c1e-5f6a-4c1d-9a8e-2f1e3d4c5b6a', videoId)
      .replaceAll('1795255301123-abc123', jobId);
    return JSON.parse(text);
  }

  async function processingVideo(): Promise<StoredVideo> {
    const now = new Date().toISOString();
    const video: StoredVideo = {
      videoId: randomUUID(),
      ownerId: 'owner',
      title: 'v',
      visibility: 'public',
      status: 'UPLOADED',
      source: { kind: 'upload', fileName: 'v.mp4', size: 1, contentType: 'video/mp4' },
      createdAt: now,
      updatedAt: now,
    };
    await catalog.create(video);
    return video;
  }

  it('marks a video READY with renditions, bitrates, duration, poster and thumbnails, and late events change nothing', async () => {
    const video = await processingVideo();
    await catalog.recordJob(video.videoId, 'job-x', new Date().toISOString());
    const playlist = [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-STREAM-INF:BANDWIDTH=3100000,AVERAGE-BANDWIDTH=2400000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2"',
      'index_720p.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=1300000,RESOLUTION=852x480,CODECS="avc1.4d401f,mp4a.40.2"',
      'index_480p.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=780000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"',
      'index_360p.m3u8',
    ].join('\n');
    await s3.send(
      new PutObjectCommand({
        Bucket: emulator.resources.bucketNames.media,
        Key: `videos/${video.videoId}/hls/index.m3u8`,
        Body: playlist,
      }),
    );

    await jobState(jobEvent('mediaconvert-job-status-update.json', video.videoId, 'job-x'));
    assert.equal((await catalog.get(video.videoId))?.progress, 45);
    await jobState(jobEvent('mediaconvert-job-complete.json', video.videoId, 'job-x'));
    await jobState(jobEvent('mediaconvert-job-status-update.json', video.videoId, 'job-x'));
    await jobState(jobEvent('mediaconvert-job-error.json', video.videoId, 'job-x'));

    const stored = await catalog.get(video.videoId);
    assert.equal(stored?.status, 'READY');
    assert.equal(stored?.playbackPath, `videos/${video.videoId}/hls/index.m3u8`);
    assert.equal(stored?.durationSeconds, 12.48);
    assert.deepEqual(
      stored?.renditions?.map((r) => [r.name, r.width, r.height, r.bitrate]),
      [
        ['720p', 1280, 720, 3_100_000],
        ['480p', 852, 480, 1_300_000],
        ['360p', 640, 360, 780_000],
      ],
    );
    assert.equal(stored?.posterPath, `videos/${video.videoId}/poster/poster.0000001.jpg`);
    assert.deepEqual(stored?.thumbnails, {
      pathTemplate: `videos/${video.videoId}/thumbnails/thumb.{index}.jpg`,
      count: 3,
      intervalSeconds: 5,
    });
  });

  it('fails a video whose job errored, with a readable reason, even if the error overtakes the submitter', async () => {
    const video = await processingVideo();

    await jobState(jobEvent('mediaconvert-job-error.json', video.videoId, 'job-y'));

    const stored = await catalog.get(video.videoId);
    assert.equal(stored?.status, 'FAILED');
    assert.equal(stored?.jobId, 'job-y');
    assert.equal(stored?.failure?.code, 'TRANSCODE_FAILED');
    assert.match(stored?.failure?.message ?? '', /could not read this video/);
  });

  it('removes what a job wrote for a video deleted while it ran', async () => {
    const videoId = randomUUID();
    const bucket = emulator.resources.bucketNames.media;
    for (const key of ['hls/index.m3u8', 'hls/index_360p.m3u8', 'hls/index_360p_00001.ts']) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `videos/${videoId}/${key}`, Body: 'x' }));
    }
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: `videos/${videoId}x/hls/index.m3u8`, Body: 'x' }),
    );

    await jobState(jobEvent('mediaconvert-job-complete.json', videoId, 'job-orphan'));

    const left = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `videos/${videoId}` }));
    assert.deepEqual(
      left.Contents?.map((object) => object.Key),
      [`videos/${videoId}x/hls/index.m3u8`],
    );
  });

  it('ignores events of a job that is not the video’s job, and of videos that are gone', async () => {
    const video = await processingVideo();
    await catalog.recordJob(video.videoId, 'job-current', new Date().toISOString());

    await jobState(jobEvent('mediaconvert-job-error.json', video.videoId, 'job-stale'));
    await jobState(jobEvent('mediaconvert-job-error.json', randomUUID(), 'job-z'));

    assert.equal((await catalog.get(video.videoId))?.status, 'PROCESSING');
  });
});
