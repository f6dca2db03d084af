import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  BadRequestException,
  CancelJobCommand,
  ConflictException,
  CreateJobCommand,
  type CreateJobRequest,
  GetJobCommand,
  ListJobsCommand,
  MediaConvertClient,
  NotFoundException,
  ProbeCommand,
} from '@aws-sdk/client-mediaconvert';
import { buildTranscodeJob } from '../../../lambdas/transcoding/job.ts';
import { buildLadder } from '../../../lambdas/transcoding/ladder.ts';
import { startMediaConvertEmulator } from '../../../local/mediaconvert/index.ts';
import { emulatorClientConfig } from '../../../local/provision.ts';
import { type Harness, startHarness } from './harness.ts';
import { makeSources, type Sources } from './media.ts';

const ROLE = 'arn:aws:iam::123456789012:role/skycast-it-mediaconvert';
const run = promisify(execFile);

/** ffmpeg processes this test process started (the emulator runs in it). */
function ffmpegChildren(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return parent === process.pid && stat.includes('(ffmpeg)');
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('MediaConvert emulator: the API as the SDK sees it', () => {
  let harness: Harness;
  let sources: Pick<Sources, 'landscape' | 'rotated' | 'silent' | 'audioOnly' | 'notVideo'>;
  let dir: string;
  let long: string;

  before(async () => {
    dir = await mkdtemp(join(os.tmpdir(), 'skycast-mc-api-'));
    [harness, sources] = await Promise.all([
      startHarness({ concurrency: 1 }),
      makeSources(dir, ['landscape', 'rotated', 'silent', 'audioOnly', 'notVideo']),
    ]);
    long = join(dir, 'long.mp4');
    await run('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=30:duration=30'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', long],
    ]);
  });
  after(async () => {
    await harness?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** The job the submit function would make for a video without sound of this size. */
  const jobFor = (
    source: string,
    videoId: string = randomUUID(),
    width = 640,
    height = 360,
  ): CreateJobRequest =>
    buildTranscodeJob({
      application: 'skycast-it',
      videoId,
      ownerId: 'u-1',
      source,
      mediaBucket: harness.mediaBucket,
      roleArn: ROLE,
      ladder: buildLadder({ video: { width, height, rotation: 0 }, hasAudio: false }),
    });

  describe('Probe', () => {
    it('describes the container and each track as MediaConvert does', async () => {
      const source = await harness.upload(sources.landscape, `probe/${randomUUID()}.mp4`);

      const { ProbeResults } = await harness.mediaConvert.send(
        new ProbeCommand({ InputFiles: [{ FileUrl: source }] }),
      );

      const result = ProbeResults?.[0];
      assert.equal(result?.Container?.Format, 'mp4');
      assert.ok(Math.abs((result?.Container?.Duration ?? 0) - 8) < 0.1);
      const [video, audio] = result?.Container?.Tracks ?? [];
      assert.equal(video?.TrackType, 'video');
      assert.equal(video?.Codec, 'AVC');
      assert.equal(video?.VideoProperties?.Width, 1280);
      assert.equal(video?.VideoProperties?.Height, 720);
      assert.deepEqual(video?.VideoProperties?.FrameRate, { Numerator: 30, Denominator: 1 });
      assert.equal(video?.VideoProperties?.Rotation, undefined, 'no rotation is null, not 0');
      assert.ok((video?.VideoProperties?.BitRate ?? 0) > 0);
      assert.equal(audio?.TrackType, 'audio');
      assert.equal(audio?.Codec, 'AAC');
      assert.deepEqual([audio?.AudioProperties?.Channels, audio?.AudioProperties?.SampleRate], [1, 48000]);
      assert.deepEqual(result?.TrackMappings, [
        { VideoTrackIndexes: [1], AudioTrackIndexes: [2], DataTrackIndexes: [] },
      ]);
      assert.ok((result?.Metadata?.FileSize ?? 0) > 0);
      assert.ok(result?.Metadata?.ETag);
    });

    it('reports a phone video’s rotation clockwise, with the frame size as coded', async () => {
      const source = await harness.upload(sources.rotated, `probe/${randomUUID()}.mp4`);

      const { ProbeResults } = await harness.mediaConvert.send(
        new ProbeCommand({ InputFiles: [{ FileUrl: source }] }),
      );

      const video = ProbeResults?.[0]?.Container?.Tracks?.find((track) => track.TrackType === 'video');
      assert.deepEqual(
        [video?.VideoProperties?.Width, video?.VideoProperties?.Height, video?.VideoProperties?.Rotation],
        [640, 360, 90],
      );
    });

    it('finds only audio in an audio-only file', async () => {
      const source = await harness.upload(sources.audioOnly, `probe/${randomUUID()}.m4a`);

      const { ProbeResults } = await harness.mediaConvert.send(
        new ProbeCommand({ InputFiles: [{ FileUrl: source }] }),
      );

      assert.deepEqual(
        ProbeResults?.[0]?.Container?.Tracks?.map((track) => track.TrackType),
        ['audio'],
      );
    });

    it('refuses what is not media with a BadRequestException', async () => {
      const source = await harness.upload(sources.notVideo, `probe/${randomUUID()}.mp4`);

      await assert.rejects(
        harness.mediaConvert.send(new ProbeCommand({ InputFiles: [{ FileUrl: source }] })),
        (error: unknown) =>
          error instanceof BadRequestException && /No parser found for container/.test(error.message),
      );
    });
  });

  describe('CreateJob', () => {
    it('returns the same job for the same ClientRequestToken, and refuses the token for other settings', async () => {
      const source = await harness.upload(sources.silent, `jobs/${randomUUID()}.mp4`);
      const request = { ...jobFor(source), ClientRequestToken: randomUUID() };

      const first = await harness.mediaConvert.send(new CreateJobCommand(request));
      const again = await harness.mediaConvert.send(new CreateJobCommand(request));
      const other = harness.mediaConvert.send(
        new CreateJobCommand({ ...request, UserMetadata: { ...request.UserMetadata, videoId: 'another' } }),
      );

      assert.ok(first.Job?.Id);
      assert.equal(again.Job?.Id, first.Job.Id);
      assert.equal(first.Job.ClientRequestToken, request.ClientRequestToken);
      await assert.rejects(other, ConflictException);
      const { Jobs } = await harness.mediaConvert.send(new ListJobsCommand({}));
      assert.equal(Jobs?.filter((job) => job.ClientRequestToken === request.ClientRequestToken).length, 1);
      await harness.waitForEnd(first.Job.Id);
    });

    it('makes two jobs of two calls without a token (the SDK gives each its own)', async () => {
      const source = await harness.upload(sources.silent, `jobs/${randomUUID()}.mp4`);
      const request = jobFor(source);

      const first = await harness.mediaConvert.send(new CreateJobCommand(request));
      const second = await harness.mediaConvert.send(new CreateJobCommand(request));

      assert.notEqual(first.Job?.Id, second.Job?.Id);
      assert.match(first.Job?.Id ?? '', /^\d{13}-[0-9a-z]{6}$/);
      assert.equal(first.Job?.Status, 'SUBMITTED');
      assert.ok(first.Job?.CreatedAt instanceof Date);
      await Promise.all([
        harness.waitForEnd(first.Job?.Id as string),
        harness.waitForEnd(second.Job?.Id as string),
      ]);
    });

    for (const [what, change, path] of [
      [
        'a single-file HLS output',
        (r: CreateJobRequest) => {
          const hls = r.Settings?.OutputGroups?.[0]?.OutputGroupSettings?.HlsGroupSettings;
          if (hls) hls.SegmentControl = 'SINGLE_FILE';
        },
        'Settings.OutputGroups[0].OutputGroupSettings.HlsGroupSettings.SegmentControl = "SINGLE_FILE"',
      ],
      [
        'input clipping',
        (r: CreateJobRequest) => {
          const input = r.Settings?.Inputs?.[0];
          if (input) input.InputClippings = [{ StartTimecode: '00:00:01:00' }];
        },
        'Settings.Inputs[0].InputClippings',
      ],
      [
        'an odd frame width',
        (r: CreateJobRequest) => {
          const video = r.Settings?.OutputGroups?.[0]?.Outputs?.[0]?.VideoDescription;
          if (video) video.Width = 1279;
        },
        'Settings.OutputGroups[0].Outputs[0].VideoDescription.Width = 1279',
      ],
      [
        'a second input',
        (r: CreateJobRequest) => {
          r.Settings?.Inputs?.push({ FileInput: 's3://elsewhere/b.mp4' });
        },
        'Settings.Inputs',
      ],
    ] as const) {
      it(`refuses ${what} with a BadRequestException naming the setting`, async () => {
        const request = jobFor(`s3://${harness.uploadsBucket}/jobs/any.mp4`);
        change(request);

        await assert.rejects(harness.mediaConvert.send(new CreateJobCommand(request)), (error: unknown) => {
          assert.ok(error instanceof BadRequestException, String(error));
          assert.equal(error.$metadata.httpStatusCode, 400);
          assert.ok(error.message.startsWith(path), error.message);
          return true;
        });
      });
    }

    it('speaks MediaConvert’s wire format: lowerCamelCase members, epoch-second timestamps, typed errors', async () => {
      const source = await harness.upload(sources.silent, `jobs/${randomUUID()}.mp4`);
      const { Job } = await harness.mediaConvert.send(new CreateJobCommand(jobFor(source)));

      const raw = await fetch(`${harness.emulator.endpoint}/2017-08-29/jobs/${Job?.Id}`);
      const body = (await raw.json()) as { job: Record<string, unknown> };
      const refused = await fetch(`${harness.emulator.endpoint}/2017-08-29/jobs`, {
        method: 'POST',
        body: JSON.stringify({ role: ROLE, settings: { inputs: [], mystery: 1 } }),
      });

      assert.equal(raw.status, 200);
      assert.equal(body.job.id, Job?.Id);
      assert.equal(typeof body.job.createdAt, 'number');
      const settings = body.job.settings as {
        outputGroups: { outputGroupSettings: { hlsGroupSettings: unknown } }[];
      };
      assert.ok(settings.outputGroups[0]?.outputGroupSettings.hlsGroupSettings);
      assert.equal(refused.status, 400);
      assert.equal(refused.headers.get('x-amzn-errortype'), 'BadRequestException');
      const error = (await refused.json()) as { message: string; __type: string };
      assert.equal(error.__type, 'BadRequestException');
      assert.match(error.message, /^\/settings\/mystery: /);
      await harness.waitForEnd(Job?.Id as string);
    });
  });

  describe('GetJob, ListJobs and CancelJob', () => {
    it('answers NotFoundException for a job that does not exist', async () => {
      await assert.rejects(
        harness.mediaConvert.send(new GetJobCommand({ Id: '1700000000000-abcdef' })),
        NotFoundException,
      );
    });

    it('cancels a waiting job and a running one, killing its ffmpeg, and writes nothing', async () => {
      const running = await harness.mediaConvert.send(
        new CreateJobCommand(
          jobFor(await harness.upload(long, `jobs/${randomUUID()}.mp4`), 'v-running', 1280, 720),
        ),
      );
      const waiting = await harness.mediaConvert.send(
        new CreateJobCommand(
          jobFor(await harness.upload(sources.silent, `jobs/${randomUUID()}.mp4`), 'v-waiting'),
        ),
      );
      const runningId = running.Job?.Id as string;
      const waitingId = waiting.Job?.Id as string;
      const deadline = Date.now() + 30_000;
      while (
        (await harness.mediaConvert.send(new GetJobCommand({ Id: runningId }))).Job?.CurrentPhase !==
        'TRANSCODING'
      ) {
        assert.ok(Date.now() < deadline, 'the long job reaches TRANSCODING');
        await new Promise((resolveDelay) => setTimeout(resolveDelay, 50));
      }
      assert.equal(
        (await harness.mediaConvert.send(new GetJobCommand({ Id: waitingId }))).Job?.Status,
        'SUBMITTED',
      );
      assert.equal(ffmpegChildren().length, 1, 'one ffmpeg for the running job, none for the waiting one');

      await harness.mediaConvert.send(new CancelJobCommand({ Id: waitingId }));
      await harness.mediaConvert.send(new CancelJobCommand({ Id: runningId }));

      assert.equal((await harness.waitForEnd(waitingId)).detail.status, 'CANCELED');
      assert.equal((await harness.waitForEnd(runningId)).detail.status, 'CANCELED');
      assert.deepEqual(
        harness.eventsOf(waitingId).map((e) => e.detail.status),
        ['CANCELED'],
      );
      assert.equal(
        (await harness.mediaConvert.send(new GetJobCommand({ Id: runningId }))).Job?.Status,
        'CANCELED',
      );
      assert.deepEqual(ffmpegChildren(), []);
      assert.deepEqual(await harness.listKeys(harness.mediaBucket, 'videos/v-running/'), []);
      await assert.rejects(
        harness.mediaConvert.send(new CancelJobCommand({ Id: runningId })),
        BadRequestException,
      );
    });

    it('stops: the running job’s ffmpeg is killed and its temporary files are gone', async () => {
      const region = harness.aws.resources.region;
      const workDir = join(dir, 'work');
      const second = await startMediaConvertEmulator({
        s3: { endpoint: harness.aws.endpoint, region },
        publish: async () => {},
        workDir,
      });
      const client = new MediaConvertClient(emulatorClientConfig({ endpoint: second.endpoint, region }));
      try {
        const source = await harness.upload(long, `jobs/${randomUUID()}.mp4`);
        const { Job } = await client.send(new CreateJobCommand(jobFor(source, 'v-stopped', 1280, 720)));
        const deadline = Date.now() + 30_000;
        while ((await client.send(new GetJobCommand({ Id: Job?.Id }))).Job?.CurrentPhase !== 'TRANSCODING') {
          assert.ok(Date.now() < deadline, 'the job reaches TRANSCODING');
          await new Promise((resolveDelay) => setTimeout(resolveDelay, 50));
        }
        assert.equal(ffmpegChildren().length, 1);
        assert.equal(readdirSync(workDir).length, 1, 'the emulator keeps its files in workDir');

        await second.stop();

        assert.deepEqual(ffmpegChildren(), []);
        assert.deepEqual(readdirSync(workDir), []);
      } finally {
        client.destroy();
        await second.stop();
      }
    });

    it('lists jobs newest first, filtered by status, a page at a time', async () => {
      const { Jobs: all } = await harness.mediaConvert.send(new ListJobsCommand({}));
      const { Jobs: page, NextToken } = await harness.mediaConvert.send(
        new ListJobsCommand({ MaxResults: 2 }),
      );
      const { Jobs: rest } = await harness.mediaConvert.send(
        new ListJobsCommand({ MaxResults: 20, NextToken }),
      );
      const { Jobs: canceled } = await harness.mediaConvert.send(new ListJobsCommand({ Status: 'CANCELED' }));

      assert.ok((all?.length ?? 0) >= 4);
      const created = (all ?? []).map((job) => job.CreatedAt?.getTime() ?? 0);
      assert.deepEqual(
        created,
        [...created].sort((a, b) => b - a),
      );
      assert.deepEqual(
        [...(page ?? []), ...(rest ?? [])].map((job) => job.Id),
        all?.map((job) => job.Id),
      );
      assert.deepEqual(
        canceled?.map((job) => job.Status),
        ['CANCELED', 'CANCELED'],
      );
    });

    it('is found through AWS_ENDPOINT_URL_MEDIACONVERT, as the handlers find it', async () => {
      process.env.AWS_ENDPOINT_URL_MEDIACONVERT = harness.emulator.endpoint;
      const client = new MediaConvertClient({
        region: harness.aws.resources.region,
        credentials: { accessKeyId: 'skycast-local', secretAccessKey: 'skycast-local' },
      });
      try {
        const { Jobs } = await client.send(new ListJobsCommand({}));
        assert.ok((Jobs?.length ?? 0) > 0);
      } finally {
        client.destroy();
        delete process.env.AWS_ENDPOINT_URL_MEDIACONVERT;
      }
    });
  });
});
