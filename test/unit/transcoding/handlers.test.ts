/**
 * The transcoding handlers' edges: the submit function reads a batch of SQS messages record by record (a bad
 * one fails alone), and the job-state function refuses a malformed MediaConvert event by name. The catalog is
 * the in-memory one; the transcoder and the uploads bucket are small doubles of their ports.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, before, beforeEach, describe, it } from 'node:test';
import type { CreateJobRequest } from '@aws-sdk/client-mediaconvert';
import { uploadKey } from '#contract/media-layout.ts';
import type { StoredVideo } from '../../../lambdas/catalog/video-catalog.ts';
import type { JobEventDeps } from '../../../lambdas/transcoding/job-events.ts';
import type { SourceStore, Transcoder } from '../../../lambdas/transcoding/ports.ts';
import type { SubmitDeps } from '../../../lambdas/transcoding/submit-upload.ts';
import { InMemoryVideoCatalog } from '../catalog/in-memory.ts';

// Handler modules read their configuration at import, as at Lambda init.
Object.assign(process.env, {
  AWS_REGION: 'us-east-1',
  CATALOG_TABLE_NAME: 'unit',
  MEDIA_BUCKET_NAME: 'media',
  MEDIACONVERT_ROLE_ARN: 'arn:aws:iam::123456789012:role/unit',
  APPLICATION_NAME: 'skycast-test',
});

const text = (name: string) =>
  readFileSync(new URL(`../../fixtures/events/${name}`, import.meta.url), 'utf8');
const fixture = (name: string) => JSON.parse(text(name));

/** The first bytes of an MP4 file: enough for the sniffer. */
const MP4_HEAD = new Uint8Array([0, 0, 0, 0x18, ...Buffer.from('ftypisom'), 0, 0, 2, 0, ...Buffer.alloc(64)]);

/** Every line the logger writes (errors go to stderr, the rest to stdout), in order. */
function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      return true;
    }) as typeof stream.write;
  }
  return {
    lines,
    restore: () =>
      streams.forEach((stream, i) => {
        stream.write = writes[i] as typeof stream.write;
      }),
  };
}

describe('submit handler', () => {
  let handler: (event: unknown) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
  let catalog: InMemoryVideoCatalog;
  let jobs: CreateJobRequest[];
  let logs: ReturnType<typeof captureLogs>;
  /** The transcoding service refuses every job (throttled, say). */
  let unavailable = false;

  before(async () => {
    const { createHandler } = await import('../../../lambdas/transcoding/submit.ts');
    const sources: SourceStore = { readFirstBytes: async () => MP4_HEAD };
    const transcoder: Transcoder = {
      probe: async () => ({
        ok: true,
        media: { video: { width: 640, height: 360, rotation: 0 }, hasAudio: true },
      }),
      submit: async (request) => {
        if (unavailable)
          throw Object.assign(new Error('Too many requests'), { name: 'TooManyRequestsException' });
        return `job-${jobs.push(request)}`;
      },
    };
    handler = (event) =>
      createHandler({
        catalog,
        sources,
        transcoder,
        settings: { application: 'skycast-test', mediaBucket: 'media', roleArn: 'arn:aws:iam::1:role/r' },
      } satisfies SubmitDeps)(event);
  });
  beforeEach(() => {
    catalog = new InMemoryVideoCatalog();
    jobs = [];
    unavailable = false;
    logs = captureLogs();
  });
  afterEach(() => logs.restore());

  /** An uploaded video in the catalog and the S3 notification of its original, as a message body. */
  async function upload(videoId: string): Promise<string> {
    const key = uploadKey('owner', videoId, 'holiday.mp4');
    const video: StoredVideo = {
      videoId,
      ownerId: 'owner',
      title: 'holiday.mp4',
      visibility: 'public',
      status: 'UPLOADED',
      source: { kind: 'upload', fileName: 'holiday.mp4', size: 1024, contentType: 'video/mp4' },
      sourceKey: key,
      createdAt: '2026-11-21T10:00:00.000Z',
      updatedAt: '2026-11-21T10:00:00.000Z',
    };
    await catalog.create(video);
    return notificationOf(key);
  }

  function notificationOf(key: string): string {
    const event = fixture('s3-object-created.json');
    event.Records[0].s3.object.key = key;
    return JSON.stringify(event);
  }

  /** The SQS event Lambda documents, one record per body, with message ids `m1`, `m2`, … */
  function batch(...bodies: string[]) {
    const [template] = fixture('sqs-s3-object-created.json').Records;
    return { Records: bodies.map((body, i) => ({ ...template, messageId: `m${i + 1}`, body })) };
  }

  it('retries an upload whose transcode cannot start, and fails the video with a reason on the last delivery', async () => {
    const body = await upload('video-c');
    unavailable = true;
    const delivered = (count: number) => {
      const event = batch(body);
      for (const record of event.Records)
        record.attributes = { ...record.attributes, ApproximateReceiveCount: String(count) };
      return event;
    };

    const early = await handler(delivered(1));
    const afterEarly = await catalog.get('video-c');
    const last = await handler(delivered(3));

    assert.deepEqual(early.batchItemFailures, [{ itemIdentifier: 'm1' }]);
    assert.equal(afterEarly?.status, 'UPLOADED');
    assert.deepEqual(last.batchItemFailures, []);
    const failed = await catalog.get('video-c');
    assert.equal(failed?.status, 'FAILED');
    assert.equal(failed?.failure?.code, 'TRANSCODE_NOT_STARTED');
    assert.match(failed?.failure?.message ?? '', /Upload the file again/);
  });

  it('fails exactly the malformed messages of a batch and submits the others', async () => {
    const first = await upload('video-a');
    const second = await upload('video-b');

    const response = await handler(
      batch(first, 'not json', text('s3-test-event.json'), '{"hello":"world"}', second),
    );

    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm4' }]);
    assert.equal((await catalog.get('video-a'))?.status, 'PROCESSING');
    assert.equal((await catalog.get('video-b'))?.status, 'PROCESSING');
    assert.deepEqual(
      jobs.map((job) => job.UserMetadata?.videoId),
      ['video-a', 'video-b'],
    );
    const errors = logs.lines.filter((line) => line.level === 'ERROR');
    assert.deepEqual(
      errors.map((line) => line.messageId),
      ['m2', 'm4'],
    );
    const [notJson, notS3] = errors.map((line) => (line.error as { message: string }).message);
    assert.match(notJson ?? '', /^This is not JSON: /);
    assert.equal(
      notS3,
      'This is not an S3 event notification: Records: Invalid input: expected array, received undefined',
    );
  });

  it('acknowledges, with a warning, an object outside the uploads layout: no retry can make it an upload', async () => {
    const response = await handler(batch(notificationOf('uploads/notes.txt')));

    assert.deepEqual(response.batchItemFailures, []);
    assert.deepEqual(jobs, []);
    const warning = logs.lines.find((line) => line.level === 'WARN');
    assert.equal(warning?.messageId, 'm1');
    assert.equal(warning?.key, 'uploads/notes.txt');
  });

  it('fails a notification one of whose records is malformed, naming the field', async () => {
    const event = fixture('s3-object-created.json');
    event.Records[0].s3.object.size = 'big';

    const response = await handler(batch(JSON.stringify(event)));

    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: 'm1' }]);
    const error = logs.lines.find((line) => line.level === 'ERROR')?.error as { message: string };
    assert.match(error.message, /Records\.0\.s3\.object\.size: Invalid input: expected number/);
  });
});

describe('job-state handler', () => {
  let handler: (event: unknown) => Promise<void>;
  let catalog: InMemoryVideoCatalog;
  let logs: ReturnType<typeof captureLogs>;

  before(async () => {
    const { createHandler } = await import('../../../lambdas/transcoding/job-state.ts');
    handler = (event) =>
      createHandler({
        catalog,
        media: { readText: async () => '#EXTM3U' },
        files: { deleteMedia: async () => 0 },
      } satisfies JobEventDeps)(event);
  });
  beforeEach(() => {
    catalog = new InMemoryVideoCatalog();
    logs = captureLogs();
  });
  afterEach(() => logs.restore());

  it('applies a well-formed event', async () => {
    const event = fixture('mediaconvert-job-status-update.json');
    await catalog.create({
      videoId: event.detail.userMetadata.videoId,
      ownerId: 'owner',
      title: 't',
      visibility: 'public',
      status: 'UPLOADED',
      source: { kind: 'upload', fileName: 'v.mp4', size: 1, contentType: 'video/mp4' },
      createdAt: '2026-11-21T10:00:00.000Z',
      updatedAt: '2026-11-21T10:00:00.000Z',
    });

    await handler(event);

    assert.equal((await catalog.get(event.detail.userMetadata.videoId))?.progress, 45);
  });

  it('refuses a malformed event with an error naming what is wrong, and logs it by its id', async () => {
    const event = fixture('mediaconvert-job-complete.json');
    delete event.detail.outputGroupDetails;
    event.detail.jobId = 42;

    await assert.rejects(handler(event), {
      name: 'MalformedEventError',
      message:
        'This is not a MediaConvert Job State Change event: detail.jobId: Invalid input: expected string, ' +
        'received number; detail.outputGroupDetails: Invalid input: expected array, received undefined',
    });
    const logged = logs.lines.find((line) => line.level === 'ERROR');
    assert.equal(logged?.eventId, event.id);
    assert.equal(logged?.detailType, 'MediaConvert Job State Change');
    assert.deepEqual([...catalog.items.keys()], []);
  });
});
