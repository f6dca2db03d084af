import { ENV } from '#contract/environment.ts';
import { cognitoClient } from '#shared/cognito.ts';
import { requireEnv } from '#shared/config.ts';
import { documentClient } from '#shared/dynamodb.ts';
import type { AccountsDeps } from './profile.ts';
import { DynamoProfileStore } from './profile-store.ts';
import { CognitoUserDirectory } from './user-directory.ts';

/** The accounts use cases wired to DynamoDB and Cognito, from the function's environment. */
export function defaultAccountsDeps(env: NodeJS.ProcessEnv = process.env): AccountsDeps {
  const config = requireEnv([ENV.catalogTable, ENV.userPoolId], env);
  return {
    profiles: new DynamoProfileStore(documentClient(), config[ENV.catalogTable]),
    directory: new CognitoUserDirectory(cognitoClient(), config[ENV.userPoolId]),
  };
}
