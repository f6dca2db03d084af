import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { ENV } from '#contract/environment.ts';
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

/** Verifier and revocation check for the user pool named by config[ENV.userPoolId] / config[ENV.userPoolClientId]. */
export function defaultHttpDeps(env: NodeJS.ProcessEnv = process.env): HttpDeps {
  const config = requireEnv([ENV.userPoolId, ENV.userPoolClientId], env);
  return {
    verifier: createCognitoAccessTokenVerifier({
      userPoolId: config[ENV.userPoolId],
      clientId: config[ENV.userPoolClientId],
      cognitoEndpoint: cognitoEndpointFromEnv(env),
    }),
    revocation: new CognitoRevocationCheck(cognitoClient()),
  };
}
