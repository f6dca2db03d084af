/**
 * IAM on the local platform: a function whose route loses one grant gets AccessDenied from the local gateway
 * for exactly that call, naming the action and the resource, while a function that keeps the grant makes the
 * same call; and every function's calls are listed against its grants.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Route, routes } from '#contract/routes.ts';
import { formatUsageReport } from '../../local/iam/index.ts';
import { type RunningPlatform, startPlatform } from '../../local/platform.ts';
import { callApi, fetchJson, newSignedInUser, type WebConfig } from './support/client.ts';

/** The route table with getMe's user pool grant taken away. */
const withoutGetMeUserPool: Route[] = routes.map((route) => {
  if (route.operation.operationId !== 'getMe') return route;
  const { userPool: _removed, ...access } = route.access;
  return { ...route, access };
});

describe('IAM on the local platform', () => {
  let platform: RunningPlatform;
  let config: WebConfig;

  before(async () => {
    platform = await startPlatform({
      port: 0,
      rtmpPort: 0,
      quiet: true,
      iam: true,
      routes: withoutGetMeUserPool,
      quotas: { openUploads: 1 },
    });
    config = (await fetchJson(`${platform.url}/config.json`)).body;
  });
  after(() => platform?.stop());

  it('denies the call a removed grant allowed, naming the action and the resource', async () => {
    const user = await newSignedInUser(platform.url, config);
    // getMe's first call makes the profile from what the user pool knows: AdminGetUser, which it may no longer call.
    const { status } = await callApi(config, 'GET', '/me', { token: user.tokens.AccessToken });
    assert.equal(status, 500);
    const poolArn = `arn:aws:cognito-idp:us-east-1:123456789012:userpool/${config.userPoolId}`;
    const denial = platform.iam?.denials().find((entry) => entry.functionName === 'skycast-getMe');
    assert.ok(denial, 'the gateway recorded the denial');
    assert.equal(denial.action, 'cognito-idp:AdminGetUser');
    assert.equal(denial.resource, poolArn);
    assert.match(
      denial.message,
      /^User: arn:aws:sts::123456789012:assumed-role\/skycast-getMe-role\/skycast-getMe is not authorized to perform: cognito-idp:AdminGetUser on resource: arn:aws:cognito-idp:/,
    );
  });

  it('allows the same call to a function that keeps the grant', async () => {
    const user = await newSignedInUser(platform.url, config);
    const { status, body } = await callApi(config, 'PATCH', '/me/preferences', {
      token: user.tokens.AccessToken,
      body: { language: 'en' },
    });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.email, user.email);
    const usage = platform.iam?.usage().find((entry) => entry.functionName === 'skycast-updatePreferences');
    assert.ok(usage?.used.includes('cognito-idp:AdminGetUser'));
    assert.ok(!platform.iam?.denials().some((entry) => entry.functionName === 'skycast-updatePreferences'));
  });

  it('lets the upload functions keep their quota counters in the catalog within their grants', async () => {
    const user = await newSignedInUser(platform.url, config);
    const token = user.tokens.AccessToken;
    const upload = { fileName: 'clip.mp4', size: 1024, contentType: 'video/mp4' };

    const first = await callApi(config, 'POST', '/uploads', { token, body: upload });
    const second = await callApi(config, 'POST', '/uploads', { token, body: upload });
    const aborted = await callApi(config, 'DELETE', `/uploads/${first.body.videoId}`, { token });
    const third = await callApi(config, 'POST', '/uploads', { token, body: upload });

    assert.deepEqual([first.status, second.status, aborted.status, third.status], [201, 429, 204, 201]);
    assert.equal(second.body.code, 'QUOTA_EXCEEDED');
    const denied = platform.iam?.denials().filter((entry) => /Upload$/.test(entry.functionName)) ?? [];
    assert.deepEqual(denied, []);
  });

  it('lists what each function called against what it is granted', () => {
    const usage = platform.iam?.usage() ?? [];
    const getMe = usage.find((entry) => entry.functionName === 'skycast-getMe');
    assert.ok(getMe?.denied.includes('cognito-idp:AdminGetUser'));
    assert.ok(!getMe?.granted.includes('cognito-idp:AdminGetUser'));
    const report = formatUsageReport(usage);
    assert.match(report, /skycast-updatePreferences {2}\(\d+ used of \d+ granted\)/);
    console.log(report);
  });
});
