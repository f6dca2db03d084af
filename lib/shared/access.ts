import { Stack } from 'aws-cdk-lib';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import type { BucketAccess, IvsAction } from '#contract/access.ts';
import { type DeploymentValues, type FunctionWiring, functionEnvironment } from '#contract/environment.ts';
import { BUCKET_OBJECTS } from '#contract/media-layout.ts';
import type { QueueId, ScheduledTargetId } from '#contract/pipelines.ts';
import type { UserQuotaLimits } from '#contract/quotas.ts';
import type { BucketRole } from '#contract/resources.ts';
import type { PlaybackSigningKey } from '../delivery/playback-key.ts';
import type { MediaConvertRole } from '../transcoding/media-convert.ts';
import { escapeRegex } from './escape-regex.ts';
import type { SkycastFunction } from './skycast-function.ts';

/** The resources an access description can name. Only those it does name need to be given. */
export interface AccessTargets {
  /** This deployment's application name (`skycast-<stage>`). */
  application: string;
  catalogTable?: ITable;
  /** The user pool and the web app's client, whose tokens API functions accept. */
  userPool?: IUserPool;
  webClient?: IUserPoolClient;
  buckets?: Partial<Record<BucketRole, IBucket>>;
  /** The largest upload, for functions that write uploads. @default 20 GiB (the functions' own default) */
  uploadMaxBytes?: number;
  /** Per-user limits other than the defaults, for functions whose access names quotas. @default the functions' defaults */
  userQuotas?: Partial<UserQuotaLimits>;
  /** The MediaConvert service role and where it writes, for `mediaConvert: 'submit'`. */
  mediaConvert?: MediaConvertRole;
  /** For `ivs` and `liveTokens`: the recording configuration and the token key. */
  live?: LiveTargets;
  /** For `mediaCookies`: the CloudFront signing key and where media is served. */
  mediaCookies?: { key: PlaybackSigningKey; mediaUrl: string };
  /** For `houseCreative`: the operator's house ad creative, if one is configured. */
  houseCreativeVideoId?: string;
  /** For `schedules`: the schedule group, the role Scheduler invokes with, the target functions. */
  schedules?: ScheduleTargets;
  /** For `sendTo`: the queues of the wiring tables, by id. */
  queues?: Partial<Record<QueueId, IQueue>>;
}

/** What functions that create one-time schedules work with (`access.schedules`). */
export interface ScheduleTargets {
  groupName: string;
  role: IRole;
  functions: Partial<Record<ScheduledTargetId, IFunction>>;
}

/** What the live functions work with. */
export interface LiveTargets {
  recordingConfigurationArn: string;
  playbackKeySecret: ISecret;
}

type IvsResource = 'channel' | 'stream-key' | 'recording-configuration' | '*';

/**
 * How one IVS statement is conditioned on the application's tag (`application=<application name>`, which every
 * channel startStream creates carries): `resource` on the tag of the resource acted on
 * (`aws:ResourceTag/application`), `request` on the tag the request sets on the resource it creates
 * (`aws:RequestTag/application`), `none` where no tag can be asked for.
 */
type IvsCondition = 'resource' | 'request' | 'none';

/**
 * The statements of each IVS action: which resources (the IVS service authorization reference lists the
 * resource types each action is checked on) under which condition. Every IVS resource type supports
 * `aws:ResourceTag/${TagKey}`, but a statement is conditioned on a resource's tag only where that resource
 * certainly carries ours, so the statements are split by resource type:
 * - channels: created by startStream with the tag, so every action on an existing channel asks for it, and a
 *   channel of another application in the account is out of reach;
 * - a resource being created has no tags yet: CreateChannel (on the channel and the stream key IVS makes with
 *   it) and CreateStreamKey (on the new key, which our adapter tags) ask for the tag the request sets;
 * - stream keys that exist: CreateStreamKey tags the keys we create, but the docs do not say whether the key IVS
 *   makes with a channel gets the channel's tags, so GetStreamKey, DeleteStreamKey and DeleteChannel's key stay
 *   unconditioned; our functions only learn a key's ARN from ListStreamKeys on a channel, which is conditioned;
 * - the recording configuration: the stack's own, named by its ARN, so it needs no condition;
 * - ListChannels has no resource narrower than `*`.
 * CreateStreamKey is checked on the new stream key only (the service reference); its channel statement keeps
 * it, should IVS also check the channel named, to channels of this application.
 */
const IVS_STATEMENTS: Record<IvsAction, readonly { on: readonly IvsResource[]; condition: IvsCondition }[]> =
  {
    'ivs:CreateChannel': [
      { on: ['channel', 'stream-key'], condition: 'request' },
      { on: ['recording-configuration'], condition: 'none' },
    ],
    'ivs:GetChannel': [{ on: ['channel'], condition: 'resource' }],
    'ivs:ListChannels': [{ on: ['*'], condition: 'none' }],
    'ivs:UpdateChannel': [
      { on: ['channel'], condition: 'resource' },
      { on: ['recording-configuration'], condition: 'none' },
    ],
    'ivs:DeleteChannel': [
      { on: ['channel'], condition: 'resource' },
      { on: ['stream-key'], condition: 'none' },
    ],
    'ivs:CreateStreamKey': [
      { on: ['channel'], condition: 'resource' },
      { on: ['stream-key'], condition: 'request' },
    ],
    'ivs:GetStreamKey': [{ on: ['stream-key'], condition: 'none' }],
    'ivs:ListStreamKeys': [{ on: ['channel'], condition: 'resource' }],
    'ivs:DeleteStreamKey': [{ on: ['stream-key'], condition: 'none' }],
    'ivs:GetStream': [{ on: ['channel'], condition: 'resource' }],
    'ivs:StopStream': [{ on: ['channel'], condition: 'resource' }],
    'ivs:PutMetadata': [{ on: ['channel'], condition: 'resource' }],
  };

/** The IAM condition of an IVS statement, for this application. */
function ivsCondition(condition: IvsCondition, application: string) {
  if (condition === 'none') return {};
  const key = condition === 'resource' ? 'aws:ResourceTag/application' : 'aws:RequestTag/application';
  return { conditions: { StringEquals: { [key]: application } } };
}

/**
 * The IAM actions behind each kind of bucket access: `objects` on the bucket's objects, `bucket` on the bucket.
 * No wildcard actions: each one is an action the handlers call.
 */
export const BUCKET_ACTIONS: Record<BucketAccess, { objects: readonly string[]; bucket: readonly string[] }> =
  {
    // Without s3:ListBucket, S3 answers 403 instead of 404 for a key that does not exist, and the handlers that
    // look for an object (HeadObject after an upload vanished, GetObject of an upload deleted since) need the 404.
    read: { objects: ['s3:GetObject'], bucket: ['s3:ListBucket'] },
    // CreateMultipartUpload, UploadPart and CompleteMultipartUpload are authorized as s3:PutObject, which is also
    // what a presigned part URL is signed for; ListParts and AbortMultipartUpload have actions of their own.
    write: {
      objects: ['s3:PutObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
      bucket: [],
    },
    // Deleting a video's files means listing what is under its prefix first.
    delete: { objects: ['s3:DeleteObject'], bucket: ['s3:ListBucket'] },
  };

/** The DynamoDB actions of each kind of catalog access: what the stores in lambdas/ call. */
export const CATALOG_ACTIONS: Record<'read' | 'readWrite', readonly string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:Query'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:ConditionCheckItem',
  ],
};

/**
 * Reading a signing key's secret: GetSecretValue on that secret only (grantRead would add DescribeSecret, which
 * no function calls; the secrets use Secrets Manager's AWS managed key, so no KMS grant either).
 */
function grantSecretValue(fn: SkycastFunction, secret: ISecret): void {
  fn.addToRolePolicy(
    new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
  );
}

const upperFirst = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** The IAM actions for a set of access kinds, each once, in a stable order. */
export function bucketActions(kinds: readonly BucketAccess[]): { objects: string[]; bucket: string[] } {
  const pick = (side: 'objects' | 'bucket') =>
    [...new Set(kinds.flatMap((kind) => BUCKET_ACTIONS[kind][side]))].sort();
  return { objects: pick('objects'), bucket: pick('bucket') };
}

/** The deployment's resources as the contract's `functionEnvironment` reads them: names and ARNs (tokens). */
function deploymentValues(targets: AccessTargets): DeploymentValues {
  const { buckets, live, mediaCookies } = targets;
  return {
    application: targets.application,
    ...(targets.catalogTable ? { catalogTable: targets.catalogTable.tableName } : {}),
    ...(buckets
      ? {
          buckets: Object.fromEntries(
            Object.entries(buckets).map(([role, bucket]) => [role, (bucket as IBucket).bucketName]),
          ),
        }
      : {}),
    ...(targets.userPool && targets.webClient
      ? { userPool: { id: targets.userPool.userPoolId, clientId: targets.webClient.userPoolClientId } }
      : {}),
    ...(targets.uploadMaxBytes !== undefined ? { uploadMaxBytes: targets.uploadMaxBytes } : {}),
    ...(targets.userQuotas ? { quotas: targets.userQuotas } : {}),
    ...(mediaCookies
      ? {
          mediaCookies: {
            secretArn: mediaCookies.key.secret.secretArn,
            keyPairId: mediaCookies.key.publicKey.publicKeyId,
            mediaUrl: mediaCookies.mediaUrl,
          },
        }
      : {}),
    ...(live
      ? {
          live: {
            recordingConfigurationArn: live.recordingConfigurationArn,
            keySecretArn: live.playbackKeySecret.secretArn,
          },
        }
      : {}),
    ...(targets.mediaConvert ? { mediaConvert: { roleArn: targets.mediaConvert.role.roleArn } } : {}),
    ...(targets.houseCreativeVideoId ? { houseCreativeVideoId: targets.houseCreativeVideoId } : {}),
    ...(targets.schedules
      ? {
          schedules: {
            groupName: targets.schedules.groupName,
            roleArn: targets.schedules.role.roleArn,
            targetArns: Object.fromEntries(
              Object.entries(targets.schedules.functions).map(([id, fn]) => [
                id,
                (fn as IFunction).functionArn,
              ]),
            ),
          },
        }
      : {}),
    ...(targets.queues
      ? {
          queueUrls: Object.fromEntries(
            Object.entries(targets.queues).map(([id, queue]) => [id, (queue as IQueue).queueUrl]),
          ),
        }
      : {}),
  };
}

/**
 * Gives `fn` what its wiring asks for and nothing else: the environment the contract's `functionEnvironment`
 * computes (the same function the local platform uses) and IAM grants scoped to the resources, and tells
 * cdk-nag why the object-level wildcards that remain are needed. Throws when the wiring names a resource
 * `targets` does not have, so a wiring table cannot ask for more than a stack offers.
 */
export function grantAccess(fn: SkycastFunction, wiring: FunctionWiring, targets: AccessTargets): void {
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${fn.node.path} needs ${what}, but none was given.`);
    return value;
  };
  const { access } = wiring;
  for (const [name, value] of Object.entries(functionEnvironment(wiring, deploymentValues(targets)))) {
    fn.addEnvironment(name, value);
  }

  if (access.catalog) {
    const table = need(targets.catalogTable, 'the catalog table');
    // The actions the catalog's stores call, and no more of what grantReadData/grantReadWriteData would add
    // (Scan, batches, streams, DescribeTable): TransactWriteItems has no action of its own, IAM checks each
    // item's Put/Update/Delete/ConditionCheck. The table is encrypted with the AWS managed key: no KMS grant.
    table.grant(fn, ...CATALOG_ACTIONS[access.catalog]);
    suppressWildcard(fn, {
      reason:
        'The catalog grant covers the table and its indexes (`<table arn>/index/*`): the function queries the ' +
        'overloaded GSIs the catalog definition declares, and the set of indexes is ours alone.',
      appliesTo: [{ regex: '/^Resource::.*\\/index\\/\\*$/g' }],
    });
  }

  if (access.userPool === 'read') {
    need(targets.userPool, 'the user pool').grant(fn, 'cognito-idp:AdminGetUser');
  }

  for (const [role, kinds] of Object.entries(access.buckets ?? {}) as [BucketRole, BucketAccess[]][]) {
    if (kinds.length === 0) continue;
    const bucket = need(targets.buckets?.[role], `the ${role} bucket`);
    const actions = bucketActions(kinds);
    const objects = BUCKET_OBJECTS[role];
    fn.addToRolePolicy(
      new PolicyStatement({ actions: actions.objects, resources: [bucket.arnForObjects(objects)] }),
    );
    if (actions.bucket.length > 0) {
      fn.addToRolePolicy(new PolicyStatement({ actions: actions.bucket, resources: [bucket.bucketArn] }));
    }
    suppressWildcard(fn, {
      reason:
        `${upperFirst(role)} bucket (${kinds.join(', ')}): object keys hold ids only known per request (owner, ` +
        `video, upload), so the grant covers the keys of the bucket's own layout, \`<bucket arn>/${objects}\`, ` +
        'and nothing else.',
      appliesTo: [{ regex: `/^Resource::${objectsFinding(fn, bucket, objects)}$/g` }],
    });
  }

  if (access.ivs && access.ivs.length > 0) {
    const live = need(targets.live, 'the live settings');
    const { region, account } = Stack.of(fn);
    const arnOf = (kind: IvsResource) =>
      kind === '*'
        ? '*'
        : kind === 'recording-configuration'
          ? live.recordingConfigurationArn
          : `arn:${Stack.of(fn).partition}:ivs:${region}:${account}:${kind}/*`;
    for (const action of [...new Set(access.ivs)].sort()) {
      for (const statement of IVS_STATEMENTS[action]) {
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: [action],
            resources: statement.on.map(arnOf),
            ...ivsCondition(statement.condition, targets.application),
          }),
        );
      }
    }
    suppressWildcard(fn, {
      reason:
        'IVS names channels and stream keys by ids it assigns when startStream creates them (one channel per ' +
        'creator), so the live actions are granted on `channel/*` and `stream-key/*` of this account and ' +
        'region, each action only on the resource types it acts on, and on channels only with the ' +
        "application's tag (aws:ResourceTag/application, or aws:RequestTag/application when creating one); " +
        'ivs:ListChannels has no resource narrower ' +
        "than `*` (it finds the caller's channel by its name after a lost catalog write).",
      appliesTo: [{ regex: '/^Resource::(arn:<AWS::Partition>:ivs:.*:(channel|stream-key)\\/\\*|\\*)$/g' }],
    });
  }

  if (access.liveTokens === 'sign') {
    grantSecretValue(fn, need(targets.live, 'the live settings').playbackKeySecret);
  }

  if (access.mediaCookies === 'sign') {
    grantSecretValue(fn, need(targets.mediaCookies, 'the media signing key').key.secret);
  }

  if (access.mediaConvert === 'submit') {
    need(targets.mediaConvert, 'the MediaConvert role').grantSubmit(fn);
  }

  if ((access.schedules?.length ?? 0) > 0) {
    const schedules = need(targets.schedules, 'the schedule group');
    const { partition, region, account } = Stack.of(fn);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        resources: [`arn:${partition}:scheduler:${region}:${account}:schedule/${schedules.groupName}/*`],
      }),
    );
    // CreateSchedule names the role Scheduler invokes the target with: passing it, to Scheduler only.
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [schedules.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    suppressWildcard(fn, {
      reason:
        "One-time schedules are named per ad break (ad-break-<id>), in the application's own schedule group: " +
        'the grant covers `schedule/<group>/*` of this account and region, and no other group.',
      appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:scheduler:.*:schedule\\/.*\\/\\*$/g' }],
    });
  }

  // SendMessage only (grantSendMessages would add GetQueueAttributes and GetQueueUrl, which no function calls;
  // the queues use SQS-managed encryption: no KMS grant either).
  for (const id of access.sendTo ?? []) {
    const queue = need(targets.queues?.[id], `the ${id} queue`);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
  }
}

function suppressWildcard(
  fn: SkycastFunction,
  suppression: { reason: string; appliesTo: ({ regex: string } | string)[] },
): void {
  if (!fn.role) return;
  NagSuppressions.addResourceSuppressions(fn.role, [{ id: 'AwsSolutions-IAM5', ...suppression }], true);
}

/**
 * How cdk-nag writes `<bucket arn>/<objects>` in an IAM5 finding, as a regular expression: a bucket of this stack
 * or of another (the data stack) is `<LogicalId.Arn>/<objects>`, an imported one its literal ARN.
 */
function objectsFinding(fn: SkycastFunction, bucket: IBucket, objects: string): string {
  const arn = Stack.of(fn).resolve(bucket.bucketArn) as unknown;
  if (typeof arn === 'string') return escapeRegex(`${arn}/${objects}`);
  const getAtt = (arn as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt) return escapeRegex(`<${getAtt[0]}.${getAtt[1]}>/${objects}`);
  return `.*${escapeRegex(`/${objects}`)}`;
}
