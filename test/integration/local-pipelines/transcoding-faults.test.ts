/**
 * The upload-to-VOD pipeline under faults, through the platform's own delivery paths: 50 uploads land in the
 * uploads bucket (S3 → SQS notification), two event source pollers hand them to the real submit function,
 * the local MediaConvert runs the jobs with faults on (a fifth of jobs fail, a fifth of CreateJob and Probe
 * calls are throttled or fail with a 500, some after the job was created; events come late, twice and out of
 * order), its events go through EventBridge and the rule's queue to the real job-state function. On top,
 * SQS redelivers: a second copy of some uploads' S3 event is sent, and the queue's visibility timeout is cut
 * to 3 s, so it expires while a batch is still being processed and the other poller gets the same messages.
 *
 * "Stuck" is a video that is neither READY nor FAILED once every delivery has run its course: its upload
 * message in the dead-letter queue, or its job's final event never applied. The platform prevents the first
 * by failing the video, with a reason, on its message's last delivery (submit.ts), and the second by making
 * every job event idempotent and order-independent (conditional catalog writes), so any copy of the final
 * event, in any order, ends the video. The test waits for all 50 to be final, with a deadline, and then
 * checks that none was left behind anywhere: no message in the dead-letter queues, exactly one job per
 * video, and each video's outcome that of its job. Runs in one to two minutes on two cores.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Job, ListJobsCommand, MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { StoredVideo } from '../../../lambdas/catalog/video-catalog.ts';
import { DynamoVideoCatalog } from '../../../lambdas/catalog/video-store.ts';
import { uploadKey } from '../../../lambdas/contract/media-layout.ts';
import { eventRules, queues } from '../../../lambdas/contract/pipelines.ts';
import { documentClient } from '../../../lambdas/shared/dynamodb.ts';
import { createEventPublisher, type EventPublisher } from '../../../local/event-bus.ts';
import { combinedFunctionEnvironment, localDeploymentValues } from '../../../local/function-environment.ts';
import {
  type JobStateChangeEvent,
  type RunningMediaConvertEmulator,
  startMediaConvertEmulator,
} from '../../../local/mediaconvert/index.ts';
import { type RunningEmulator, startMoto } from '../../../local/moto.ts';
import { type RunningPipelines, startPipelines } from '../../../local/pipelines.ts';
import { emulatorClientConfig, type ProvisionedResources, provision } from '../../../local/provision.ts';
import { eventually, queueDepth } from './testbed.ts';

const UPLOADS = 50;
const REGION = process.env.AWS_REGION ?? 'us-east-1';
const definitionOf = <T extends { id: string }>(list: readonly T[], id: string) =>
  list.find((entry) => entry.id === id) as T;

describe('the transcoding pipeline under faults', () => {
  let moto: RunningEmulator | undefined;
  let resources: ProvisionedResources;
  let bus: EventPublisher;
  let mediaConvert: RunningMediaConvertEmulator;
  let pollers: RunningPipelines[] = [];
  let s3: S3Client;
  let sqs: SQSClient;
  let catalog: DynamoVideoCatalog;
  const published: JobStateChangeEvent[] = [];
  /** Messages handed to the submit function, redeliveries included. */
  let submitDeliveries = 0;
  /** Deliveries that failed, for the failure message. */
  const failedDeliveries: string[] = [];
  const work = mkdtempSync(join(tmpdir(), 'skycast-faults-'));

  before(async () => {
    const external = process.env.AWS_ENDPOINT_URL;
    if (!external) moto = await startMoto();
    const endpoint = external ?? (moto as RunningEmulator).endpoint;
    resources = await provision({ endpoint, region: REGION }, `skycast-faults-${randomUUID().slice(0, 8)}`, {
      queues: [definitionOf(queues, 'transcode-submissions')],
      eventRules: [definitionOf(eventRules, 'transcode-job-state')],
    });
    bus = createEventPublisher({ endpoint, region: REGION });
    mediaConvert = await startMediaConvertEmulator({
      s3: { endpoint, region: REGION },
      publish: async (event) => {
        published.push(event);
        await bus.publish(event);
      },
      concurrency: 2,
      statusUpdateSeconds: 0.5,
      faults: {
        jobFailureRate: 0.2,
        callFailureRate: 0.2,
        duplicateEventRate: 0.3,
        maxEventDelayMs: 3000,
        seed: 11,
      },
    });
    Object.assign(
      process.env,
      combinedFunctionEnvironment(
        REGION,
        { endpoint, services: { AWS_ENDPOINT_URL_MEDIACONVERT: mediaConvert.endpoint } },
        localDeploymentValues(resources),
      ),
      { POWERTOOLS_LOG_LEVEL: 'CRITICAL' },
    );
    const config = emulatorClientConfig({ endpoint, region: REGION });
    s3 = new S3Client({ ...config, forcePathStyle: true });
    sqs = new SQSClient(config);
    catalog = new DynamoVideoCatalog(documentClient(), resources.tableName);
    const [submissions] = resources.queues;
    assert.ok(submissions);
    // Shorter than a batch of Probe and CreateJob calls with retries: messages come back mid-processing.
    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: submissions.url, Attributes: { VisibilityTimeout: '3' } }),
    );
    // Two event source pollers on each queue, as Lambda runs concurrent invocations.
    const settings = {
      endpoint,
      region: REGION,
      application: resources.application,
      queues: resources.queues,
      eventRules: resources.eventRules,
      retryDelaysSeconds: [0.5, 1],
      onEvent: (_rule: unknown, report: { outcome: string; attempt: number; error?: unknown }) => {
        if (report.outcome !== 'succeeded')
          failedDeliveries.push(`event attempt ${report.attempt}: ${String(report.error)}`);
      },
      onBatch: (_queue: unknown, report: { messages: number; outcome: string; error?: unknown }) => {
        submitDeliveries += report.messages;
        if (report.outcome === 'failed') failedDeliveries.push(`batch: ${String(report.error)}`);
      },
      onError: (where: string, error: unknown) => failedDeliveries.push(`${where}: ${String(error)}`),
    };
    pollers = [await startPipelines(settings), await startPipelines(settings)];
  });

  after(async () => {
    await Promise.all(pollers.map((pipelines) => pipelines.stop()));
    await mediaConvert?.stop();
    bus?.destroy();
    s3?.destroy();
    sqs?.destroy();
    await moto?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /** A video in the catalog and its original in the uploads bucket, as completeUpload leaves them. */
  async function upload(file: Buffer, index: number): Promise<StoredVideo> {
    const ownerId = `owner-${index % 7}`;
    const videoId = randomUUID();
    const fileName = `clip-${index}.mp4`;
    const key = uploadKey(ownerId, videoId, fileName);
    const now = new Date().toISOString();
    const video: StoredVideo = {
      videoId,
      ownerId,
      title: fileName,
      visibility: 'private',
      status: 'UPLOADED',
      source: { kind: 'upload', fileName, size: file.length, contentType: 'video/mp4' },
      sourceKey: key,
      createdAt: now,
      updatedAt: now,
    };
    await catalog.create(video);
    const bucket = resources.bucketNames.uploads;
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: file }));
    if (index % 4 === 0) {
      // S3 delivers at least once: the same ObjectCreated event a second time.
      const event = JSON.parse(
        readFileSync(new URL('../../fixtures/events/s3-object-created.json', import.meta.url), 'utf8'),
      );
      event.Records[0].s3.bucket.name = bucket;
      event.Records[0].s3.object.key = encodeURIComponent(key).replace(/%2F/g, '/');
      event.Records[0].s3.object.size = file.length;
      event.Records[0].s3.object.eTag = (put.ETag ?? '').replace(/"/g, '');
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: resources.queues[0]?.url,
          MessageBody: JSON.stringify(event),
        }),
      );
    }
    return video;
  }

  async function allJobs(): Promise<Job[]> {
    const client = new MediaConvertClient(
      emulatorClientConfig({ endpoint: mediaConvert.endpoint, region: REGION }),
    );
    const jobs: Job[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await client.send(
          new ListJobsCommand({ MaxResults: 20, ...(token ? { NextToken: token } : {}) }),
        );
        jobs.push(...(page.Jobs ?? []));
        token = page.NextToken;
      } while (token);
    } finally {
      client.destroy();
    }
    return jobs;
  }

  it('ends every one of 50 uploads READY or FAILED with a reason: none stuck, lost or transcoded twice', async (t) => {
    const path = join(work, 'tiny.mp4');
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '1'],
      ...['-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', path],
    ]);
    const file = readFileSync(path);

    const videos: StoredVideo[] = [];
    for (let i = 0; i < UPLOADS; i++) videos.push(await upload(file, i));

    let latest: (StoredVideo | undefined)[] = [];
    const final = await eventually(
      'every video READY or FAILED',
      async () => {
        latest = await Promise.all(videos.map((video) => catalog.get(video.videoId)));
        const done = latest.filter((video) => video?.status === 'READY' || video?.status === 'FAILED');
        return done.length === UPLOADS ? (latest as StoredVideo[]) : undefined;
      },
      Number(process.env.FAULTS_DEADLINE_MS ?? 240_000),
    ).catch(async (error: unknown) => {
      // What was stuck where, for whoever reads the failure.
      const jobs = await allJobs();
      const stuck = latest.filter((video) => video?.status !== 'READY' && video?.status !== 'FAILED');
      const described = stuck.map((video) => {
        const job = jobs.find((j) => j.UserMetadata?.videoId === video?.videoId);
        return `${video?.videoId} ${video?.status} job=${video?.jobId ?? '-'} emulator=${job?.Id ?? '-'}:${job?.Status ?? '-'}`;
      });
      throw new Error(
        `${stuck.length} video(s) stuck:\n${described.join('\n')}\nfailed deliveries:\n${[...new Set(failedDeliveries)].slice(0, 20).join('\n')}`,
        { cause: error },
      );
    });

    // Every failure says why, in words a person can act on.
    for (const video of final.filter((v) => v.status === 'FAILED')) {
      assert.ok(video.failure?.code, `${video.videoId} failed without a code`);
      assert.ok((video.failure?.message.length ?? 0) > 20, `${video.videoId}: "${video.failure?.message}"`);
    }
    // One job per video, and each video's outcome is its job's.
    const jobs = await allJobs();
    for (const video of final) {
      const own = jobs.filter((job) => job.UserMetadata?.videoId === video.videoId);
      assert.ok(own.length <= 1, `${video.videoId} has ${own.length} jobs`);
      const job = own[0];
      if (video.status === 'READY') {
        assert.equal(job?.Status, 'COMPLETE', `${video.videoId} is READY but its job is ${job?.Status}`);
        assert.equal(video.jobId, job?.Id);
        assert.ok(video.renditions?.length, `${video.videoId} is READY without renditions`);
      } else if (job) {
        assert.notEqual(job.Status, 'COMPLETE', `${video.videoId} is FAILED though its job completed`);
        // An injected failure is the service's, not the file's: the reason must not send the uploader
        // looking for damage in their file.
        assert.doesNotMatch(video.failure?.message ?? '', /could not read this video/, video.videoId);
      }
    }
    // Nothing left behind on a dead-letter queue or a rule's failure queue.
    for (const queue of [
      ...resources.queues.map((q) => q.deadLetter),
      ...resources.eventRules.map((r) => r.failed),
    ]) {
      const depth = await queueDepth(sqs, queue.url);
      assert.deepEqual(depth, { visible: 0, inFlight: 0 }, `messages left on ${queue.name}`);
    }
    t.diagnostic(
      `${final.filter((v) => v.status === 'READY').length} READY, ${final.filter((v) => v.status === 'FAILED').length} FAILED; ` +
        `${submitDeliveries} deliveries of ${UPLOADS + Math.ceil(UPLOADS / 4)} upload messages; ${published.length} job events published`,
    );
    // The faults really happened: failed jobs, doubled events, events out of order.
    const statuses = (jobId: string) =>
      published.filter((event) => event.detail.jobId === jobId).map((event) => event.detail.status);
    const sequences = jobs.map((job) => statuses(job.Id as string));
    assert.ok(
      jobs.some((job) => job.Status === 'ERROR'),
      'some jobs failed',
    );
    assert.ok(
      final.some((video) => video.status === 'READY'),
      'some videos became READY',
    );
    assert.ok(
      sequences.some(
        (list) => list.filter((status) => status === 'COMPLETE' || status === 'ERROR').length > 1,
      ),
      'some final events came twice',
    );
    assert.ok(
      sequences.some((list) => list.indexOf('PROGRESSING') > list.findIndex((s) => s !== 'PROGRESSING')),
      'some events came out of order',
    );
  });
});
