import { Aws, CfnRule, Fn, Stack, Token } from 'aws-cdk-lib';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** AWS WAF keeps web ACLs for CloudFront (scope CLOUDFRONT) in this region only. */
export const CLOUDFRONT_WAF_REGION = 'us-east-1';

/**
 * Requests one client IP may send to the distribution in any five minutes. A viewer of a video asks for a
 * segment every few seconds and a page for a few dozen posters, so this leaves room for a household or an
 * office behind one address, and stops a single machine that scrapes or floods.
 */
export const DEFAULT_REQUESTS_PER_FIVE_MINUTES = 3000;

/** Props of {@link WebFirewall}. */
export interface WebFirewallProps {
  /** Names the metrics: `<prefix>-web-acl`, `<prefix>-rate-per-ip`. */
  metricPrefix: string;
  /** @default DEFAULT_REQUESTS_PER_FIVE_MINUTES */
  requestsPerFiveMinutes?: number;
}

/** The body of a rate-limited answer: API Gateway's, so clients handle both alike. */
const TOO_MANY_REQUESTS = 'too-many-requests';

/**
 * An AWS WAF web ACL for the web app and media distribution, with one rate-based rule: a client IP over
 * its limit in a five-minute window is answered 429 `{"message":"Too Many Requests"}` until it slows down.
 * Everything else is allowed; there are no managed rule groups (each is billed on top, and the API, where
 * request bodies go, is not behind CloudFront). HTTP APIs cannot take a web ACL at all (AWS WAF protects
 * API Gateway REST APIs only): the API relies on its per-route throttling.
 *
 * CloudFront takes web ACLs made in us-east-1 only. A stack with a fixed region elsewhere is refused here;
 * an environment-agnostic stack gets a template rule that makes CloudFormation refuse it before creating
 * anything, naming the way out (deploy in us-east-1, or pass the ARN of a web ACL made there, -c wafAclArn).
 */
export class WebFirewall extends Construct {
  readonly webAcl: CfnWebACL;
  /** What CloudFront's `webAclId` takes for AWS WAF (v2): the web ACL's ARN. */
  readonly webAclArn: string;

  constructor(scope: Construct, id: string, props: WebFirewallProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const advice =
      `AWS WAF web ACLs for CloudFront exist in ${CLOUDFRONT_WAF_REGION} only: deploy this stack there, ` +
      `pass -c wafAclArn=<ARN of a CLOUDFRONT web ACL made in ${CLOUDFRONT_WAF_REGION}>, or -c waf=false.`;
    if (!Token.isUnresolved(stack.region) && stack.region !== CLOUDFRONT_WAF_REGION) {
      throw new Error(`This stack is in ${stack.region}. ${advice}`);
    }
    new CfnRule(stack, 'WebFirewallRegion', {
      assertions: [
        { assert: Fn.conditionEquals(Aws.REGION, CLOUDFRONT_WAF_REGION), assertDescription: advice },
      ],
    });

    const metrics = (name: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName: `${props.metricPrefix}-${name}`,
      sampledRequestsEnabled: true,
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      description: 'Skycast web app and media: requests per client IP',
      defaultAction: { allow: {} },
      visibilityConfig: metrics('web-acl'),
      customResponseBodies: {
        [TOO_MANY_REQUESTS]: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({ message: 'Too Many Requests' }),
        },
      },
      rules: [
        {
          name: 'rate-per-ip',
          priority: 0,
          statement: {
            rateBasedStatement: {
              limit: props.requestsPerFiveMinutes ?? DEFAULT_REQUESTS_PER_FIVE_MINUTES,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
            },
          },
          action: {
            block: { customResponse: { responseCode: 429, customResponseBodyKey: TOO_MANY_REQUESTS } },
          },
          visibilityConfig: metrics('rate-per-ip'),
        },
      ],
    });
    this.webAclArn = this.webAcl.attrArn;
  }
}
