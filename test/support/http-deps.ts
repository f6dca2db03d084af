import type { AuthenticatedUser } from '../../lambdas/shared/auth.ts';
import { UnauthorizedError } from '../../lambdas/shared/errors.ts';
import type { HttpDeps } from '../../lambdas/shared/http.ts';

/** A signed-in user as the auth middleware hands one to a use case, for use-case tests. */
export const testUser = (sub: string): AuthenticatedUser => ({
  sub,
  username: sub,
  clientId: 'web',
  scopes: [],
  groups: [],
});

/**
 * HTTP deps for handler tests at the API edge: a token `user-…` is that user, anything else is refused, and
 * no token is revoked. The real verifier and revocation check have their own tests against real keys.
 */
export const userIdTokens: HttpDeps = {
  verifier: {
    async verify(token): Promise<AuthenticatedUser> {
      if (!token.startsWith('user-')) throw new UnauthorizedError('The access token is not valid.');
      return testUser(token);
    },
  },
  revocation: { assertActive: async () => undefined },
};
