import * as accounts from '../../lambdas/accounts/operations.ts';
import type { Operation } from '../../lambdas/shared/operation.ts';

/** What a route's function may touch; the CDK app turns it into IAM grants and environment variables. */
export interface RouteAccess {
  /** The catalog table. */
  catalog?: 'read' | 'readWrite';
  /** Look users up in the user pool (AdminGetUser). */
  userPool?: 'read';
}

/** One HTTP API route: an operation and the handler module that serves it. */
export interface Route {
  operation: Operation;
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  access: RouteAccess;
}

/**
 * The route table. The CDK HTTP API and the local platform's API server both mount exactly these routes,
 * so the two cannot drift apart.
 */
export const routes: readonly Route[] = [
  {
    operation: accounts.getMe,
    entry: 'lambdas/accounts/get-me.ts',
    access: { catalog: 'readWrite', userPool: 'read' },
  },
  {
    operation: accounts.updatePreferences,
    entry: 'lambdas/accounts/update-preferences.ts',
    access: { catalog: 'readWrite', userPool: 'read' },
  },
];

/** `GET /me` → `GET /me`; API Gateway's route key, also used as a stable id for the route's function. */
export function routeKey(route: Route): string {
  return `${route.operation.method} ${route.operation.path}`;
}
