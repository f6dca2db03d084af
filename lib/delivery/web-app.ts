import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
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
import { ERROR_CACHING_SECONDS } from '#contract/delivery.ts';
import { MEDIA_PATH_PREFIXES } from '#contract/media-layout.ts';
import type { MediaDomain } from '../shared/settings.ts';
import { securityHeadersBehavior } from './security-headers.ts';

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
  /** A domain of the operator's own, with its certificate. @default the distribution's *.cloudfront.net name */
  domain?: MediaDomain;
  /**
   * The Content-Security-Policy every file of the web app is served with (lambdas/contract/content-security.ts
   * builds it). Required: the app has no inline script, and a policy says so to the browser.
   */
  contentSecurityPolicy: string;
  /**
   * The ARN of an AWS WAF web ACL (scope CLOUDFRONT, made in us-east-1) in front of the distribution, the
   * media behaviours included. @default none
   */
  webAclArn?: string;
}

/**
 * A browser asking for a client-side route (`/watch/abc`) gets the app shell, which routes it: a viewer-request
 * function rewrites paths without a file extension to `/index.html`. Not custom error responses, which apply
 * to the whole distribution: they would turn a media 403 (no valid signed cookie) into a 200 with the app
 * shell. Media paths are never rewritten (their behaviours do not run this function anyway).
 */
const SPA_ROUTING = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var media = ${JSON.stringify(MEDIA_PATH_PREFIXES)};
  for (var i = 0; i < media.length; i++) if (uri.indexOf(media[i]) === 0) return request;
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

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

    const spaRouting = new CloudFrontFunction(this, 'SpaRouting', {
      comment: 'Client-side routes get the app shell',
      code: FunctionCode.fromInline(SPA_ROUTING),
      runtime: FunctionRuntime.JS_2_0,
    });
    // The managed SECURITY_HEADERS policy has no Content-Security-Policy; this one has the same headers and it.
    const responseHeaders = new ResponseHeadersPolicy(this, 'ResponseHeaders', {
      comment: 'Skycast web app: Content-Security-Policy and security headers',
      securityHeadersBehavior: securityHeadersBehavior({
        contentSecurityPolicy: { contentSecurityPolicy: props.contentSecurityPolicy, override: true },
      }),
    });
    const certificate = props.domain
      ? Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn)
      : undefined;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: props.comment ?? 'Skycast web app',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: responseHeaders,
        compress: true,
        functionAssociations: [{ function: spaRouting, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      // A media playlist asked for a moment before it is written should not stay missing for long.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        ttl: Duration.seconds(ERROR_CACHING_SECONDS),
      })),
      ...(props.domain && certificate
        ? {
            domainNames: [props.domain.name],
            certificate,
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      priceClass: props.priceClass ?? PriceClass.PRICE_CLASS_ALL,
      enableLogging: true,
      logBucket: accessLogs.bucket,
      logFilePrefix: accessLogs.cloudFrontPrefix,
    });
    this.url = `https://${props.domain?.name ?? this.distribution.distributionDomainName}`;

    NagSuppressions.addResourceSuppressions(this.distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Skycast is meant for viewers anywhere; which countries to block is a legal decision for each ' +
          'operator, not a default the open-source stack can make.',
      },
      ...(props.webAclArn
        ? []
        : [
            {
              id: 'AwsSolutions-CFR2',
              reason:
                'AWS WAF is off in this stage (-c waf=false, the dev default): the distribution serves static ' +
                'files and cacheable GET/HEAD of media behind signed cookies, the API has its own per-route ' +
                'throttling and authorizer, and a web ACL is billed per month and per request. -c waf=true ' +
                '(the prod default) attaches one with a rate-based rule.',
            },
          ]),
      ...(props.domain
        ? []
        : [
            {
              id: 'AwsSolutions-CFR4',
              reason:
                'Without -c mediaDomain the distribution uses the default *.cloudfront.net certificate, whose ' +
                'security policy CloudFront fixes at TLSv1; with a domain and certificate it enforces TLSv1.2.',
            },
          ]),
    ]);
  }
}
