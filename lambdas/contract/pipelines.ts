/**
 * The asynchronous wiring, as data: which queue feeds which function with which batching and retries, and
 * which event rule invokes which function. The CDK app builds SQS queues, dead-letter queues, S3
 * notifications, event source mappings and EventBridge rules from these tables; the local platform builds the
 * same queues and rules in its emulators and runs pollers and routers with the same settings.
 */

import { UPLOADS_PREFIX } from '#contract/media-layout.ts';
import type { FunctionAccess } from './access.ts';
import { PUT_METADATA_LIMITS } from './interactivity.ts';
import type { BucketRole } from './resources.ts';

/** An SQS queue in front of a function, with a dead-letter queue behind it. */
export interface QueueDefinition {
  /** Stable id, used in construct ids and local queue names. */
  id: string;
  description: string;
  /** Handler module, relative to the repository root; it exports `handler` taking an SQS event. */
  entry: string;
  /** Messages per invocation. */
  batchSize: number;
  /** How long a batch may wait to fill up, in seconds (0 = invoke at once). */
  maxBatchingWindowSeconds: number;
  /** The function's timeout; the queue's visibility timeout is derived from it (see below). */
  functionTimeoutSeconds: number;
  /**
   * The most invocations Lambda runs at once for this queue (the event source's maximum concurrency, 2–1000);
   * the rest of a burst waits on the queue instead of being throttled into retries. The local poller hands over
   * one batch at a time, within any cap.
   */
  maxConcurrency: number;
  /** Deliveries before a message moves to the dead-letter queue. */
  maxReceiveCount: number;
  /** S3 notifications that feed the queue. */
  s3Source?: { bucket: BucketRole; prefix: string; events: readonly string[] };
  access: FunctionAccess;
}

/** An EventBridge rule that invokes a function. */
export interface EventRuleDefinition {
  id: string;
  description: string;
  entry: string;
  /** The event pattern, given the application's name (events carry it so one account can hold many stages). */
  pattern: (application: string) => Record<string, unknown>;
  functionTimeoutSeconds: number;
  access: FunctionAccess;
}

/**
 * A function that one-time EventBridge Scheduler schedules invoke (`at(...)` expressions), created at run time by
 * the functions whose access names it in `schedules`. The CDK app builds the function, the schedule group and the
 * role Scheduler invokes it with; the local platform fires due schedules itself, as Scheduler does.
 */
export interface ScheduledTargetDefinition {
  id: string;
  description: string;
  entry: string;
  functionTimeoutSeconds: number;
  access: FunctionAccess;
}

/** SQS keeps a message at most 14 days; a dead letter should wait that long for someone to look at it. */
export const DEAD_LETTER_RETENTION_DAYS = 14;

/**
 * AWS's guidance: a queue's visibility timeout should be at least six times the function timeout (plus the
 * batching window), so a message is not handed out again while a throttled or retried invocation still holds it.
 */
export function visibilityTimeoutSeconds(queue: QueueDefinition): number {
  return 6 * queue.functionTimeoutSeconds + queue.maxBatchingWindowSeconds;
}

/**
 * Reactions reach viewers through IVS PutMetadata, which takes at most 5 calls per second per channel and 155
 * per account. The reactions of every viewer therefore meet in one queue, and its function turns each batch into
 * at most one PutMetadata call per channel (the batch's counts added up). The numbers, derived:
 * - Lambda runs at most `maxConcurrency` = 2 batches at once (the smallest cap SQS event sources allow);
 * - an invocation makes at most one call per channel and returns no sooner than `callSpacingSeconds` (0.6 s)
 *   after it, so one of the two slots calls a channel at most once per 0.6 s: at most 2 calls in any second,
 *   and the two slots at most 4 ≤ 5 per channel per second, whatever the audience;
 * - the account-wide 155/s: an invocation spaces its calls to different channels at least 1/77 s apart, so the
 *   two slots make at most 2 × 77 = 154 calls per second;
 * - a batch waits at most `maxBatchingWindowSeconds` = 1 s to fill (Lambda's smallest window once a batch may
 *   hold more than 10 messages) and holds up to 10,000 reactions (about 2 MB, inside the 6 MB invocation payload),
 *   so 2 slots move at least 2 × 10,000 / 1.6 s ≈ 12,500 reactions per second.
 */
export const REACTION_BROADCAST = {
  maxConcurrency: 2,
  callSpacingSeconds: 0.6,
  accountCallsPerSecondPerSlot: Math.floor(PUT_METADATA_LIMITS.callsPerSecondPerAccount / 2),
} as const;
/** Calls one slot can make to one channel in any second, times the slots: must stay within IVS's limit. */
const reactionCallsPerChannelPerSecond =
  REACTION_BROADCAST.maxConcurrency * (Math.floor(1 / REACTION_BROADCAST.callSpacingSeconds) + 1);
if (reactionCallsPerChannelPerSecond > PUT_METADATA_LIMITS.callsPerSecondPerChannel)
  throw new Error('The reaction broadcast settings would exceed IVS PutMetadata calls per channel.');

export const queues: readonly QueueDefinition[] = [
  {
    id: 'transcode-submissions',
    description: 'New uploads waiting for a transcode job',
    entry: 'lambdas/transcoding/submit.ts',
    batchSize: 5,
    maxBatchingWindowSeconds: 0,
    functionTimeoutSeconds: 60,
    // A burst of uploads (a creator's season, a migration) becomes a steady stream of Probe and CreateJob calls:
    // at most 5 batches of 5, each message a few MediaConvert requests, well inside the API's request-rate
    // quotas; MediaConvert queues the jobs it cannot start yet anyway, so a faster submission buys nothing.
    maxConcurrency: 5,
    maxReceiveCount: 3,
    s3Source: { bucket: 'uploads', prefix: UPLOADS_PREFIX, events: ['s3:ObjectCreated:*'] },
    access: { catalog: 'readWrite', buckets: { uploads: ['read'] }, mediaConvert: 'submit' },
  },
  {
    id: 'reaction-broadcast',
    description: 'Accepted reactions, aggregated per channel into in-band PutMetadata calls',
    entry: 'lambdas/interactivity/broadcast-reactions.ts',
    batchSize: 10_000,
    maxBatchingWindowSeconds: 1,
    functionTimeoutSeconds: 30,
    maxConcurrency: REACTION_BROADCAST.maxConcurrency,
    maxReceiveCount: 3,
    access: { ivs: ['ivs:PutMetadata'] },
  },
];

/** The queues of the wiring tables, by id. */
export type QueueId = 'transcode-submissions' | 'reaction-broadcast';

export const scheduledTargets: readonly ScheduledTargetDefinition[] = [
  {
    id: 'ad-break-start',
    description: 'Starts a scheduled ad break of a live stream at its time: its cue goes in-band',
    entry: 'lambdas/interactivity/start-ad-break.ts',
    functionTimeoutSeconds: 30,
    access: { catalog: 'readWrite', ivs: ['ivs:PutMetadata'] },
  },
];

/** The scheduled targets of the wiring tables, by id. */
export type ScheduledTargetId = 'ad-break-start';

export const eventRules: readonly EventRuleDefinition[] = [
  {
    id: 'transcode-job-state',
    description: "MediaConvert job state changes of this application's jobs",
    entry: 'lambdas/transcoding/job-state.ts',
    pattern: (application) => ({
      source: ['aws.mediaconvert'],
      'detail-type': ['MediaConvert Job State Change'],
      detail: { userMetadata: { application: [application] } },
    }),
    functionTimeoutSeconds: 30,
    // delete: media a job writes for a video deleted while it ran is removed when the job ends.
    access: { catalog: 'readWrite', buckets: { media: ['read', 'delete'] } },
  },
  {
    id: 'live-stream-state',
    description: "IVS stream state changes of this application's channels",
    entry: 'lambdas/live/stream-state-changed.ts',
    // Channel names start with the application name (see lambdas/live/streams.ts channelName).
    pattern: (application) => ({
      source: ['aws.ivs'],
      'detail-type': ['IVS Stream State Change'],
      detail: { channel_name: [{ prefix: `${application}-` }] },
    }),
    functionTimeoutSeconds: 30,
    // schedules: a stream's end cancels its scheduled ad breaks.
    access: { catalog: 'readWrite', schedules: ['ad-break-start'] },
  },
  {
    id: 'live-recording-end',
    description: "IVS recording ends of this application's channels: the recording becomes a video",
    entry: 'lambdas/live/recording-state-changed.ts',
    pattern: (application) => ({
      source: ['aws.ivs'],
      'detail-type': ['IVS Recording State Change'],
      detail: {
        recording_status: ['Recording End', 'Recording End Failure'],
        channel_name: [{ prefix: `${application}-` }],
      },
    }),
    functionTimeoutSeconds: 30,
    access: { catalog: 'readWrite', buckets: { recordings: ['read'] } },
  },
];
