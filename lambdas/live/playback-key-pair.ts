import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { request } from 'node:https';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { logger } from '#shared/logger.ts';

/**
 * A CloudFormation custom resource that makes the IVS playback key pair at deploy time: an ES384 (P-384) key
 * whose private half goes into the given Secrets Manager secret (never into a template or a bundle) and whose
 * public half it returns as `PublicKeyMaterial` for the AWS::IVS::PlaybackKeyPair. Updates keep the key the
 * secret already holds, so tokens stay valid across deploys; a new key means a new secret.
 */

interface CustomResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceProperties: { SecretId?: string };
}

export interface KeyPairDeps {
  secrets: Pick<SecretsManagerClient, 'send'>;
  /** Sends the response to CloudFormation's presigned URL. */
  respond(url: string, body: string): Promise<void>;
}

/** The public key (SPKI PEM) of the key in the secret, creating and storing a key if it holds none. */
export async function ensurePlaybackKey(secrets: KeyPairDeps['secrets'], secretId: string): Promise<string> {
  const current = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
  let privateKey: string | undefined;
  try {
    const parsed = current.SecretString ? (JSON.parse(current.SecretString) as { privateKey?: unknown }) : {};
    if (typeof parsed.privateKey === 'string') privateKey = parsed.privateKey;
  } catch {
    // The placeholder CloudFormation generated: not a key yet.
  }
  if (!privateKey) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    privateKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await secrets.send(
      new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify({ privateKey }) }),
    );
  }
  return createPublicKey(createPrivateKey(privateKey)).export({ type: 'spki', format: 'pem' }).toString();
}

function put(url: string, body: string): Promise<void> {
  return new Promise((resolvePut, reject) => {
    const target = new URL(url);
    const sent = request(
      target,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () => resolvePut());
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

export const createHandler = (deps: KeyPairDeps) => async (event: CustomResourceEvent) => {
  const physicalId = event.PhysicalResourceId ?? `playback-key-${event.LogicalResourceId}`;
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = '';
  let data: Record<string, string> = {};
  try {
    if (event.RequestType !== 'Delete') {
      const secretId = event.ResourceProperties.SecretId;
      if (!secretId) throw new Error('SecretId is required');
      data = { PublicKeyMaterial: await ensurePlaybackKey(deps.secrets, secretId) };
    }
  } catch (error) {
    status = 'FAILED';
    reason = error instanceof Error ? error.message : String(error);
    logger.error('playback key pair failed', { error });
  }
  await deps.respond(
    event.ResponseURL,
    JSON.stringify({
      Status: status,
      Reason: reason || 'See the function log',
      PhysicalResourceId: physicalId,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      Data: data,
    }),
  );
};

export const handler = createHandler({ secrets: new SecretsManagerClient({}), respond: put });
