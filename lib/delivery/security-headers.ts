import { Duration } from 'aws-cdk-lib';
import {
  HeadersFrameOption,
  HeadersReferrerPolicy,
  type ResponseSecurityHeadersBehavior,
} from 'aws-cdk-lib/aws-cloudfront';
import { mediaSecurityHeaders } from '#contract/delivery.ts';

/**
 * The security headers every Skycast distribution sends, as the local media server sends them too
 * (contract/delivery.ts): no sniffing, no framing, the origin only as referrer, HSTS. A distribution adds what
 * is its own, such as the web app's Content-Security-Policy.
 */
export function securityHeadersBehavior(
  extra: Partial<ResponseSecurityHeadersBehavior> = {},
): ResponseSecurityHeadersBehavior {
  const hsts = mediaSecurityHeaders.strictTransportSecurity;
  return {
    contentTypeOptions: { override: true },
    frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
    referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
    strictTransportSecurity: {
      accessControlMaxAge: Duration.seconds(hsts.maxAgeSeconds),
      includeSubdomains: hsts.includeSubdomains,
      override: true,
    },
    ...extra,
  };
}
