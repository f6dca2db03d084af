/**
 * The CloudFormation custom resource that makes a signing key pair at deploy time, for the two places Skycast
 * signs what viewers present: CloudFront playback cookies (RSA 2048, the public key in a CloudFront key group)
 * and IVS playback tokens for private channels (ES384 on P-384, the public key in an IVS playback key pair).
 * The private key goes straight into the given Secrets Manager secret as a PKCS#8 PEM; only the public key
 * (SPKI PEM) is returned to CloudFormation, as `PublicKey`. The private key is never in a bundle, template or
 * output.
 *
 * Create, or an update to a new `Generation` or algorithm: a new key pair. An update that keeps both: the key
 * the secret holds (its public half derived again), so signatures stay valid across deploys. Delete: nothing;
 * the secret is a resource of its own.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';
import type { KeyPairProperties } from '#contract/key-pair.ts';
import { keyPairInSecret } from './key-pair.ts';
import { logger } from './logger.ts';

export interface KeyPairResourceDeps {
  secrets: Pick<SecretsManagerClient, 'send'>;
  /** Sends the outcome to CloudFormation's presigned response URL. */
  respond(url: string, body: CloudFormationCustomResourceResponse): Promise<void>;
}

export const createHandler =
  (deps: KeyPairResourceDeps) =>
  async (event: CloudFormationCustomResourceEvent): Promise<void> => {
    const properties = event.ResourceProperties as unknown as KeyPairProperties;
    const physicalId = `${properties.SecretId}#${properties.Algorithm}#${properties.Generation}`;
    const base = {
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      PhysicalResourceId: physicalId,
    };
    try {
      if (event.RequestType === 'Delete') {
        await deps.respond(event.ResponseURL, {
          ...base,
          PhysicalResourceId: event.PhysicalResourceId,
          Status: 'SUCCESS',
        });
        return;
      }
      if (properties.Algorithm !== 'RSA-2048' && properties.Algorithm !== 'EC-P384') {
        throw new Error(`Algorithm must be RSA-2048 or EC-P384, not ${JSON.stringify(properties.Algorithm)}`);
      }
      const same = event.RequestType === 'Update' && event.PhysicalResourceId === physicalId;
      const publicKey = await keyPairInSecret(deps.secrets, properties.SecretId, properties.Algorithm, same);
      logger.info('key pair ready', {
        requestType: event.RequestType,
        algorithm: properties.Algorithm,
        reused: same,
      });
      await deps.respond(event.ResponseURL, { ...base, Status: 'SUCCESS', Data: { PublicKey: publicKey } });
    } catch (error) {
      logger.error('key pair failed', { error });
      await deps.respond(event.ResponseURL, {
        ...base,
        ...(event.RequestType === 'Create' ? {} : { PhysicalResourceId: event.PhysicalResourceId }),
        Status: 'FAILED',
        Reason: error instanceof Error ? error.message : String(error),
      });
    }
  };

/** PUTs the outcome to CloudFormation's URL (https; plain http only ever in tests). */
function respond(url: string, body: CloudFormationCustomResourceResponse): Promise<void> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const sent = request(
      url,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(payload) } },
      (response) => {
        response.resume();
        response.on('end', () => resolve());
      },
    );
    sent.on('error', reject);
    sent.end(payload);
  });
}

export const handler = createHandler({ secrets: new SecretsManagerClient({}), respond });
