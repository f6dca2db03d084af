import { Aws, Duration } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  type BehaviorOptions,
  CacheCookieBehavior,
  CachedMethods,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  type IOrigin,
  PriceClass,
  ResponseHeadersPolicy,
  S3OriginAccessControl,
  SecurityPolicyProtocol,
  Signing,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { MediaDomain } from '../shared/settings.ts';
import {
  type DeliveryBehaviour,
  type DeliveryOrigin,
  deliveryBehaviours,
  deliveryOrigins,
  ERROR_CACHING_SECONDS,
  mediaCors,
  mediaSecurityHeaders,
} from '../wiring/delivery.ts';

/** Props of {@link MediaCdn}. */
export interface MediaCdnProps {
  /**
   * The buckets the behaviours read from, by role. Their policies must already let this account's
   * distributions read them through OAC (the data stack's Storage does): this construct does not touch them.
   */
  buckets: Record<DeliveryOrigin, IBucket>;
  /** Where CloudFront standard logs go: a bucket that accepts them (ACLs enabled), and a prefix ending in `/`. */
  accessLogs: { bucket: IBucket; prefix: string };
  /** Origins whose pages may read media with fetch/XHR (CORS), e.g. the web app's URL. */
  allowOrigins: string[];
  /**
   * Region of Origin Shield, the one cache layer all edges go through before the buckets; `false` for none.
   * @default the stack's region, where the buckets are
   */
  originShieldRegion?: string | false;
  /** A domain of the operator's own, with its certificate. @default the distribution's *.cloudfront.net name */
  domain?: MediaDomain;
  /** @default the delivery table of lib/wiring/delivery.ts */
  behaviours?: readonly DeliveryBehaviour[];
  /** Shown in the CloudFront console. @default 'Skycast media' */
  comment?: string;
  /** @default PriceClass.PRICE_CLASS_ALL — viewers anywhere get a nearby edge */
  priceClass?: PriceClass;
}

/**
 * The media distribution: videos, thumbnails and recordings from their buckets, through Origin Access Control
 * and Origin Shield, with one cache behaviour per row of the delivery table (lib/wiring/delivery.ts). Rows that
 * cache alike share a cache policy, rows that tell viewers the same Cache-Control share a response headers
 * policy (CORS for `allowOrigins`, security headers, and that Cache-Control unless the object sets its own):
 * accounts hold 20 of each, so two stages must fit.
 *
 * Origin Shield makes the origin load independent of the audience: every edge asks the one shield region, so a
 * live playlist cached for one second costs the bucket about one request per second, however many watch.
 * HTTPS only, HTTP/2 and HTTP/3, IPv6, standard logs to the access-logs bucket, and no compression: segments
 * are compressed already, and byte ranges and ETags must mean the same bytes everywhere, locally too.
 */
export class MediaCdn extends Construct {
  readonly distribution: Distribution;
  /** `https://<media domain or id.cloudfront.net>`, without a trailing slash. */
  readonly url: string;
  /** The cache policies, by the ids of the rows that use them. */
  readonly cachePolicies: Record<string, CachePolicy>;
  /** The response headers policies, by the ids of the rows that use them. */
  readonly responseHeadersPolicies: Record<string, ResponseHeadersPolicy>;

  constructor(scope: Construct, id: string, props: MediaCdnProps) {
    super(scope, id);
    const behaviours = props.behaviours ?? deliveryBehaviours;
    const fallback = behaviours.at(-1);
    if (fallback?.pathPattern !== '*') {
      throw new Error("The delivery table's last row must be the default behaviour, with path pattern '*'.");
    }

    // One OAC for both buckets: it only says "sign requests with SigV4"; each bucket's policy decides.
    const originAccessControl = new S3OriginAccessControl(this, 'OriginAccessControl', {
      description: 'Skycast media: CloudFront signs every request to the media buckets',
      signing: Signing.SIGV4_ALWAYS,
    });
    const shieldRegion = props.originShieldRegion ?? Aws.REGION;
    const origins = Object.fromEntries(
      deliveryOrigins(behaviours).map((role) => [
        role,
        // withBucketDefaults plus our OAC rather than withOriginAccessControl: the latter writes the bucket
        // policy, which lives in the data stack (see Storage's allowMediaDistribution for why).
        S3BucketOrigin.withBucketDefaults(props.buckets[role], {
          originAccessControlId: originAccessControl.originAccessControlId,
          originShieldEnabled: shieldRegion !== false,
          ...(shieldRegion === false ? {} : { originShieldRegion: shieldRegion }),
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
      };
    };

    const certificate = props.domain
      ? Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn)
      : undefined;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: props.comment ?? 'Skycast media',
      defaultBehavior: behaviourOptions(fallback),
      additionalBehaviors: Object.fromEntries(
        behaviours.slice(0, -1).map((row) => [row.pathPattern, behaviourOptions(row)]),
      ),
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        ttl: Duration.seconds(ERROR_CACHING_SECONDS),
      })),
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      priceClass: props.priceClass ?? PriceClass.PRICE_CLASS_ALL,
      enableLogging: true,
      logBucket: props.accessLogs.bucket,
      logFilePrefix: props.accessLogs.prefix,
      ...(props.domain && certificate
        ? {
            domainNames: [props.domain.name],
            certificate,
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    this.url = `https://${props.domain?.name ?? this.distribution.distributionDomainName}`;

    NagSuppressions.addResourceSuppressions(this.distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Skycast is meant for viewers anywhere; which countries to block is a legal decision for each ' +
          'operator (and their content licences), not a default the open-source stack can make.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The media distribution serves cacheable GET/HEAD of video files only, and Origin Shield keeps the ' +
          'bucket load independent of request volume; AWS WAF is billed per web ACL and per request, which at ' +
          'video request rates is a large cost, so attaching one is left to operators who want it.',
      },
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
    const security = mediaSecurityHeaders;
    return new ResponseHeadersPolicy(this, id, {
      comment: `Skycast media: CORS, security headers, Cache-Control ${cacheControl}`,
      corsBehavior: {
        accessControlAllowCredentials: mediaCors.allowCredentials,
        accessControlAllowHeaders: [...mediaCors.allowHeaders],
        accessControlAllowMethods: [...mediaCors.allowMethods],
        accessControlAllowOrigins: allowOrigins,
        accessControlExposeHeaders: [...mediaCors.exposeHeaders],
        accessControlMaxAge: Duration.seconds(mediaCors.maxAgeSeconds),
        originOverride: true,
      },
      securityHeadersBehavior: {
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(security.strictTransportSecurity.maxAgeSeconds),
          includeSubdomains: security.strictTransportSecurity.includeSubdomains,
          override: true,
        },
      },
      // Not overriding: an object that was written with its own Cache-Control keeps it.
      customHeadersBehavior: {
        customHeaders: [{ header: 'Cache-Control', value: cacheControl, override: false }],
      },
    });
  }
}
