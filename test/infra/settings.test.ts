import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { App, RemovalPolicy } from 'aws-cdk-lib';
import { MAX_PLANNABLE_BYTES } from '#contract/part-plan.ts';
import { applicationName, settingsFor, settingsFromContext } from '../../lib/shared/settings.ts';
import { temporaryFolder } from './support/synth.ts';

const fromContext = (context: Record<string, unknown>) => settingsFromContext(new App({ context }).node);
const folder = temporaryFolder('web-assets');
after(() => rmSync(folder, { recursive: true, force: true }));

describe('settingsFromContext', () => {
  it('deploys the dev stage unless told otherwise', () => {
    assert.equal(fromContext({}).stage, 'dev');
    assert.equal(fromContext({ stage: 'prod' }).stage, 'prod');
  });

  it('refuses a stage it does not know, naming the ones it does', () => {
    assert.throws(() => fromContext({ stage: 'staging' }), /must be one of dev, prod, not "staging"/);
  });

  it('keeps prod resources and protects them, and lets dev ones go', () => {
    const prod = settingsFor('prod');
    assert.equal(prod.removalPolicy, RemovalPolicy.RETAIN);
    assert.equal(prod.deletionProtection, true);
    assert.equal(prod.threatProtection, true);
    const dev = settingsFor('dev');
    assert.equal(dev.removalPolicy, RemovalPolicy.DESTROY);
    assert.equal(dev.deletionProtection, false);
    assert.equal(dev.threatProtection, false);
    assert.ok(prod.logRetention > dev.logRetention);
    assert.ok(prod.accessLogsExpiration.toDays() > dev.accessLogsExpiration.toDays());
  });

  it('reads -c threatProtection=true|false as CDK passes it (a string), and nothing else', () => {
    assert.equal(fromContext({ threatProtection: 'true' }).threatProtection, true);
    assert.equal(fromContext({ stage: 'prod', threatProtection: 'false' }).threatProtection, false);
    assert.throws(() => fromContext({ threatProtection: 'yes' }), /"threatProtection" must be true or false/);
  });

  it('takes the web app folder from -c webAssets, and refuses one that does not exist', () => {
    assert.equal(fromContext({ webAssets: folder }).webAssetsPath, folder);
    assert.throws(() => fromContext({ webAssets: `${folder}/missing` }), /no folder at/);
  });

  it('takes extra CORS origins from -c corsOrigins and refuses what is not an origin', () => {
    assert.deepEqual(
      fromContext({ corsOrigins: 'http://localhost:5173, https://example.com' }).extraCorsOrigins,
      ['http://localhost:5173', 'https://example.com'],
    );
    assert.deepEqual(fromContext({}).extraCorsOrigins, []);
    assert.throws(() => fromContext({ corsOrigins: 'https://example.com/app' }), /not an origin/);
    assert.throws(() => fromContext({ corsOrigins: 'localhost:5173' }), /not an origin/);
  });

  it('sets an upload size limit only when -c uploadMaxBytes asks for one, as a whole number of bytes', () => {
    assert.equal(fromContext({}).uploadMaxBytes, undefined);
    assert.equal(fromContext({ uploadMaxBytes: '1073741824' }).uploadMaxBytes, 1024 ** 3);
    assert.throws(() => fromContext({ uploadMaxBytes: '20GiB' }), /"uploadMaxBytes" must be a whole number/);
    assert.throws(() => fromContext({ uploadMaxBytes: '0' }), /"uploadMaxBytes" must be a whole number/);
    // More than the upload functions can split into S3's 10,000 parts: they would refuse it at init.
    assert.throws(
      () => fromContext({ uploadMaxBytes: String(MAX_PLANNABLE_BYTES + 1) }),
      /"uploadMaxBytes" must be a whole number/,
    );
  });
});

describe('settingsFromContext: per-user quotas', () => {
  it("leaves the handlers' defaults unless -c quota.<name> sets a limit, a whole number from 1", () => {
    assert.equal(fromContext({}).userQuotas, undefined);
    assert.deepEqual(fromContext({ 'quota.openUploads': '3', 'quota.clipsPerHour': 100 }).userQuotas, {
      openUploads: 3,
      clipsPerHour: 100,
    });
    assert.throws(
      () => fromContext({ 'quota.streamsPerHour': '0' }),
      /"quota.streamsPerHour" must be a whole/,
    );
    assert.throws(
      () => fromContext({ 'quota.uploadBytesInFlight': '100GiB' }),
      /"quota.uploadBytesInFlight"/,
    );
  });
});

describe('settingsFromContext: media delivery', () => {
  const certificateArn =
    'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';

  it("leaves Origin Shield in the stack's region unless -c originShieldRegion names one, or off", () => {
    assert.equal(fromContext({}).originShieldRegion, undefined);
    assert.equal(fromContext({ originShieldRegion: 'eu-west-2' }).originShieldRegion, 'eu-west-2');
    assert.equal(fromContext({ originShieldRegion: 'off' }).originShieldRegion, false);
    assert.throws(
      () => fromContext({ originShieldRegion: 'Frankfurt' }),
      /"originShieldRegion" must be an AWS region code/,
    );
  });

  it('takes a media domain and its certificate together, or neither', () => {
    assert.equal(fromContext({}).mediaDomain, undefined);
    assert.deepEqual(
      fromContext({ mediaDomain: 'Media.Example.com', mediaCertificateArn: certificateArn }).mediaDomain,
      { name: 'media.example.com', certificateArn },
    );
    assert.throws(() => fromContext({ mediaDomain: 'media.example.com' }), /go together/);
    assert.throws(() => fromContext({ mediaCertificateArn: certificateArn }), /go together/);
  });

  it('refuses a media domain that is not a host name, and a certificate outside us-east-1', () => {
    assert.throws(
      () => fromContext({ mediaDomain: 'https://media.example.com', mediaCertificateArn: certificateArn }),
      /must be a host name/,
    );
    assert.throws(
      () =>
        fromContext({
          mediaDomain: 'media.example.com',
          mediaCertificateArn: certificateArn.replace('us-east-1', 'eu-west-1'),
        }),
      /ACM certificate in us-east-1/,
    );
  });
});

describe('applicationName', () => {
  it('names each stage apart, so one account can hold both', () => {
    assert.equal(applicationName('dev'), 'skycast-dev');
    assert.equal(applicationName('prod'), 'skycast-prod');
  });
});

describe('the waf setting', () => {
  it('is off in dev and on in prod, and -c waf=true|false turns it either way', () => {
    assert.equal(fromContext({}).waf, 'off');
    assert.equal(fromContext({ stage: 'prod' }).waf, 'create');
    assert.equal(fromContext({ waf: 'true' }).waf, 'create');
    assert.equal(fromContext({ stage: 'prod', waf: 'false' }).waf, 'off');
    assert.throws(() => fromContext({ waf: 'on' }), /"waf" must be true or false/);
  });

  it('takes the ARN of a CloudFront web ACL made in us-east-1, and nothing else', () => {
    const arn =
      'arn:aws:wafv2:us-east-1:123456789012:global/webacl/skycast/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
    assert.deepEqual(fromContext({ wafAclArn: arn }).waf, { webAclArn: arn });
    const regional = arn.replace('global/', 'regional/');
    assert.throws(() => fromContext({ wafAclArn: regional }), /made in us-east-1/);
    assert.throws(
      () => fromContext({ wafAclArn: arn.replace('us-east-1', 'eu-west-1') }),
      /made in us-east-1/,
    );
    assert.throws(() => fromContext({ wafAclArn: arn, waf: 'false' }), /cannot go with waf=false/);
  });
});
