import { Aws, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import {
  AllowedMethods,
  type BehaviorOptions,
  CacheCookieBehavior,
  CachedMethods,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  type Distribution,
  type IKeyGroup,
  type IOrigin,
  ResponseHeadersPolicy,
  S3OriginAccessControl,
  Signing,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { FunctionUrlOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { type FunctionUrl, FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import {
  type DeliveryBehaviour,
  type DeliveryBucket,
  type DeliveryOrigin,
  deliveryBehaviours,
  deliveryOrigins,
  mediaCors,
} from '#contract/delivery.ts';
import { MANIFEST_FUNCTION } from '#contract/functions.ts';
import { grantAccess } from '../shared/access.ts';
import { SkycastFunction } from '../shared/skycast-function.ts';
import { securityHeadersBehavior } from './security-headers.ts';

/** Props of {@link MediaCdn}. */
export interface MediaCdnProps {
  /** This deployment's application name (`skycast-<stage>`). */
  application: string;
  /** The web app's distribution, which the media behaviours join (so playback cookies are same-origin). */
  distribution: Distribution;
  /**
   * The buckets the behaviours read from, by role. Their policies must already let this account's
   * distributions read them through OAC (the data stack's Storage does): this construct does not touch them.
   */
  buckets: Record<DeliveryBucket, IBucket>;
  /** The key group whose signed cookies (or URLs) every media behaviour requires. */
  keyGroup: IKeyGroup;
  /**
   * Other origins whose pages may read media with fetch/XHR (CORS), e.g. a dev server; the web app itself is
   * same-origin (and naming its URL here would make the distribution depend on itself).
   */
  allowOrigins: string[];
  /**
   * Region of Origin Shield, the one cache layer all edges go through before the origins; `false` for none.
   * @default the stack's region, where the buckets are
   */
  originShieldRegion?: string | false;
  /** @default the delivery table of lambdas/contract/delivery.ts */
  behaviours?: readonly DeliveryBehaviour[];
  /** Retention of the manifest function's logs. @default RetentionDays.ONE_MONTH */
  logRetention?: RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  logRemovalPolicy?: RemovalPolicy;
}

/**
 * Media on the web app's distribution: videos, thumbnails and recordings from their buckets through Origin
 * Access Control, generated playlists from the manifest Lambda through its function URL (IAM auth, signed by
 * CloudFront's OAC for Lambda, so nothing else can call it), all through Origin Shield, one cache behaviour per
 * row of the delivery table (lambdas/contract/delivery.ts), each requiring a signed cookie of the playback key group.
 * Rows that cache alike share a cache policy, rows that tell viewers the same Cache-Control share a response
 * headers policy (CORS for `allowOrigins`, security headers, and that Cache-Control unless the object sets its
 * own): accounts hold 20 of each, so two stages must fit.
 *
 * Origin Shield makes the origin load independent of the audience: every edge asks the one shield region, so a
 * live playlist cached for one second costs the bucket about one request per second, however many watch.
 * No compression: segments are compressed already, and byte ranges and ETags must mean the same bytes
 * everywhere, locally too.
 */
export class MediaCdn extends Construct {
  /** The manifest Lambda and its function URL. */
  readonly manifestFunction: SkycastFunction;
  readonly manifestUrl: FunctionUrl;
  /** The cache policies, by the ids of the rows that use them. */
  readonly cachePolicies: Record<string, CachePolicy>;
  /** The response headers policies, by the ids of the rows that use them. */
  readonly responseHeadersPolicies: Record<string, ResponseHeadersPolicy>;

  constructor(scope: Construct, id: string, props: MediaCdnProps) {
    super(scope, id);
    const behaviours = props.behaviours ?? deliveryBehaviours;

    this.manifestFunction = new SkycastFunction(this, 'Manifest', {
      entry: MANIFEST_FUNCTION.entry,
      description: 'Generates filtered multivariant playlists and clip playlists for CloudFront',
      serviceName: MANIFEST_FUNCTION.serviceName,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      ...(props.logRemovalPolicy ? { logRemovalPolicy: props.logRemovalPolicy } : {}),
    });
    grantAccess(this.manifestFunction, MANIFEST_FUNCTION, {
      application: props.application,
      buckets: props.buckets,
    });
    this.manifestUrl = this.manifestFunction.addFunctionUrl({ authType: FunctionUrlAuthType.AWS_IAM });
    NagSuppressions.addResourceSuppressions(this.manifestFunction, [
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'CloudFront calls the function URL synchronously and answers the viewer with its error; a ' +
          'dead-letter queue only ever receives failed asynchronous invocations.',
      },
    ]);

    // One OAC for both buckets: it only says "sign requests with SigV4"; each bucket's policy decides.
    const originAccessControl = new S3OriginAccessControl(this, 'OriginAccessControl', {
      description: 'Skycast media: CloudFront signs every request to the media buckets',
      signing: Signing.SIGV4_ALWAYS,
    });
    const shieldRegion = props.originShieldRegion ?? Aws.REGION;
    const shield = {
      originShieldEnabled: shieldRegion !== false,
      ...(shieldRegion === false ? {} : { originShieldRegion: shieldRegion }),
    };
    const origins = Object.fromEntries(
      deliveryOrigins(behaviours).map((role) => [
        role,
        role === 'manifest'
          ? FunctionUrlOrigin.withOriginAccessControl(this.manifestUrl, shield)
          : // withBucketDefaults plus our OAC rather than withOriginAccessControl: the latter writes the bucket
            // policy, which lives in the data stack (see Storage's allowMediaDistribution for why).
            S3BucketOrigin.withBucketDefaults(props.buckets[role], {
              originAccessControlId: originAccessControl.originAccessControlId,
              ...shield,
            }),
      ]),
    ) as Record<DeliveryOrigin, IOrigin>;

    this.cachePolicies = {};
    this.responseHeadersPolicies = {};
    const cachePolicyBySettings = new Map<string, CachePolicy>();
    const headersPolicyByCacheControl = new Map<string, ResponseHeadersPolicy>();
    const behaviourOptions = (row: DeliveryBehaviour): BehaviorOptions => {
      const settings = JSON.stringify([row.ttl, row.cacheKey]);
      let cachePolicy = cachePolicyBySettings.get(settings);
      if (!cachePolicy) {
        cachePolicy = this.cachePolicy(`CachePolicy${cachePolicyBySettings.size + 1}`, row);
        cachePolicyBySettings.set(settings, cachePolicy);
      }
      let headersPolicy = headersPolicyByCacheControl.get(row.cacheControl);
      if (!headersPolicy) {
        headersPolicy = this.responseHeadersPolicy(
          `ResponseHeaders${headersPolicyByCacheControl.size + 1}`,
          row.cacheControl,
          props.allowOrigins,
        );
        headersPolicyByCacheControl.set(row.cacheControl, headersPolicy);
      }
      this.cachePolicies[row.id] = cachePolicy;
      this.responseHeadersPolicies[row.id] = headersPolicy;
      return {
        origin: origins[row.origin],
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        // OPTIONS for CORS preflights (a player sending Range from script); only GET and HEAD are cached.
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachedMethods: CachedMethods.CACHE_GET_HEAD,
        cachePolicy,
        responseHeadersPolicy: headersPolicy,
        compress: false,
        // Private playback: no valid signed cookie (or URL) of the key group, 403 and no bytes.
        trustedKeyGroups: [props.keyGroup],
      };
    };
    for (const row of behaviours) {
      const options = behaviourOptions(row);
      props.distribution.addBehavior(row.pathPattern, options.origin, options);
    }
  }

  private cachePolicy(id: string, row: DeliveryBehaviour): CachePolicy {
    const { ttl, cacheKey } = row;
    return new CachePolicy(this, id, {
      comment: `Skycast media: ${ttl.defaultSeconds} s (${ttl.minSeconds}–${ttl.maxSeconds} s)`,
      minTtl: Duration.seconds(ttl.minSeconds),
      defaultTtl: Duration.seconds(ttl.defaultSeconds),
      maxTtl: Duration.seconds(ttl.maxSeconds),
      queryStringBehavior:
        cacheKey.queryStrings.length > 0
          ? CacheQueryStringBehavior.allowList(...cacheKey.queryStrings)
          : CacheQueryStringBehavior.none(),
      headerBehavior:
        cacheKey.headers.length > 0
          ? CacheHeaderBehavior.allowList(...cacheKey.headers)
          : CacheHeaderBehavior.none(),
      cookieBehavior:
        cacheKey.cookies.length > 0
          ? CacheCookieBehavior.allowList(...cacheKey.cookies)
          : CacheCookieBehavior.none(),
      // Media is served uncompressed (see the class comment), so Accept-Encoding stays out of the key.
      enableAcceptEncodingGzip: false,
      enableAcceptEncodingBrotli: false,
    });
  }

  private responseHeadersPolicy(
    id: string,
    cacheControl: string,
    allowOrigins: string[],
  ): ResponseHeadersPolicy {
    return new ResponseHeadersPolicy(this, id, {
      comment: `Skycast media: CORS, security headers, Cache-Control ${cacheControl}`,
      // Same-origin playback needs no CORS; only other origins (a dev server) do.
      ...(allowOrigins.length === 0
        ? {}
        : {
            corsBehavior: {
              accessControlAllowCredentials: mediaCors.allowCredentials,
              accessControlAllowHeaders: [...mediaCors.allowHeaders],
              accessControlAllowMethods: [...mediaCors.allowMethods],
              accessControlAllowOrigins: allowOrigins,
              accessControlExposeHeaders: [...mediaCors.exposeHeaders],
              accessControlMaxAge: Duration.seconds(mediaCors.maxAgeSeconds),
              originOverride: true,
            },
          }),
      securityHeadersBehavior: securityHeadersBehavior(),
      // Not overriding: an object that was written with its own Cache-Control keeps it.
      customHeadersBehavior: {
        customHeaders: [{ header: 'Cache-Control', value: cacheControl, override: false }],
      },
    });
  }
}
