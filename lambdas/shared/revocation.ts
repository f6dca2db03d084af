import {
  type CognitoIdentityProviderClient,
  GetUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { UnauthorizedError } from './errors.ts';

/**
 * Asks the identity provider whether an access token is still live. JWTs stay cryptographically valid
 * after GlobalSignOut; routes that must honour sign-out at once check with Cognito itself.
 */
export interface TokenRevocationCheck {
  assertActive(token: string): Promise<void>;
}

export class CognitoRevocationCheck implements TokenRevocationCheck {
  constructor(private readonly cognito: CognitoIdentityProviderClient) {}

  async assertActive(token: string): Promise<void> {
    try {
      await this.cognito.send(new GetUserCommand({ AccessToken: token }));
    } catch (error) {
      if ((error as { name?: string }).name === 'NotAuthorizedException') {
        throw new UnauthorizedError('The access token has been revoked. Sign in again.', { cause: error });
      }
      throw error;
    }
  }
}
