/**
 * The CloudFormation custom resource that makes the playback signing key at deploy time: a fresh RSA key pair
 * whose private key goes straight into the Secrets Manager secret and whose public key is returned for
 * AWS::CloudFront::PublicKey. The private key is never in the bundle, the template or an output.
 *
 * Create (or a new `Generation`): a new key pair. Update with the same generation: the key already stored,
 * its public half derived again. Delete: nothing (the secret is a resource of its own).
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';
import { logger } from '#shared/logger.ts';

const secrets = new SecretsManagerClient({});

interface KeyProperties {
  SecretArn: string;
  Generation: string;
}

async function storedPublicKey(secretArn: string): Promise<string | undefined> {
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!SecretString?.includes('PRIVATE KEY-----')) return undefined;
  return createPublicKey(SecretString).export({ type: 'spki', format: 'pem' }) as string;
}

async function newKey(secretArn: string): Promise<string> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  await secrets.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: privateKey }));
  return publicKey;
}

/** Sends the outcome to CloudFormation's presigned response URL (the Lambda-backed custom resource contract). */
function respond(url: string, body: CloudFormationCustomResourceResponse): Promise<void> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    // CloudFormation's URL is https; plain http only ever in tests.
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = request(
      url,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export async function handler(event: CloudFormationCustomResourceEvent): Promise<void> {
  const properties = event.ResourceProperties as unknown as KeyProperties & { ServiceToken: string };
  const physicalId = `${properties.SecretArn}#${properties.Generation}`;
  const base = {
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    PhysicalResourceId: physicalId,
  };
  try {
    if (event.RequestType === 'Delete') {
      await respond(event.ResponseURL, {
        ...base,
        PhysicalResourceId: event.PhysicalResourceId,
        Status: 'SUCCESS',
      });
      return;
    }
    const same = event.RequestType === 'Update' && event.PhysicalResourceId === physicalId;
    const publicKey =
      (same ? await storedPublicKey(properties.SecretArn) : undefined) ??
      (await newKey(properties.SecretArn));
    logger.info('playback key ready', { requestType: event.RequestType, reused: same });
    await respond(event.ResponseURL, { ...base, Status: 'SUCCESS', Data: { PublicKey: publicKey } });
  } catch (error) {
    logger.error('playback key failed', { error });
    await respond(event.ResponseURL, {
      ...base,
      ...(event.RequestType === 'Create' ? {} : { PhysicalResourceId: event.PhysicalResourceId }),
      Status: 'FAILED',
      Reason: error instanceof Error ? error.message : String(error),
    });
  }
}
