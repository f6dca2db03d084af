import { randomUUID } from 'node:crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { combinedFunctionEnvironment, localDeploymentValues } from '../../local/function-environment.ts';
import { startMoto } from '../../local/moto.ts';
import { emulatorClientConfig, type ProvisionedResources, provision } from '../../local/provision.ts';

export interface TestEmulator {
  endpoint: string;
  resources: ProvisionedResources;
  /** The environments deployed functions would get for these resources, all at once (handlers share this process). */
  env: Record<string, string>;
  cognito: CognitoIdentityProviderClient;
  stop(): Promise<void>;
}

/**
 * An AWS-compatible endpoint with Skycast's resources in it: a moto server started for this test file, or,
 * when AWS_ENDPOINT_URL is set (LocalStack, another moto), that endpoint. When AWS_ENDPOINT_URL_DYNAMODB is
 * set, the table is created there and functions use it, as the SDK
 * would. Resource names get a random prefix so test files never see each other's data. The function
 * environment is also applied to process.env, as Lambda would do before a handler module loads.
 */
export async function startTestEmulator(): Promise<TestEmulator> {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const external = process.env.AWS_ENDPOINT_URL;
  const moto = external ? undefined : await startMoto();
  const endpoint = external ?? (moto?.endpoint as string);
  const dynamodbEndpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB || undefined;
  const resources = await provision(
    { endpoint, region, dynamodbEndpoint },
    `skycast-it-${randomUUID().slice(0, 8)}`,
  );
  const env = combinedFunctionEnvironment(
    region,
    { endpoint, ...(dynamodbEndpoint ? { dynamodbEndpoint } : {}) },
    localDeploymentValues(resources),
  );
  Object.assign(process.env, env);
  const cognito = new CognitoIdentityProviderClient(emulatorClientConfig({ endpoint, region }));
  return {
    endpoint,
    resources,
    env,
    cognito,
    async stop() {
      cognito.destroy();
      await moto?.stop();
    },
  };
}
