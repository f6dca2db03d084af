import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  type LifecycleRule,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { deliveryOrigins } from '#contract/delivery.ts';
import { ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS, type BucketRole, buckets } from '#contract/resources.ts';

/** Props of {@link Storage}. */
export interface StorageProps {
  /**
   * What happens to the buckets when they leave the template. With DESTROY their objects are deleted too,
   * so a dev stack tears down cleanly.
   * @default RemovalPolicy.RETAIN
   */
  removalPolicy?: RemovalPolicy;
  /** How long S3 and CloudFront access logs are kept. @default Duration.days(365) */
  accessLogsExpiration?: Duration;
  /** How long an overwritten or deleted original stays recoverable. @default Duration.days(30) */
  noncurrentVersionExpiration?: Duration;
}

/** Where in the access-logs bucket S3 server access logs go; `/<bucket>/` follows. */
export const S3_ACCESS_LOGS_PREFIX = 's3-access-logs/';
/** Where in the access-logs bucket CloudFront standard logs go; `/<distribution>/` follows. */
export const CLOUDFRONT_LOGS_PREFIX = 'cloudfront/';
/** The bucket policy statement that lets the media distribution read a bucket (see `allowMediaDistribution`). */
export const CLOUDFRONT_READ_SID = 'MediaDistributionReadsThroughOriginAccessControl';

/**
 * Per role: originals (uploads, recordings) cannot be made again, so they are versioned; the media bucket
 * holds renditions, posters and clips that transcoding can make again from the originals, so it is not.
 */
const VERSIONED: Record<BucketRole, boolean> = { uploads: true, recordings: true, media: false };

/**
 * The media buckets (uploads, media, recordings; roles in `lambdas/contract/resources.ts`) and the bucket their
 * access logs go to. All encrypted (SSE-S3), TLS-only, with public access blocked and unfinished multipart
 * uploads aborted.
 */
export class Storage extends Construct {
  /** The media buckets by role. */
  readonly buckets: Record<BucketRole, Bucket>;
  /** Receives S3 server access logs (under {@link S3_ACCESS_LOGS_PREFIX}) and CloudFront standard logs. */
  readonly accessLogsBucket: Bucket;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const abortIncompleteUploads: LifecycleRule = {
      id: 'abort-incomplete-multipart-uploads',
      abortIncompleteMultipartUploadAfter: Duration.days(ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS),
    };
    const common: BucketProps = {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    };

    this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
      ...common,
      // CloudFront standard logging still writes with ACLs, so the bucket must accept them; the objects
      // still end up owned by this account.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [
        abortIncompleteUploads,
        { id: 'expire-access-logs', expiration: props.accessLogsExpiration ?? Duration.days(365) },
      ],
    });
    // One statement for every bucket of this account that logs here, including ones in other stacks
    // (the web bucket): naming each source bucket would make this stack depend on theirs.
    this.accessLogsBucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'S3ServerAccessLogsFromThisAccount',
        principals: [new ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.accessLogsBucket.arnForObjects(`${S3_ACCESS_LOGS_PREFIX}*`)],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );

    const roles = Object.keys(buckets) as BucketRole[];
    this.buckets = Object.fromEntries(
      roles.map((role) => {
        const versioned = VERSIONED[role];
        const lifecycleRules: LifecycleRule[] = [abortIncompleteUploads];
        if (versioned) {
          lifecycleRules.push({
            id: 'expire-noncurrent-versions',
            noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(30),
            expiredObjectDeleteMarker: true,
          });
        }
        const bucket = new Bucket(this, capitalize(role), {
          ...common,
          versioned,
          lifecycleRules,
          serverAccessLogsBucket: this.accessLogsBucket,
          serverAccessLogsPrefix: `${S3_ACCESS_LOGS_PREFIX}${role}/`,
        });
        return [role, bucket];
      }),
    ) as Record<BucketRole, Bucket>;

    for (const role of deliveryOrigins()) {
      if (role !== 'manifest') allowMediaDistribution(this.buckets[role]);
    }
  }
}

/**
 * Lets CloudFront read a bucket's objects through Origin Access Control (lib/delivery/media-cdn.ts), for
 * distributions of this account only. OAC requests carry the distribution's ARN as `aws:SourceArn`, but the
 * media distribution lives in the service stack, which deploys after this one and reads these buckets: naming
 * its ARN here would make each stack wait for the other. So the condition matches this account's
 * distributions, the way the CDK itself scopes key policies for OAC to avoid the same cycle. Whoever can create
 * a distribution in this account can read the bucket anyway. Reading only: no s3:ListBucket, so a path to `/`
 * cannot list the bucket (a missing key is a 403 through CloudFront, not a 404).
 */
function allowMediaDistribution(bucket: Bucket): void {
  bucket.addToResourcePolicy(
    new PolicyStatement({
      sid: CLOUDFRONT_READ_SID,
      principals: [new ServicePrincipal('cloudfront.amazonaws.com')],
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects('*')],
      conditions: {
        StringEquals: { 'AWS:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'AWS:SourceArn': `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/*` },
      },
    }),
  );
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
