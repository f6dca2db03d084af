/**
 * Every environment variable a Skycast function reads, named once, and the one function that says which of them
 * a function gets. The CDK app calls `functionEnvironment` with the deployment's resources (CloudFormation
 * tokens at synth) and the local platform with its emulators' resources, so a function sees the same names in
 * both, and locally only its own.
 */
import type { FunctionAccess } from './access.ts';
import type { QueueId, ScheduledTargetId } from './pipelines.ts';
import type { UserQuota, UserQuotaLimits } from './quotas.ts';
import type { BucketRole } from './resources.ts';

/** Environment variable names, by what they hold. */
export const ENV = {
  /** Powertools' service name: `skycast-<capability>`. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  /** This deployment's application name (`skycast-<stage>`): channel names, job metadata and event rules use it. */
  application: 'APPLICATION_NAME',
  catalogTable: 'CATALOG_TABLE_NAME',
  buckets: {
    uploads: 'UPLOADS_BUCKET_NAME',
    media: 'MEDIA_BUCKET_NAME',
    recordings: 'RECORDINGS_BUCKET_NAME',
  },
  /** The user pool and web client whose access tokens API functions accept. */
  userPoolId: 'USER_POOL_ID',
  userPoolClientId: 'USER_POOL_CLIENT_ID',
  /** Largest upload in bytes (optional: 20 GiB unless set). */
  uploadMaxBytes: 'UPLOAD_MAX_BYTES',
  /** CloudFront playback cookies: the secret holding the PEM private key, its public key's id, the media URL. */
  mediaKeySecret: 'PLAYBACK_KEY_SECRET_ARN',
  mediaKeyPairId: 'PLAYBACK_KEY_PAIR_ID',
  mediaUrl: 'MEDIA_URL',
  /** Optional: seconds playback cookies last. */
  mediaCookieSeconds: 'PLAYBACK_TTL_SECONDS',
  /** IVS: the recording configuration every channel records with, the ES384 token key's secret, the ingest URL. */
  recordingConfigurationArn: 'RECORDING_CONFIGURATION_ARN',
  liveKeySecret: 'PLAYBACK_KEY_SECRET_ID',
  ingestUrlTemplate: 'INGEST_URL_TEMPLATE',
  /** The role MediaConvert assumes for the jobs a function submits. */
  mediaConvertRole: 'MEDIACONVERT_ROLE_ARN',
  /** Optional per-user limits (quotas.ts has the defaults), for the functions whose access names them. */
  quotas: {
    openUploads: 'QUOTA_OPEN_UPLOADS',
    uploadBytesInFlight: 'QUOTA_UPLOAD_BYTES_IN_FLIGHT',
    clipsPerHour: 'QUOTA_CLIPS_PER_HOUR',
    streamsPerHour: 'QUOTA_STREAMS_PER_HOUR',
  },
  /** Optional: the video id of the operator's house ad creative (`access.houseCreative`). */
  houseCreativeVideoId: 'HOUSE_CREATIVE_VIDEO_ID',
  /** One-time schedules (`access.schedules`): the group they go in, the role Scheduler invokes with, the targets. */
  scheduleGroup: 'SCHEDULE_GROUP_NAME',
  schedulerRoleArn: 'SCHEDULER_ROLE_ARN',
  scheduleTargets: { 'ad-break-start': 'AD_BREAK_START_FUNCTION_ARN' },
  /** Queues a function sends to (`access.sendTo`), by queue id. */
  queueUrls: {
    'transcode-submissions': 'TRANSCODE_SUBMISSIONS_QUEUE_URL',
    'reaction-broadcast': 'REACTION_BROADCAST_QUEUE_URL',
  },
} as const;
ENV.queueUrls satisfies Record<QueueId, string>;
ENV.scheduleTargets satisfies Record<ScheduledTargetId, string>;
ENV.buckets satisfies Record<BucketRole, string>;
ENV.quotas satisfies Record<UserQuota, string>;

/**
 * IVS gives a channel's ingest endpoint as a host name; encoders publish to RTMPS on 443 at `/app/`. The local
 * IVS's plain RTMP port goes in its own template.
 */
export const IVS_INGEST_URL_TEMPLATE = 'rtmps://{ingestEndpoint}:443/app/';

/**
 * What a deployment offers its functions: the names and ARNs of its resources. Only what a function's access
 * names is needed; asking for something that is not given throws, so a wiring table cannot ask for more than a
 * stack (or the local platform) has.
 */
export interface DeploymentValues {
  application: string;
  catalogTable?: string;
  buckets?: Partial<Record<BucketRole, string>>;
  userPool?: { id: string; clientId: string };
  uploadMaxBytes?: number;
  mediaCookies?: { secretArn: string; keyPairId: string; mediaUrl: string; cookieSeconds?: number };
  live?: {
    recordingConfigurationArn: string;
    keySecretArn: string;
    ingestUrlTemplate?: string;
  };
  queueUrls?: Partial<Record<QueueId, string>>;
  schedules?: { groupName: string; roleArn: string; targetArns: Partial<Record<ScheduledTargetId, string>> };
  /** The operator's house ad creative, a READY, not private video id, if one is configured. */
  houseCreativeVideoId?: string;
  mediaConvert?: { roleArn: string };
  /** Per-user limits that differ from `DEFAULT_USER_QUOTAS`; the others are left to the functions' defaults. */
  quotas?: Partial<UserQuotaLimits>;
}

/**
 * How a function is invoked, which decides what it gets besides its access: API functions verify access tokens
 * (the user pool and client), pipeline functions match and stamp the application's name, an origin (the
 * manifest Lambda behind CloudFront) needs nothing more.
 */
export type FunctionKind = 'api' | 'pipeline' | 'origin';

/** One function as the wiring tables describe it, enough to give it its environment and its grants. */
export interface FunctionWiring {
  kind: FunctionKind;
  serviceName: string;
  access: FunctionAccess;
}

/** The environment `fn` gets in this deployment: exactly the names its kind and access call for. */
export function functionEnvironment(fn: FunctionWiring, values: DeploymentValues): Record<string, string> {
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${fn.serviceName} needs ${what}, but none was given.`);
    return value;
  };
  const { access } = fn;
  const environment: Record<string, string> = { [ENV.serviceName]: fn.serviceName };

  if (fn.kind === 'api') {
    const pool = need(values.userPool, 'the user pool');
    environment[ENV.userPoolId] = pool.id;
    environment[ENV.userPoolClientId] = pool.clientId;
  }
  if (fn.kind === 'pipeline') environment[ENV.application] = values.application;
  if (access.catalog) environment[ENV.catalogTable] = need(values.catalogTable, 'the catalog table');
  for (const [role, kinds] of Object.entries(access.buckets ?? {}) as [BucketRole, readonly string[]][]) {
    if (kinds.length > 0) environment[ENV.buckets[role]] = need(values.buckets?.[role], `the ${role} bucket`);
  }
  if (access.buckets?.uploads?.includes('write') && values.uploadMaxBytes !== undefined) {
    environment[ENV.uploadMaxBytes] = String(values.uploadMaxBytes);
  }
  if ((access.quotas?.length ?? 0) > 0 && access.catalog !== 'readWrite') {
    throw new Error(
      `${fn.serviceName} counts quotas, which live in the catalog table: it needs catalog readWrite.`,
    );
  }
  for (const quota of access.quotas ?? []) {
    const limit = values.quotas?.[quota];
    if (limit !== undefined) environment[ENV.quotas[quota]] = String(limit);
  }
  if (access.mediaCookies === 'sign') {
    const cookies = need(values.mediaCookies, 'the media signing key');
    environment[ENV.mediaKeySecret] = cookies.secretArn;
    environment[ENV.mediaKeyPairId] = cookies.keyPairId;
    environment[ENV.mediaUrl] = cookies.mediaUrl;
    if (cookies.cookieSeconds !== undefined)
      environment[ENV.mediaCookieSeconds] = String(cookies.cookieSeconds);
  }
  if ((access.ivs?.length ?? 0) > 0 || access.liveTokens === 'sign') {
    const live = need(values.live, 'the live settings');
    environment[ENV.application] = values.application;
    environment[ENV.recordingConfigurationArn] = live.recordingConfigurationArn;
    environment[ENV.liveKeySecret] = live.keySecretArn;
    environment[ENV.ingestUrlTemplate] = live.ingestUrlTemplate ?? IVS_INGEST_URL_TEMPLATE;
  }
  if (access.houseCreative === 'read' && values.houseCreativeVideoId !== undefined)
    environment[ENV.houseCreativeVideoId] = values.houseCreativeVideoId;
  if ((access.schedules?.length ?? 0) > 0) {
    const schedules = need(values.schedules, 'the schedule group');
    environment[ENV.scheduleGroup] = schedules.groupName;
    environment[ENV.schedulerRoleArn] = schedules.roleArn;
    for (const target of access.schedules ?? [])
      environment[ENV.scheduleTargets[target]] = need(schedules.targetArns[target], `the ${target} target`);
  }
  for (const queue of access.sendTo ?? []) {
    environment[ENV.queueUrls[queue]] = need(values.queueUrls?.[queue], `the ${queue} queue`);
  }
  if (access.mediaConvert === 'submit') {
    environment[ENV.mediaConvertRole] = need(values.mediaConvert, 'the MediaConvert role').roleArn;
    // The jobs' outputs name the media bucket.
    environment[ENV.buckets.media] = need(values.buckets?.media, 'the media bucket');
  }
  return environment;
}
