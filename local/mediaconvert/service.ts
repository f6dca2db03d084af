/**
 * The emulated service behind the HTTP API: jobs (create with idempotency tokens, get, list, cancel), their
 * lifecycle SUBMITTED → PROGRESSING → COMPLETE | ERROR | CANCELED with the events MediaConvert sends on the
 * way, and Probe.
 */
import { randomBytes } from 'node:crypto';
import type { CreateJobRequest, Job, JobStatus, ProbeResult } from '@aws-sdk/client-mediaconvert';
import type { EncoderOptions } from './encoder-settings.ts';
import { ApiError, JOB_ERROR, JobFailure } from './errors.ts';
import {
  type JobIdentity,
  type JobPhase,
  type JobProgress,
  type JobStateChangeEvent,
  jobStateChange,
} from './events.ts';
import { type FaultInjector, injectedCallError } from './faults.ts';
import { advanceProgress, initialProgress } from './job-progress.ts';
import { JobQueue } from './job-queue.ts';
import { type JobOptions, type JobSpec, parseS3Url, readCreateJob } from './job-spec.ts';
import { ProbeFailedError, probeMedia } from './media-info.ts';
import { probeResult } from './probe-result.ts';
import { runJob } from './run-job.ts';
import { ObjectNotFoundError, type ObjectStorage } from './storage.ts';

export interface ServiceOptions {
  storage: ObjectStorage;
  publish: (event: JobStateChangeEvent) => Promise<void>;
  accountId: string;
  region: string;
  concurrency: number;
  workDir: string;
  encoder: EncoderOptions;
  /** Overrides every job's StatusUpdateInterval (seconds). */
  statusUpdateSeconds?: number;
  /** Injected faults (failed jobs and calls, late, doubled and reordered events); none by default. */
  faults?: FaultInjector;
  /** Where the emulator serves S3 objects to ffprobe: `${base}/<token>`. */
  objectUrl: (token: string) => string;
  log: (message: string, error?: unknown) => void;
}

interface EmulatedJob {
  id: string;
  priority: number;
  sequence: number;
  record: Job;
  spec: JobSpec;
  options: JobOptions;
  identity: JobIdentity;
  /** The request minus its token, to tell a retry from a different request with the same token. */
  fingerprint: string;
  abort: AbortController;
  progress: JobProgress;
  framesDecoded: number;
  /** The last event handed to `publish`. */
  lastEvent: Promise<void>;
  /** What fault decisions about this job are keyed on: its token, or its settings. */
  faultKey: string;
  /** Events emitted so far. */
  eventCount: number;
}

/** A stable serialisation (sorted keys), so the same request always fingerprints the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return `{${Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** MediaConvert's job id shape: creation time in milliseconds, a dash, six base-36 characters. */
function newJobId(): string {
  const suffix = [...randomBytes(6)].map((byte) => (byte % 36).toString(36)).join('');
  return `${Date.now()}-${suffix}`;
}

export class MediaConvertService {
  private readonly jobs = new Map<string, EmulatedJob>();
  private readonly tokens = new Map<string, string>();
  private readonly queue: JobQueue<EmulatedJob>;
  private readonly publishing = new Set<Promise<void>>();
  private sequence = 0;
  private stopping = false;
  /** Aborts probes in flight when the emulator stops. */
  private readonly stopped = new AbortController();

  constructor(private readonly options: ServiceOptions) {
    this.queue = new JobQueue(options.concurrency, (job) => this.run(job));
  }

  get queueArn(): string {
    return `arn:aws:mediaconvert:${this.options.region}:${this.options.accountId}:queues/Default`;
  }

  createJob(request: CreateJobRequest): Job {
    const { spec, options } = readCreateJob(request);
    const { ClientRequestToken: token, ...rest } = request;
    const fingerprint = canonical(rest);
    const faultKey = token ?? fingerprint;
    const fault = this.options.faults?.failsCall('CreateJob', faultKey);
    if (fault && fault !== 'internal-after') throw injectedCallError(fault, 'CreateJob');
    const created = this.createOrFindJob(request, spec, options, fingerprint, faultKey);
    // The job exists, but the caller never hears so: only a retry with the same token finds it.
    if (fault === 'internal-after') throw injectedCallError(fault, 'CreateJob');
    return created;
  }

  private createOrFindJob(
    request: CreateJobRequest,
    spec: JobSpec,
    options: JobOptions,
    fingerprint: string,
    faultKey: string,
  ): Job {
    const token = request.ClientRequestToken;
    if (token) {
      const existing = this.jobs.get(this.tokens.get(token) ?? '');
      if (existing) {
        if (existing.fingerprint !== fingerprint) {
          throw new ApiError(
            'ConflictException',
            `ClientRequestToken ${token} was already used for job ${existing.id} with different settings.`,
          );
        }
        return existing.record;
      }
    }
    const id = newJobId();
    const arn = `arn:aws:mediaconvert:${this.options.region}:${this.options.accountId}:jobs/${id}`;
    const now = new Date();
    const record: Job = {
      Arn: arn,
      Id: id,
      CreatedAt: now,
      Role: options.role,
      Settings: request.Settings,
      Queue: this.queueArn,
      Status: 'SUBMITTED',
      Priority: options.priority,
      StatusUpdateInterval: request.StatusUpdateInterval ?? 'SECONDS_60',
      UserMetadata: options.userMetadata,
      ...(token ? { ClientRequestToken: token } : {}),
      AccelerationStatus: 'NOT_APPLICABLE',
      SimulateReservedQueue: 'DISABLED',
      RetryCount: 0,
      Messages: { Info: [], Warning: [] },
      Timing: { SubmitTime: now },
    };
    const job: EmulatedJob = {
      id,
      priority: options.priority,
      sequence: this.sequence++,
      record,
      spec,
      options,
      identity: {
        id,
        arn,
        queueArn: this.queueArn,
        accountId: this.options.accountId,
        region: this.options.region,
        userMetadata: options.userMetadata,
      },
      fingerprint,
      abort: new AbortController(),
      progress: initialProgress(),
      framesDecoded: 0,
      lastEvent: Promise.resolve(),
      faultKey,
      eventCount: 0,
    };
    this.jobs.set(id, job);
    if (token) this.tokens.set(token, id);
    // The answer shows the job as submitted, even if the queue starts it at once.
    const submitted = structuredClone(record);
    this.queue.enqueue(job);
    return submitted;
  }

  getJob(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) throw new ApiError('NotFoundException', `The job ${id} does not exist.`);
    return job.record;
  }

  listJobs(query: {
    maxResults?: number;
    nextToken?: string;
    order?: string;
    status?: string;
    queue?: string;
  }) {
    if (query.queue && query.queue !== 'Default' && query.queue !== this.queueArn) {
      throw new ApiError('NotFoundException', `The queue ${query.queue} does not exist.`);
    }
    const max = Math.min(20, Math.max(1, query.maxResults ?? 20));
    const start = query.nextToken ? Number(Buffer.from(query.nextToken, 'base64url').toString()) : 0;
    if (!Number.isInteger(start) || start < 0)
      throw new ApiError('BadRequestException', 'Invalid nextToken.');
    const all = [...this.jobs.values()]
      .filter((job) => !query.status || job.record.Status === query.status)
      .sort((a, b) => (query.order === 'ASCENDING' ? a.sequence - b.sequence : b.sequence - a.sequence))
      .map((job) => job.record);
    const page = all.slice(start, start + max);
    const next =
      start + max < all.length ? Buffer.from(String(start + max)).toString('base64url') : undefined;
    return { Jobs: page, ...(next ? { NextToken: next } : {}) };
  }

  cancelJob(id: string): void {
    const job = this.jobs.get(id);
    if (!job) throw new ApiError('NotFoundException', `The job ${id} does not exist.`);
    const status = job.record.Status;
    if (status !== 'SUBMITTED' && status !== 'PROGRESSING') {
      throw new ApiError('BadRequestException', `The job ${id} is ${status} and can no longer be canceled.`);
    }
    if (this.queue.remove(id)) {
      this.finish(job, 'CANCELED');
      this.emit(job, 'CANCELED');
    } else {
      // The runner sees the abort, kills ffmpeg and reports CANCELED.
      job.abort.abort();
    }
  }

  /** MediaConvert's Probe: ffprobe reads the object through the emulator's range server, not a full copy. */
  async probe(
    fileUrls: string[],
    serveObjects: Map<string, { bucket: string; key: string }>,
  ): Promise<ProbeResult[]> {
    const fault = this.options.faults?.failsCall('Probe', fileUrls.join(' '));
    if (fault) throw injectedCallError(fault, 'Probe');
    const results: ProbeResult[] = [];
    for (const [i, url] of fileUrls.entries()) {
      const location = parseS3Url(url, `InputFiles[${i}].FileUrl`);
      let metadata: Awaited<ReturnType<ObjectStorage['head']>>;
      try {
        metadata = await this.options.storage.head(location);
      } catch (error) {
        if (error instanceof ObjectNotFoundError) {
          throw new ApiError(
            'BadRequestException',
            `Unable to open input file [${url}]: [Failed probe/open: [Can't read input stream: [Failed to read data: HeadObject failed]]]`,
          );
        }
        throw error;
      }
      const token = randomBytes(16).toString('hex');
      serveObjects.set(token, location);
      try {
        const info = await probeMedia(this.options.objectUrl(token), { signal: this.stopped.signal });
        results.push(probeResult(info, metadata));
      } catch (error) {
        if (error instanceof ProbeFailedError) {
          const reason = /moov atom not found/i.test(error.stderr)
            ? 'no moov box found in file'
            : 'No parser found for container';
          throw new ApiError(
            'BadRequestException',
            `Unable to open input file [${url}]: [Failed probe/open: [${reason}]]`,
          );
        }
        throw error;
      } finally {
        serveObjects.delete(token);
      }
    }
    return results;
  }

  private emit(
    job: EmulatedJob,
    status: JobStateChangeEvent['detail']['status'],
    extra: Partial<JobStateChangeEvent['detail']> = {},
  ): void {
    if (this.stopping) return;
    const event = jobStateChange(job.identity, status, extra);
    const index = job.eventCount++;
    const faults = this.options.faults;
    if (faults) {
      // Injected: each copy leaves after its own delay, whatever the order of the events.
      for (const delay of faults.eventDelays(job.faultKey, index)) {
        const delivery = new Promise<void>((resolveDelay) => setTimeout(resolveDelay, delay))
          .then(() => this.options.publish(structuredClone(event)))
          .catch((error: unknown) =>
            this.options.log(`Could not publish the ${status} event of job ${job.id}`, error),
          );
        this.publishing.add(delivery);
        void delivery.finally(() => this.publishing.delete(delivery));
      }
      return;
    }
    // Events of one job leave in order: each waits for the one before it.
    const delivery = job.lastEvent
      .then(() => this.options.publish(event))
      .catch((error: unknown) =>
        this.options.log(`Could not publish the ${status} event of job ${job.id}`, error),
      );
    job.lastEvent = delivery;
    this.publishing.add(delivery);
    void delivery.finally(() => this.publishing.delete(delivery));
  }

  private finish(job: EmulatedJob, status: JobStatus, failure?: { code: number; message: string }): void {
    job.record.Status = status;
    job.record.Timing = { ...job.record.Timing, FinishTime: new Date() };
    if (failure) {
      job.record.ErrorCode = failure.code;
      job.record.ErrorMessage = failure.message;
    }
    if (status !== 'PROGRESSING') {
      delete job.record.CurrentPhase;
    }
  }

  private report(job: EmulatedJob, phase: JobPhase, percent: number, frames?: number): void {
    const progress = job.progress;
    advanceProgress(progress, phase, percent);
    if (frames !== undefined) job.framesDecoded = frames;
    job.record.CurrentPhase = phase;
    job.record.JobPercentComplete = progress.jobPercentComplete;
  }

  private statusUpdate(job: EmulatedJob): void {
    this.emit(job, 'STATUS_UPDATE', {
      framesDecoded: job.framesDecoded,
      jobProgress: structuredClone(job.progress),
    });
  }

  private async run(job: EmulatedJob): Promise<void> {
    if (job.abort.signal.aborted) return;
    job.record.Status = 'PROGRESSING';
    job.record.Timing = { ...job.record.Timing, StartTime: new Date() };
    this.report(job, 'PROBING', 0);
    this.emit(job, 'PROGRESSING');
    const seconds = this.options.statusUpdateSeconds ?? job.options.statusUpdateSeconds;
    const timer = setInterval(() => this.statusUpdate(job), seconds * 1000);
    try {
      if (this.options.faults?.failsJob(job.faultKey)) {
        throw new JobFailure(
          JOB_ERROR.UNEXPECTED,
          'An injected fault ended this job (the local MediaConvert runs with faults turned on).',
        );
      }
      const outcome = await runJob(job.id, job.spec, {
        storage: this.options.storage,
        workDir: this.options.workDir,
        encoder: this.options.encoder,
        signal: job.abort.signal,
        report: { phase: (phase, percent, frames) => this.report(job, phase, percent, frames) },
      });
      clearInterval(timer);
      this.report(job, 'UPLOADING', 100);
      job.record.JobPercentComplete = 100;
      job.record.OutputGroupDetails = outcome.outputGroupDetails.map((group) => ({
        OutputDetails: group.outputDetails.map((output) => ({
          DurationInMs: output.durationInMs,
          ...(output.videoDetails
            ? {
                VideoDetails: {
                  WidthInPx: output.videoDetails.widthInPx,
                  HeightInPx: output.videoDetails.heightInPx,
                },
              }
            : {}),
        })),
      }));
      this.finish(job, 'COMPLETE');
      this.emit(job, 'COMPLETE', { outputGroupDetails: outcome.outputGroupDetails });
    } catch (error) {
      clearInterval(timer);
      if (job.abort.signal.aborted) {
        this.finish(job, 'CANCELED');
        this.emit(job, 'CANCELED');
        return;
      }
      const failure =
        error instanceof JobFailure
          ? { code: error.code, message: error.message }
          : {
              code: JOB_ERROR.UNEXPECTED,
              message: `Job failed with unexpected error: ${error instanceof Error ? error.message : String(error)}`,
            };
      if (!(error instanceof JobFailure)) this.options.log(`Job ${job.id} failed unexpectedly`, error);
      this.finish(job, 'ERROR', failure);
      this.emit(job, 'ERROR', { errorCode: failure.code, errorMessage: failure.message });
    }
  }

  /** Kills running jobs, starts no more, and waits for events already on their way. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped.abort();
    for (const job of this.jobs.values()) job.abort.abort();
    await this.queue.stop();
    await Promise.all(this.publishing);
  }
}
