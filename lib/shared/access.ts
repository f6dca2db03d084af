import { Stack } from 'aws-cdk-lib';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import type { MediaConvertRole } from '../transcoding/media-convert.ts';
import { type BucketRole, buckets as bucketDefinitions, catalogTable } from '../wiring/resources.ts';
import type { BucketAccess, RouteAccess } from '../wiring/routes.ts';
import type { SkycastFunction } from './skycast-function.ts';

/**
 * What a function may touch, as the wiring tables say it: a route's `access`, or a queue's, which may also
 * submit MediaConvert jobs.
 */
export type FunctionAccess = RouteAccess & { mediaConvert?: 'submit' };

/** The resources an access description can name. Only those it does name need to be given. */
export interface AccessTargets {
  catalogTable?: ITable;
  userPool?: IUserPool;
  buckets?: Partial<Record<BucketRole, IBucket>>;
  /** The MediaConvert service role and where it writes, for `mediaConvert: 'submit'`. */
  mediaConvert?: MediaConvertRole;
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

const upperFirst = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** The IAM actions for a set of access kinds, each once, in a stable order. */
export function bucketActions(kinds: readonly BucketAccess[]): { objects: string[]; bucket: string[] } {
  const pick = (side: 'objects' | 'bucket') =>
    [...new Set(kinds.flatMap((kind) => BUCKET_ACTIONS[kind][side]))].sort();
  return { objects: pick('objects'), bucket: pick('bucket') };
}

/**
 * Gives `fn` what `access` asks for and nothing else: the environment variables naming the resources and IAM
 * grants scoped to them, and tells cdk-nag why the object-level wildcards that remain are needed. Throws when
 * `access` names a resource `targets` does not have, so a wiring table cannot ask for more than a stack offers.
 */
export function grantAccess(fn: SkycastFunction, access: FunctionAccess, targets: AccessTargets): void {
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${fn.node.path} needs ${what}, but none was given.`);
    return value;
  };

  if (access.catalog) {
    const table = need(targets.catalogTable, 'the catalog table');
    fn.addEnvironment(catalogTable.env, table.tableName);
    if (access.catalog === 'read') table.grantReadData(fn);
    else table.grantReadWriteData(fn);
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
    fn.addEnvironment(bucketDefinitions[role].env, bucket.bucketName);
    const actions = bucketActions(kinds);
    fn.addToRolePolicy(
      new PolicyStatement({ actions: actions.objects, resources: [bucket.arnForObjects('*')] }),
    );
    if (actions.bucket.length > 0) {
      fn.addToRolePolicy(new PolicyStatement({ actions: actions.bucket, resources: [bucket.bucketArn] }));
    }
    suppressWildcard(fn, {
      reason:
        `${upperFirst(role)} bucket (${kinds.join(', ')}): object keys hold ids only known per request (owner, ` +
        `video, upload), so the grant covers the objects of that one bucket, \`<bucket arn>/*\`, and no other.`,
      appliesTo: [{ regex: `/^Resource::${objectsFinding(fn, bucket)}$/g` }],
    });
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
 * How cdk-nag writes `<bucket arn>/*` in an IAM5 finding, as a regular expression: a bucket of this stack or
 * of another (the data stack) is `<LogicalId.Arn>/*`, an imported one its literal ARN.
 */
function objectsFinding(fn: SkycastFunction, bucket: IBucket): string {
  const arn = Stack.of(fn).resolve(bucket.bucketArn) as unknown;
  if (typeof arn === 'string') return escapeRegex(`${arn}/*`);
  const getAtt = (arn as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt) return escapeRegex(`<${getAtt[0]}.${getAtt[1]}>/*`);
  return `.*${escapeRegex('/*')}`;
}

/** `text` as a literal inside a regular expression written between slashes. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
