import {
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { UserDirectory } from './profile.ts';

/** Looks users up in the Cognito user pool with the function's own IAM permissions. */
export class CognitoUserDirectory implements UserDirectory {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  async emailOf(username: string): Promise<string | undefined> {
    const user = await this.cognito.send(
      new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: username }),
    );
    return user.UserAttributes?.find((attribute) => attribute.Name === 'email')?.Value;
  }
}
