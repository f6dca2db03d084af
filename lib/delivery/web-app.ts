import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  type IBucket,
} from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/** Where the web app's access logs go. */
export interface WebAccessLogs {
  /** Must accept S3 server access logs under `s3Prefix` and CloudFront standard logs (ACLs enabled). */
  bucket: IBucket;
  /** Prefix of the web bucket's S3 server access logs, ending in `/`. */
  s3Prefix: string;
  /** Prefix of the distribution's standard logs, ending in `/`. */
  cloudFrontPrefix: string;
}

/** Props of {@link WebApp}. */
export interface WebAppProps {
  accessLogs: WebAccessLogs;
  /** Shown in the CloudFront console. @default 'Skycast web app' */
  comment?: string;
  /** @default PriceClass.PRICE_CLASS_ALL — viewers anywhere get a nearby edge */
  priceClass?: PriceClass;
}

/** A browser asking for a client-side route (`/watch/abc`) gets the app shell, which routes it. */
const SPA_FALLBACK_STATUSES = [403, 404];

/**
 * The web app's hosting: a private bucket behind a CloudFront distribution that reaches it through Origin
 * Access Control, HTTPS only, HTTP/2 and HTTP/3, security headers, `index.html` as root object and SPA
 * fallback, with access logs. Its content is deployed by {@link WebContent}.
 *
 * The bucket lives here, with its distribution, rather than with the stateful resources: OAC writes the
 * distribution's ARN into the bucket policy, so a bucket in the data stack would depend on this stack while
 * this stack depends on the data stack. Nothing is lost with it: its content is rebuilt from the repository
 * on every deploy, which is also why it is emptied and deleted with the stack.
 */
export class WebApp extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://<id>.cloudfront.net`, without a trailing slash. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, id);
    const { accessLogs } = props;

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
      lifecycleRules: [
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    // Set on the L1 rather than through `serverAccessLogsBucket`: for a bucket in another stack that prop
    // adds a log-delivery statement without any source condition to it. The logs bucket already allows
    // deliveries from this account under its prefix.
    (this.bucket.node.defaultChild as CfnBucket).loggingConfiguration = {
      destinationBucketName: accessLogs.bucket.bucketName,
      logFilePrefix: accessLogs.s3Prefix,
    };

    this.distribution = new Distribution(this, 'Distribution', {
      comment: props.comment ?? 'Skycast web app',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        compress: true,
      },
      errorResponses: SPA_FALLBACK_STATUSES.map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(10),
      })),
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      priceClass: props.priceClass ?? PriceClass.PRICE_CLASS_ALL,
      enableLogging: true,
      logBucket: accessLogs.bucket,
      logFilePrefix: accessLogs.cloudFrontPrefix,
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    NagSuppressions.addResourceSuppressions(this.distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Skycast is meant for viewers anywhere; which countries to block is a legal decision for each ' +
          'operator, not a default the open-source stack can make.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The web distribution serves static files only (the API has its own throttling and authorizer); ' +
          'AWS WAF is billed per web ACL and request, so attaching one is left to operators who want it.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution uses the default *.cloudfront.net certificate, whose security policy CloudFront ' +
          'fixes at TLSv1; enforcing TLSv1.2 needs a custom domain with its own ACM certificate.',
      },
    ]);
  }
}
