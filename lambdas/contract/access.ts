/**
 * What a function may touch, as the wiring tables say it. The CDK app turns an access description into IAM
 * grants (lib/shared/access.ts) and, with `functionEnvironment` (environment.ts), into the function's
 * environment; the local platform computes each function's environment with the same function and checks its
 * calls against the policy the CDK synthesizes from it.
 */
import type { QueueId, ScheduledTargetId } from './pipelines.ts';
import type { UserQuota } from './quotas.ts';
import type { BucketRole } from './resources.ts';

/**
 * What a bucket grant allows: `read` gets objects; `write` puts objects and drives multipart uploads
 * (create, presign parts, list parts, complete, abort); `delete` removes objects. The CDK app turns each
 * into the matching IAM actions and passes the bucket name in the bucket's environment variable.
 */
export type BucketAccess = 'read' | 'write' | 'delete';

/** What a route's function may touch; the CDK app turns it into IAM grants and environment variables. */
export interface FunctionAccess {
  /** The catalog table. */
  catalog?: 'read' | 'readWrite';
  /** Look users up in the user pool (AdminGetUser). */
  userPool?: 'read';
  /** S3 buckets by role, each with the kinds of access the function needs. */
  buckets?: Partial<Record<BucketRole, readonly BucketAccess[]>>;
  /**
   * Sign CloudFront playback cookies for media: read the media signing key's secret, know its key pair id and
   * the media URL.
   */
  mediaCookies?: 'sign';
  /**
   * IVS actions the function calls on the application's channels and stream keys; the function also gets the
   * live settings (application name, recording configuration, playback key secret) in its environment.
   */
  ivs?: readonly IvsAction[];
  /** Sign private IVS channels' ES384 playback tokens with the live playback key (read from its secret). */
  liveTokens?: 'sign';
  /** Submit MediaConvert jobs: Probe, CreateJob, and pass the MediaConvert role (queue functions). */
  mediaConvert?: 'submit';
  /**
   * The per-user quotas the function enforces. Their counters are items in the catalog table (so this needs
   * `catalog: 'readWrite'`); the function gets each quota's limit in its environment where a deployment sets one.
   */
  quotas?: readonly UserQuota[];
  /** Send messages to these queues of the wiring tables (their URLs come in `ENV.queueUrls`). */
  sendTo?: readonly QueueId[];
  /**
   * Create and delete one-time EventBridge Scheduler schedules, in the application's schedule group, that invoke
   * these scheduled targets (pipelines.ts) through the scheduler role; the function gets the group, the role and
   * each target's ARN in its environment.
   */
  schedules?: readonly ScheduledTargetId[];
  /** Know the house ad creative the operator configured (a video id), if any. */
  houseCreative?: 'read';
}

/** The IVS actions the live functions call; the CDK app scopes each to the resources IVS lets it. */
export type IvsAction =
  | 'ivs:CreateChannel'
  | 'ivs:GetChannel'
  | 'ivs:ListChannels'
  | 'ivs:UpdateChannel'
  | 'ivs:DeleteChannel'
  | 'ivs:CreateStreamKey'
  | 'ivs:GetStreamKey'
  | 'ivs:ListStreamKeys'
  | 'ivs:DeleteStreamKey'
  | 'ivs:GetStream'
  | 'ivs:StopStream'
  | 'ivs:PutMetadata';

/** What reading or creating a channel's stream key takes (one is created when a rotation stopped half-way). */
export const STREAM_KEY_READ: readonly IvsAction[] = [
  'ivs:ListStreamKeys',
  'ivs:GetStreamKey',
  'ivs:CreateStreamKey',
];
