/**
 * The deploy-time key pair, made locally as CloudFormation makes it: the custom resource's own handler
 * (KEY_PAIR_FUNCTION_ENTRY) runs as a function in an execution environment of its own, gets a Create request
 * naming the secret, and answers on the response URL, which here is a one-request server on 127.0.0.1. The
 * private key goes straight into the secret; only the public key comes back.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceResponse,
} from 'aws-lambda';
import { ENV } from '#contract/environment.ts';
import { KEY_PAIR_FUNCTION_ENTRY, type KeyAlgorithm, type KeyPairProperties } from '#contract/key-pair.ts';
import type { AwsTarget } from './emulator-clients.ts';
import { runtimeEnvironment } from './function-environment.ts';
import { invoke, type LocalFunction, stopFunctions } from './lambda.ts';

/** Waits for the one response the custom resource PUTs to its response URL. */
async function responseReceiver(): Promise<{
  url: string;
  response: Promise<CloudFormationCustomResourceResponse>;
  close(): void;
}> {
  let settle: (body: CloudFormationCustomResourceResponse) => void = () => {};
  let fail: (error: Error) => void = () => {};
  const response = new Promise<CloudFormationCustomResourceResponse>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const server = createServer((request, reply) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      reply.writeHead(200).end();
      try {
        settle(JSON.parse(Buffer.concat(chunks).toString('utf8')) as CloudFormationCustomResourceResponse);
      } catch (error) {
        fail(new Error(`The key pair resource answered with something that is not JSON: ${String(error)}`));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/response`, response, close: () => server.close() };
}

/**
 * Makes a key pair of `algorithm` whose private half the deploy's own custom resource puts into `secretId`
 * (in the emulator at `target`), and returns the public key (SPKI PEM).
 */
export async function makeKeyPairInSecret(
  target: AwsTarget,
  secretId: string,
  algorithm: KeyAlgorithm,
): Promise<string> {
  const receiver = await responseReceiver();
  const fn: LocalFunction = {
    name: 'skycast-deploy-time-key-pair',
    entry: KEY_PAIR_FUNCTION_ENTRY,
    environment: {
      ...runtimeEnvironment(target.region, { endpoint: target.endpoint }),
      [ENV.serviceName]: 'skycast-deploy',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    },
    maxEnvironments: 1,
  };
  const properties: KeyPairProperties = { SecretId: secretId, Algorithm: algorithm, Generation: '1' };
  const event: CloudFormationCustomResourceCreateEvent = {
    RequestType: 'Create',
    ServiceToken: `arn:aws:lambda:${target.region}:000000000000:function:${fn.name}`,
    ResponseURL: receiver.url,
    StackId: `arn:aws:cloudformation:${target.region}:000000000000:stack/skycast-local/${randomUUID()}`,
    RequestId: randomUUID(),
    LogicalResourceId: 'KeyPair',
    ResourceType: 'Custom::SkycastKeyPair',
    ResourceProperties: { ServiceToken: 'local', ...properties },
  };
  try {
    const outcome = await invoke(fn, event, target.region);
    if (!outcome.ok) throw outcome.error;
    const response = await receiver.response;
    if (response.Status !== 'SUCCESS') {
      throw new Error(`The key pair resource failed: ${response.Reason ?? 'no reason given'}`);
    }
    const publicKey = (response.Data as { PublicKey?: unknown } | undefined)?.PublicKey;
    if (typeof publicKey !== 'string') throw new Error('The key pair resource returned no PublicKey');
    return publicKey;
  } finally {
    receiver.close();
    await stopFunctions([fn]);
  }
}
