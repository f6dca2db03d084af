/**
 * The edge of the deployment: per-route throttles and CORS of the HTTP API from lambdas/contract/api-edge.ts,
 * the web app's Content-Security-Policy from lambdas/contract/content-security.ts, and AWS WAF on the
 * distribution when the stage asks for it (off in dev, on in prod, or an existing web ACL by ARN).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { apiCors, DEFAULT_ROUTE_THROTTLE, ROUTE_THROTTLES, routeThrottle } from '#contract/api-edge.ts';
import { contentSecurityDirectives } from '#contract/content-security.ts';
import { routeKey, routes } from '#contract/routes.ts';
import { WebFirewall } from '../../lib/delivery/web-firewall.ts';
import {
  type Cfn,
  describe$,
  ref,
  resource,
  resourcesOfType,
  serviceOf,
  synthBothStages,
  synthSkycast,
} from './support/synth.ts';

const { dev, prod } = synthBothStages();
const withArn = synthSkycast({
  stage: 'dev',
  settings: {
    waf: {
      webAclArn:
        'arn:aws:wafv2:us-east-1:123456789012:global/webacl/skycast/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
    },
  },
});
after(() => withArn.dispose());

const only = (synth: typeof dev, type: string): Cfn => {
  const found = Object.values(resourcesOfType(serviceOf(synth), type));
  assert.equal(found.length, 1, type);
  return found[0]?.Properties;
};
const distributionOf = (synth: typeof dev) => only(synth, 'AWS::CloudFront::Distribution').DistributionConfig;

describe('HTTP API throttling', () => {
  it("gives each write route of the contract its own, tighter limit, and the others the stage's", () => {
    for (const synth of [dev, prod]) {
      const stage = only(synth, 'AWS::ApiGatewayV2::Stage');
      const settings = stage.RouteSettings as Record<string, Cfn>;
      for (const route of routes) {
        const { operationId } = route.operation;
        const expected = routeThrottle(operationId, synth.settings.apiThrottle);
        const own = settings[routeKey(route)];
        if (operationId in ROUTE_THROTTLES) {
          assert.deepEqual(own, {
            ThrottlingBurstLimit: expected.burstLimit,
            ThrottlingRateLimit: expected.rateLimit,
          });
          assert.ok(expected.rateLimit < synth.settings.apiThrottle.rateLimit, operationId);
        } else {
          assert.equal(own, undefined, `${operationId} keeps the stage default`);
        }
      }
      assert.ok(Object.keys(settings).length >= 3);
    }
  });

  it('names in route settings only routes that CloudFormation creates before the stage', () => {
    const template = serviceOf(dev);
    const [stageId, stage] = Object.entries(resourcesOfType(template, 'AWS::ApiGatewayV2::Stage'))[0]!;
    const routeIds = Object.entries(resourcesOfType(template, 'AWS::ApiGatewayV2::Route'));
    for (const key of Object.keys(stage.Properties.RouteSettings)) {
      const [id] = routeIds.find(([, route]) => route.Properties.RouteKey === key) ?? [];
      assert.ok(id, `no route ${key}`);
      assert.ok(stage.DependsOn?.includes(id), `${stageId} must depend on ${id}`);
    }
  });

  it('names only operations of the route table in the contract, each tighter than the default', () => {
    const operations = new Set(routes.map((route) => route.operation.operationId));
    for (const [operationId, limit] of Object.entries(ROUTE_THROTTLES)) {
      assert.ok(operations.has(operationId), operationId);
      assert.ok(limit.burstLimit <= DEFAULT_ROUTE_THROTTLE.burstLimit, operationId);
      assert.ok(limit.rateLimit < DEFAULT_ROUTE_THROTTLE.rateLimit, operationId);
    }
  });
});

describe('HTTP API CORS', () => {
  it("allows the contract's request headers only, and exposes the request id", () => {
    const api = only(dev, 'AWS::ApiGatewayV2::Api');
    assert.deepEqual(api.CorsConfiguration.AllowHeaders, [...apiCors.allowHeaders]);
    assert.deepEqual(api.CorsConfiguration.ExposeHeaders, [...apiCors.exposeHeaders]);
    assert.equal(api.CorsConfiguration.MaxAge, apiCors.maxAgeSeconds);
    assert.ok(!api.CorsConfiguration.AllowHeaders.includes('*'));
  });
});

describe("the web app's Content-Security-Policy", () => {
  const policyOf = (synth: typeof dev): Record<string, string[]> => {
    const id = describe$(synth, distributionOf(synth).DefaultCacheBehavior.ResponseHeadersPolicyId).slice(
      2,
      -1,
    );
    const config = resource(synth, id).Properties.ResponseHeadersPolicyConfig;
    const header = config.SecurityHeadersConfig.ContentSecurityPolicy;
    assert.equal(header.Override, true);
    const text = describe$(synth, header.ContentSecurityPolicy);
    return Object.fromEntries(
      text.split('; ').map((directive) => {
        const [name, ...values] = directive.split(' ');
        return [name, values];
      }),
    );
  };

  it('allows scripts from the app only (WebAssembly for the IVS player), no inline script or eval', () => {
    const policy = policyOf(dev);
    assert.deepEqual(policy['default-src'], ["'self'"]);
    assert.deepEqual(policy['script-src'], ["'self'", "'wasm-unsafe-eval'"]);
    assert.deepEqual(policy['object-src'], ["'none'"]);
    assert.deepEqual(policy['frame-ancestors'], ["'none'"]);
    for (const values of Object.values(policy)) {
      assert.ok(!values.includes("'unsafe-inline'") && !values.includes("'unsafe-eval'"));
    }
  });

  const [region, urlSuffix] = [ref('AWS::Region'), ref('AWS::URLSuffix')];
  it("lets the app call this region's API and Cognito and play IVS, and its players use blob: media and workers", () => {
    const policy = policyOf(dev);
    assert.ok(policy['connect-src']?.includes(`https://*.execute-api.${region}.${urlSuffix}`));
    assert.ok(policy['connect-src']?.includes(`https://cognito-idp.${region}.${urlSuffix}`));
    assert.ok(policy['connect-src']?.includes('https://*.live-video.net'));
    // Upload parts go straight to the uploads bucket through presigned URLs.
    assert.ok(policy['connect-src']?.includes(`https://*.s3.${region}.${urlSuffix}`));
    assert.ok(policy['media-src']?.includes('blob:'));
    assert.ok(policy['worker-src']?.includes('blob:'));
  });

  it('is the one definition of the contract, directive for directive', () => {
    const names = contentSecurityDirectives({ connect: [], media: [], uploads: [] }).map(([name]) => name);
    assert.deepEqual(Object.keys(policyOf(prod)), names);
  });
});

describe('AWS WAF on the distribution', () => {
  it('is off in dev: no web ACL, and the nag finding is suppressed with the reason', () => {
    assert.equal(Object.keys(resourcesOfType(serviceOf(dev), 'AWS::WAFv2::WebACL')).length, 0);
    assert.equal(distributionOf(dev).WebACLId, undefined);
  });

  it('is on in prod: a CloudFront web ACL whose rate rule answers 429 per client IP, attached', () => {
    const acl = only(prod, 'AWS::WAFv2::WebACL');
    assert.equal(acl.Scope, 'CLOUDFRONT');
    assert.deepEqual(acl.DefaultAction, { Allow: {} });
    const [rule] = acl.Rules as Cfn[];
    assert.equal(rule.Statement.RateBasedStatement.AggregateKeyType, 'IP');
    assert.ok(rule.Statement.RateBasedStatement.Limit >= 100);
    assert.equal(rule.Action.Block.CustomResponse.ResponseCode, 429);
    const body = acl.CustomResponseBodies[rule.Action.Block.CustomResponse.CustomResponseBodyKey];
    assert.deepEqual(JSON.parse(body.Content), { message: 'Too Many Requests' });
    const [aclId] = Object.keys(resourcesOfType(serviceOf(prod), 'AWS::WAFv2::WebACL'));
    assert.equal(describe$(prod, distributionOf(prod).WebACLId), `\${${aclId}.Arn}`);
  });

  it('makes CloudFormation refuse a prod stack outside us-east-1, where CloudFront web ACLs live', () => {
    const rules = (serviceOf(prod) as Cfn).Rules as Record<string, Cfn>;
    const [rule] = Object.values(rules).filter((candidate) =>
      JSON.stringify(candidate).includes('us-east-1'),
    );
    assert.deepEqual(rule.Assertions[0].Assert, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] });
    assert.match(rule.Assertions[0].AssertDescription, /wafAclArn/);
    assert.equal(
      Object.values((serviceOf(dev) as Cfn).Rules ?? {}).filter((candidate) =>
        JSON.stringify(candidate).includes('us-east-1'),
      ).length,
      0,
    );
  });

  it('refuses at synthesis a stack with a fixed region other than us-east-1', () => {
    const stack = new Stack(new App(), 'Elsewhere', { env: { region: 'eu-west-1' } });
    assert.throws(() => new WebFirewall(stack, 'Firewall', { metricPrefix: 'x' }), /us-east-1 only/);
    const here = new Stack(new App(), 'Here', { env: { region: 'us-east-1' } });
    assert.doesNotThrow(() => new WebFirewall(here, 'Firewall', { metricPrefix: 'x' }));
  });

  it('attaches an existing web ACL by ARN without making one', () => {
    assert.equal(Object.keys(resourcesOfType(serviceOf(withArn), 'AWS::WAFv2::WebACL')).length, 0);
    assert.match(distributionOf(withArn).WebACLId, /^arn:aws:wafv2:us-east-1:123456789012:global\/webacl\//);
  });
});
