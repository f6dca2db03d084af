/**
 * Child process of the middleware benchmark. Its stdout goes to /dev/null: the handlers' JSON log lines are
 * still formatted and written, as in Lambda, without flooding the benchmark's output.
 *
 * 1. Starts moto, provisions the user pool and signs a user in, so there is a real RS256 access token.
 * 2. Builds getMe and updatePreferences with the REAL Cognito verifier; its first verification fetches and
 *    caches the pool's JWKS.
 * 3. Stops moto: from here on nothing can do I/O (a JWKS refetch would fail the run), so what is measured is
 *    the middleware stack — logging, error mapping, token verification, validation — and the use case over
 *    in-memory stores.
 */
import { randomUUID } from 'node:crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { startMoto } from '../../local/moto.ts';
import { emulatorClientConfig, provision } from '../../local/provision.ts';
import { createSignedInUser } from '../../test/support/accounts.ts';
import { failToParent, sendToParent } from './child.ts';
import { InMemoryProfileStore, InMemoryRevocationList, InMemoryUserDirectory } from './in-memory-accounts.ts';
import { type Distribution, distribution } from './stats.ts';

export interface MiddlewareSettings {
  warmupMs: number;
  measureMs: number;
}

export interface VariantResult {
  name: string;
  invocations: number;
  elapsedMs: number;
  perSecond: number;
  /** Per invocation, in microseconds. */
  micros: Distribution;
}

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const REGION = 'us-east-1';

// The handler modules also build their default handler at import, from the environment; give it settings
// that point nowhere (it is never invoked here) so importing them does not stop at the config check.
Object.assign(process.env, {
  AWS_REGION: REGION,
  USER_POOL_ID: `${REGION}_NotUsed`,
  USER_POOL_CLIENT_ID: 'notused',
  CATALOG_TABLE_NAME: 'not-used',
});

function claimsOf(token: string): Record<string, string | number> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

/** An HTTP API (payload 2.0) event as API Gateway sends it after its JWT authorizer let the request in. */
function apiEvent(
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Omit<APIGatewayProxyEventV2, 'requestContext'> & {
  requestContext: APIGatewayProxyEventV2['requestContext'];
} {
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: {
      accept: 'application/json',
      authorization: `Bearer ${token}`,
      host: 'api.skycast.example',
      'user-agent': 'skycast-bench',
      'x-forwarded-for': '203.0.113.10',
      'x-forwarded-proto': 'https',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'benchapi',
      domainName: 'api.skycast.example',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'skycast-bench' },
      requestId: 'set-per-invocation',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
      // What the Cognito JWT authorizer adds; the handler verifies the token again regardless.
      authorizer: { jwt: { claims: claimsOf(token), scopes: null } },
    } as APIGatewayProxyEventV2['requestContext'],
    isBase64Encoded: false,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}

function lambdaContext(functionName: string, requestId: string): Context {
  const deadline = Date.now() + 29_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2025/01/01/[$LATEST]bench',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** Calls `invoke` back to back: warm-up first, then timed one by one until the measuring window closes. */
async function measure(
  name: string,
  settings: MiddlewareSettings,
  invoke: () => Promise<void>,
): Promise<VariantResult> {
  const warmupEnd = performance.now() + settings.warmupMs;
  while (performance.now() < warmupEnd) await invoke();

  const micros: number[] = [];
  const start = process.hrtime.bigint();
  const end = start + BigInt(settings.measureMs) * 1_000_000n;
  let last = start;
  while (last < end) {
    const before = process.hrtime.bigint();
    await invoke();
    last = process.hrtime.bigint();
    micros.push(Number(last - before) / 1000);
  }
  const elapsedMs = Number(last - start) / 1e6;
  return {
    name,
    invocations: micros.length,
    elapsedMs,
    perSecond: micros.length / (elapsedMs / 1000),
    micros: distribution(micros),
  };
}

function expectStatus(response: APIGatewayProxyStructuredResultV2, status: number): void {
  if (response.statusCode !== status) {
    throw new Error(`Expected HTTP ${status}, got ${response.statusCode}: ${response.body}`);
  }
}

async function main(settings: MiddlewareSettings): Promise<void> {
  const { createHandler: createGetMe } = await import('../../lambdas/accounts/get-me.ts');
  const { createHandler: createUpdatePreferences } = await import(
    '../../lambdas/accounts/update-preferences.ts'
  );
  const { createCognitoAccessTokenVerifier } = await import('../../lambdas/shared/auth.ts');

  const moto = await startMoto();
  let user: Awaited<ReturnType<typeof createSignedInUser>>;
  let verifier: ReturnType<typeof createCognitoAccessTokenVerifier>;
  try {
    const resources = await provision({ endpoint: moto.endpoint, region: REGION }, 'skycast-bench');
    const cognito = new CognitoIdentityProviderClient(
      emulatorClientConfig({ endpoint: moto.endpoint, region: REGION }),
    );
    user = await createSignedInUser(cognito, {
      userPoolId: resources.userPoolId,
      clientId: resources.userPoolClientId,
    });
    cognito.destroy();
    verifier = createCognitoAccessTokenVerifier({
      userPoolId: resources.userPoolId,
      clientId: resources.userPoolClientId,
      cognitoEndpoint: moto.endpoint,
    });
    await verifier.verify(user.accessToken); // fetches and caches the JWKS
  } finally {
    await moto.stop();
  }

  const username = String(claimsOf(user.accessToken).username ?? user.sub);
  const deps = {
    verifier,
    revocation: new InMemoryRevocationList(),
    profiles: new InMemoryProfileStore(),
    directory: new InMemoryUserDirectory(new Map([[username, user.email]])),
  };
  const getMe = createGetMe(deps) as unknown as Handler;
  const updatePreferences = createUpdatePreferences(deps) as unknown as Handler;

  const getMeEvent = apiEvent('GET', '/me', user.accessToken);
  const patch = {
    categories: ['music', 'gaming', 'music'],
    tags: ['Jazz', 'live-coding', 'synthwave'],
    language: 'en-GB',
  };
  const updateEvent = apiEvent('PATCH', '/me/preferences', user.accessToken, patch);

  const invokeApi = (handler: Handler, event: typeof getMeEvent, functionName: string) => async () => {
    const requestId = randomUUID();
    const response = await handler(
      { ...event, requestContext: { ...event.requestContext, requestId } },
      lambdaContext(functionName, requestId),
    );
    expectStatus(response, 200);
  };

  const results: VariantResult[] = [];
  results.push(
    await measure('verify', settings, async () => {
      await verifier.verify(user.accessToken);
    }),
  );
  console.error(`  token verification alone: ${Math.round(results[0]!.perSecond)}/s`);
  results.push(await measure('getMe', settings, invokeApi(getMe, getMeEvent, 'skycast-getMe')));
  console.error(`  getMe: ${Math.round(results[1]!.perSecond)}/s`);
  results.push(
    await measure(
      'updatePreferences',
      settings,
      invokeApi(updatePreferences, updateEvent, 'skycast-updatePreferences'),
    ),
  );
  console.error(`  updatePreferences: ${Math.round(results[2]!.perSecond)}/s`);
  sendToParent({ type: 'result', results });
}

process.once('message', (message: { type: string; settings: MiddlewareSettings }) => {
  if (message.type === 'start') {
    main(message.settings).then(
      () => process.disconnect(),
      (error) => failToParent(error),
    );
  }
});
