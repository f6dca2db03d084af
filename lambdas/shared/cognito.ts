import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { cognitoEndpointFromEnv, createCognitoAccessTokenVerifier } from './auth.ts';
import { requireEnv } from './config.ts';
import type { HttpDeps } from './http.ts';
import { CognitoRevocationCheck } from './revocation.ts';

let client: CognitoIdentityProviderClient | undefined;

/** One Cognito client per process, created on first use and reused across invocations. */
export function cognitoClient(): CognitoIdentityProviderClient {
  client ??= new CognitoIdentityProviderClient({});
  return client;
}

/** Verifier and revocation check for the user pool named by USER_POOL_ID / USER_POOL_CLIENT_ID. */
export function defaultHttpDeps(env: NodeJS.ProcessEnv = process.env): HttpDeps {
  const { USER_POOL_ID, USER_POOL_CLIENT_ID } = requireEnv(['USER_POOL_ID', 'USER_POOL_CLIENT_ID'], env);
  return {
    verifier: createCognitoAccessTokenVerifier({
      userPoolId: USER_POOL_ID,
      clientId: USER_POOL_CLIENT_ID,
      cognitoEndpoint: cognitoEndpointFromEnv(env),
    }),
    revocation: new CognitoRevocationCheck(cognitoClient()),
  };
}
