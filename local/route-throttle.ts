/**
 * API Gateway's route throttling, locally: one token bucket per route, holding `burstLimit` requests and
 * refilling at `rateLimit` per second, with the limits of lambdas/contract/api-edge.ts.
 */
import { DEFAULT_ROUTE_THROTTLE, type RouteThrottle, routeThrottle } from '#contract/api-edge.ts';
import { type Route, routeKey } from '#contract/routes.ts';

/** A token bucket: full at the start, one token per request, refilled continuously. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly limit: RouteThrottle,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = limit.burstLimit;
    this.updatedAt = now();
  }

  /** Takes a token for one request; false when the bucket is empty (the request is over the limit). */
  take(): boolean {
    const now = this.now();
    const refilled = ((now - this.updatedAt) / 1000) * this.limit.rateLimit;
    this.tokens = Math.min(this.limit.burstLimit, this.tokens + refilled);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** How the local API throttles. */
export interface RouteThrottleOptions {
  /** Every route's limit unless the contract tightens it. @default DEFAULT_ROUTE_THROTTLE (a dev deployment's) */
  stageDefault?: RouteThrottle;
  /** Milliseconds from a monotonic clock. @default performance.now */
  now?: () => number;
}

/** A bucket per route key (`POST /uploads`); `admit(key)` says whether one more request is within its limit. */
export function createRouteThrottles(routes: readonly Route[], options: RouteThrottleOptions = {}) {
  const stageDefault = options.stageDefault ?? DEFAULT_ROUTE_THROTTLE;
  const buckets = new Map(
    routes.map((route) => [
      routeKey(route),
      new TokenBucket(routeThrottle(route.operation.operationId, stageDefault), options.now),
    ]),
  );
  return {
    admit(key: string): boolean {
      return buckets.get(key)?.take() ?? true;
    },
    /** The limit of a route, by route key. */
    limitOf(key: string): RouteThrottle | undefined {
      return buckets.get(key)?.limit;
    },
  };
}
