import { randomUUID } from 'node:crypto';
import {
  AdminConfirmSignUpCommand,
  type CognitoIdentityProviderClient,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';

export interface SignedInUser {
  email: string;
  password: string;
  sub: string;
  accessToken: string;
  idToken: string;
  refreshToken: string;
}

/** A password that satisfies the user pool's policy. */
export const strongPassword = () => `Sky-${randomUUID().slice(0, 8)}-Cast9!`;

/** Signs a fresh user up, confirms them as an administrator would, and signs them in with USER_PASSWORD_AUTH. */
export async function createSignedInUser(
  cognito: CognitoIdentityProviderClient,
  pool: { userPoolId: string; clientId: string },
  email = `viewer-${randomUUID().slice(0, 8)}@example.com`,
): Promise<SignedInUser> {
  const password = strongPassword();
  const signUp = await cognito.send(
    new SignUpCommand({
      ClientId: pool.clientId,
      Username: email,
      Password: password,
      UserAttributes: [{ Name: 'email', Value: email }],
    }),
  );
  await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.userPoolId, Username: email }));
  const auth = await cognito.send(
    new InitiateAuthCommand({
      ClientId: pool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
  const result = auth.AuthenticationResult;
  if (!result?.AccessToken || !result.IdToken || !result.RefreshToken || !signUp.UserSub) {
    throw new Error('Sign-in did not return tokens');
  }
  return {
    email,
    password,
    sub: signUp.UserSub,
    accessToken: result.AccessToken,
    idToken: result.IdToken,
    refreshToken: result.RefreshToken,
  };
}
