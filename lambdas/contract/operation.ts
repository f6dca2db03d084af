import type * as z from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One API operation: the single source for request validation, the OpenAPI document, the API Gateway route
 * and the local platform's route. Capabilities declare theirs in `lambdas/<capability>/operations.ts`.
 */
export interface Operation<
  Body extends z.ZodType = z.ZodType,
  Query extends z.ZodType = z.ZodType,
  Params extends z.ZodType = z.ZodType,
  Response extends z.ZodType = z.ZodType,
> {
  /** Fixed by the API contract: clients and tests find operations by it. */
  operationId: string;
  method: HttpMethod;
  /** API Gateway path syntax, e.g. `/videos/{videoId}`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** `user` requires a Cognito access token (authorizer plus handler verification); `public` does not. */
  auth: 'user' | 'public';
  /**
   * Also ask Cognito whether the access token was revoked (GlobalSignOut) — one extra call per request,
   * worth it on routes that change things and on every route that hands out playback credentials (signed
   * cookies or URLs, IVS playback tokens): a signed-out token must not buy hours of playback.
   * @default false
   */
  checkRevocation?: boolean;
  body?: Body;
  query?: Query;
  params?: Params;
  response: Response;
  /** @default 200 */
  successStatus?: 200 | 201 | 202 | 204;
  /** Client error statuses this operation can answer with, for the OpenAPI document. */
  errors: readonly number[];
}

/** Declares an operation, keeping its literal types so handlers get typed bodies and users. */
export function defineOperation<const Op extends Operation>(operation: Op): Op {
  return operation;
}
