import { cognitoClient } from '#shared/cognito.ts';
import { requireEnv } from '#shared/config.ts';
import { documentClient } from '#shared/dynamodb.ts';
import type { AccountsDeps } from './profile.ts';
import { DynamoProfileStore } from './profile-store.ts';
import { CognitoUserDirectory } from './user-directory.ts';

/** The accounts use cases wired to DynamoDB and Cognito, from the function's environment. */
export function defaultAccountsDeps(env: NodeJS.ProcessEnv = process.env): AccountsDeps {
  const { CATALOG_TABLE_NAME, USER_POOL_ID } = requireEnv(['CATALOG_TABLE_NAME', 'USER_POOL_ID'], env);
  return {
    profiles: new DynamoProfileStore(documentClient(), CATALOG_TABLE_NAME),
    directory: new CognitoUserDirectory(cognitoClient(), USER_POOL_ID),
  };
}
