import { Stack } from 'aws-cdk-lib';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import type { BucketAccess, IvsAction } from '#contract/access.ts';
import { type DeploymentValues, type FunctionWiring, functionEnvironment } from '#contract/environment.ts';
import { BUCKET_OBJECTS } from '#contract/media-layout.ts';
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
  /** The MediaConvert service role and where it writes, for `mediaConvert: 'submit'`. */
  mediaConvert?: MediaConvertRole;
  /** For `ivs` and `liveTokens`: the recording configuration and the token key. */
  live?: LiveTargets;
  /** For `mediaCookies`: the CloudFront signing key and where media is served. */
  mediaCookies?: { key: PlaybackSigningKey; mediaUrl: string };
}

/** What the live functions work with. */
export interface LiveTargets {
  recordingConfigurationArn: string;
  playbackKeySecret: ISecret;
}

/**
 * Which IVS resources each action can be scoped to (the IVS service authorization reference): channel
 * actions to channels, key actions to stream keys (and the channel whose keys they are), listing channels
 * to nothing narrower than `*`. IVS ARNs end in ids IVS assigns, so the grants name `channel/*` and
 * `stream-key/*` of this account and region.
 */
const IVS_RESOURCES: Record<
  IvsAction,
  readonly ('channel' | 'stream-key' | 'recording-configuration' | '*')[]
> = {
  'ivs:CreateChannel': ['channel', 'stream-key', 'recording-configuration'],
  'ivs:GetChannel': ['channel'],
  'ivs:ListChannels': ['*'],
  'ivs:UpdateChannel': ['channel', 'recording-configuration'],
  'ivs:DeleteChannel': ['channel', 'stream-key'],
  'ivs:CreateStreamKey': ['channel', 'stream-key'],
  'ivs:GetStreamKey': ['stream-key'],
  'ivs:ListStreamKeys': ['channel'],
  'ivs:DeleteStreamKey': ['stream-key'],
  'ivs:GetStream': ['channel'],
  'ivs:StopStream': ['channel'],
};

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
    const arnOf = (kind: 'channel' | 'stream-key' | 'recording-configuration' | '*') =>
      kind === '*'
        ? '*'
        : kind === 'recording-configuration'
          ? live.recordingConfigurationArn
          : `arn:${Stack.of(fn).partition}:ivs:${region}:${account}:${kind}/*`;
    for (const action of [...new Set(access.ivs)].sort()) {
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: [action],
          resources: IVS_RESOURCES[action].map(arnOf),
          // A channel is created only with this application's tag, which ties it to this deployment.
          ...(action === 'ivs:CreateChannel'
            ? { conditions: { StringEquals: { 'aws:RequestTag/application': targets.application } } }
            : {}),
        }),
      );
    }
    suppressWildcard(fn, {
      reason:
        'IVS names channels and stream keys by ids it assigns when startStream creates them (one channel per ' +
        'creator), so the live actions are granted on `channel/*` and `stream-key/*` of this account and ' +
        'region, each action only on the resource types it acts on; ivs:ListChannels has no resource narrower ' +
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
