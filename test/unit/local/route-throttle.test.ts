import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ROUTE_THROTTLE, ROUTE_THROTTLES, routeThrottle } from '#contract/api-edge.ts';
import { routeKey, routes } from '#contract/routes.ts';
import { type ApiRequest, createHttpApi } from '../../../local/http-api.ts';
import type { LocalFunction } from '../../../local/lambda.ts';
import { createRouteThrottles, TokenBucket } from '../../../local/route-throttle.ts';

/** A clock the test moves by hand, in milliseconds. */
function manualClock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const getMe = routes.find((route) => route.operation.operationId === 'getMe')!;
const createUpload = routes.find((route) => route.operation.operationId === 'createUpload')!;

const request = (method: string, rawPath: string): ApiRequest => ({
  method,
  rawPath,
  rawQueryString: '',
  headers: {},
  body: Buffer.alloc(0),
  sourceIp: '127.0.0.1',
  protocol: 'HTTP/1.1',
});

/** The local API with an authorizer that refuses every token: an admitted request ends as 401, never invoked. */
function refusingApi(throttle: Parameters<typeof createHttpApi>[0]['throttle']) {
  return createHttpApi({
    routes,
    functions: new Map<string, LocalFunction>(),
    authorizer: { authorize: async () => undefined },
    region: 'us-east-1',
    accountId: '000000000000',
    apiId: 'test',
    throttle,
  });
}

describe('TokenBucket', () => {
  it('lets a full burst through at once, then refuses until it refills at the rate', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ burstLimit: 3, rateLimit: 2 }, clock.now);
    assert.deepEqual(
      [1, 2, 3, 4].map(() => bucket.take()),
      [true, true, true, false],
    );
    clock.advance(499);
    assert.equal(bucket.take(), false);
    clock.advance(1);
    assert.equal(bucket.take(), true);
    assert.equal(bucket.take(), false);
  });

  it('never holds more than its burst, however long it was idle', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ burstLimit: 2, rateLimit: 10 }, clock.now);
    clock.advance(60_000);
    assert.deepEqual(
      [1, 2, 3].map(() => bucket.take()),
      [true, true, false],
    );
  });
});

describe('createRouteThrottles', () => {
  it("gives each route the contract's limit: the write routes their own, the rest the default", () => {
    const throttles = createRouteThrottles(routes);
    assert.deepEqual(throttles.limitOf(routeKey(getMe)), DEFAULT_ROUTE_THROTTLE);
    assert.deepEqual(throttles.limitOf(routeKey(createUpload)), ROUTE_THROTTLES.createUpload);
    assert.deepEqual(
      throttles.limitOf(routeKey(createUpload)),
      routeThrottle('createUpload', DEFAULT_ROUTE_THROTTLE),
    );
  });

  it('keeps one bucket per route: one route over its limit leaves the others alone', () => {
    const clock = manualClock();
    const throttles = createRouteThrottles(routes, { now: clock.now });
    const burst = ROUTE_THROTTLES.createUpload!.burstLimit;
    for (let i = 0; i < burst; i += 1) assert.equal(throttles.admit(routeKey(createUpload)), true);
    assert.equal(throttles.admit(routeKey(createUpload)), false);
    assert.equal(throttles.admit(routeKey(getMe)), true);
  });
});

describe('the local HTTP API under its route throttles', () => {
  it('answers 429 {"message":"Too Many Requests"} over the limit, before the authorizer, as API Gateway does', async () => {
    const clock = manualClock();
    const api = refusingApi({ now: clock.now, stageDefault: { burstLimit: 4, rateLimit: 1 } });

    const answers = [];
    for (let i = 0; i < 6; i += 1) answers.push(await api.handle(request('GET', '/me')));

    assert.deepEqual(
      answers.map((answer) => answer.statusCode),
      [401, 401, 401, 401, 429, 429],
    );
    const over = answers[5]!;
    assert.deepEqual(JSON.parse(over.body.toString()), { message: 'Too Many Requests' });
    assert.equal(over.headers['content-type'], 'application/json');
    assert.ok(over.headers['apigw-requestid']);
    clock.advance(1000);
    assert.equal((await api.handle(request('GET', '/me'))).statusCode, 401);
  });

  it('refuses most of 300 requests at once on one route with the default limits', async () => {
    const api = refusingApi(undefined);

    const answers = await Promise.all(Array.from({ length: 300 }, () => api.handle(request('GET', '/me'))));

    const refused = answers.filter((answer) => answer.statusCode === 429).length;
    assert.ok(refused >= 300 - DEFAULT_ROUTE_THROTTLE.burstLimit - 10, `${refused} of 300 refused`);
  });

  it('lets everything through when throttling is off', async () => {
    const api = refusingApi(false);

    const answers = await Promise.all(Array.from({ length: 300 }, () => api.handle(request('GET', '/me'))));

    assert.ok(answers.every((answer) => answer.statusCode === 401));
  });
});
