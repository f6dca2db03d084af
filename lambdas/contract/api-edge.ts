/**
 * What the API's edge enforces before any handler runs: how many requests each route takes (API Gateway's
 * route throttling) and which browser requests CORS lets through. The CDK HTTP API (lib/api/http-api.ts) and
 * the local platform's API (local/http-api.ts, local/origin.ts) read these same numbers and lists, so
 * `npm start` refuses what the deployment refuses. Per-user quotas (open uploads, clips per hour) are the
 * handlers' business, not the edge's.
 */

/**
 * API Gateway's token bucket for one route: `burstLimit` requests may arrive at once, and the bucket refills at
 * `rateLimit` requests per second. The limit is the route's, shared by every caller (API Gateway HTTP APIs do
 * not throttle per client); a request over it is answered 429 `{"message":"Too Many Requests"}` before the
 * authorizer runs.
 */
export interface RouteThrottle {
  /** Requests the bucket holds: how many may arrive at the same moment. A whole number. */
  burstLimit: number;
  /** Requests per second the bucket refills with: the sustained rate. */
  rateLimit: number;
}

/**
 * Every route's limit unless the stage sets another (the CDK's `apiThrottle` stage setting: dev keeps this,
 * prod raises it). The local platform uses it too, so it throttles like a dev deployment.
 */
export const DEFAULT_ROUTE_THROTTLE: RouteThrottle = { burstLimit: 50, rateLimit: 25 };

/**
 * Tighter limits for routes that create or destroy things, whatever the stage's default: each of their
 * requests starts work that costs (a multipart upload, an IVS channel, a clip's manifests) or cuts viewers off
 * (a key rotation). Keyed by operationId; a route not named here gets the stage's default.
 */
export const ROUTE_THROTTLES: Readonly<Record<string, RouteThrottle>> = {
  createUpload: { burstLimit: 20, rateLimit: 10 },
  completeUpload: { burstLimit: 20, rateLimit: 10 },
  createClip: { burstLimit: 20, rateLimit: 10 },
  deleteVideo: { burstLimit: 20, rateLimit: 10 },
  updatePreferences: { burstLimit: 20, rateLimit: 10 },
  startStream: { burstLimit: 10, rateLimit: 5 },
  endStream: { burstLimit: 10, rateLimit: 5 },
  rotateStreamKey: { burstLimit: 10, rateLimit: 5 },
};

/**
 * The limit of the route `operationId` under a stage default: its own limit from {@link ROUTE_THROTTLES}, but
 * never above the default (a stage that lowers its default lowers every route).
 */
export function routeThrottle(
  operationId: string,
  stageDefault: RouteThrottle = DEFAULT_ROUTE_THROTTLE,
): RouteThrottle {
  const own = ROUTE_THROTTLES[operationId];
  if (!own) return stageDefault;
  return {
    burstLimit: Math.min(own.burstLimit, stageDefault.burstLimit),
    rateLimit: Math.min(own.rateLimit, stageDefault.rateLimit),
  };
}

/**
 * CORS of the API (and, locally, of the Cognito endpoint on the same origin): a preflight is answered for these
 * request headers only, never by echoing what the browser asks for.
 */
export const apiCors = {
  /**
   * Request headers a browser client sends: the bearer token and JSON bodies to the API; `x-amz-target`, the
   * operation name of the Cognito JSON API, which the local platform serves on the API's origin.
   */
  allowHeaders: ['authorization', 'content-type'],
  /** Also allowed on the local Cognito endpoint (Cognito itself answers its own preflights in AWS). */
  cognitoAllowHeaders: ['content-type', 'x-amz-target', 'x-amz-user-agent'],
  /** Response headers a script may read: the request id to quote in a bug report. */
  exposeHeaders: ['apigw-requestid'],
  /** The same from the local Cognito endpoint: its request id and error type. */
  cognitoExposeHeaders: ['x-amzn-requestid', 'x-amzn-errortype'],
  /** How long a browser may reuse a preflight answer. */
  maxAgeSeconds: 3600,
} as const;
