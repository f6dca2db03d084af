/**
 * Signing key pairs whose private half lives in a Secrets Manager secret as a PKCS#8 PEM: RSA 2048 for
 * CloudFront playback cookies, ES384 (P-384) for IVS playback tokens. The deploy-time custom resource
 * (key-pair-resource.ts) and the local platform make them with this same code.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

import type { KeyAlgorithm } from '#contract/key-pair.ts';

function generate(algorithm: KeyAlgorithm): KeyObject {
  return algorithm === 'RSA-2048'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    : generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
}

/** Whether a PEM holds a private key of the algorithm asked for; a placeholder or another key does not. */
function privateKeyOf(pem: string | undefined, algorithm: KeyAlgorithm): KeyObject | undefined {
  if (!pem?.includes('PRIVATE KEY-----')) return undefined;
  try {
    const key = createPrivateKey(pem);
    const fits =
      algorithm === 'RSA-2048'
        ? key.asymmetricKeyType === 'rsa'
        : key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp384r1';
    return fits ? key : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The public key (SPKI PEM) of a key pair whose private half is in the secret: the one already there when
 * `reuse` is set and it fits the algorithm, otherwise a new one, stored first.
 */
export async function keyPairInSecret(
  secrets: Pick<SecretsManagerClient, 'send'>,
  secretId: string,
  algorithm: KeyAlgorithm,
  reuse: boolean,
): Promise<string> {
  let privateKey: KeyObject | undefined;
  if (reuse) {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    privateKey = privateKeyOf(SecretString, algorithm);
  }
  if (!privateKey) {
    privateKey = generate(algorithm);
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await secrets.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: pem }));
  }
  return createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * A private key kept in a secret as `keyPairInSecret` stores it, for the functions that sign: read once per
 * container and kept (a new key comes with a deploy, which replaces the containers too); a failed read is not
 * kept, so the next call tries again.
 */
export class SecretPrivateKey {
  private cached: Promise<{ pem: string; key: KeyObject }> | undefined;

  constructor(
    private readonly secrets: Pick<SecretsManagerClient, 'send'>,
    private readonly secretId: string,
    private readonly algorithm: KeyAlgorithm,
  ) {}

  get(): Promise<{ pem: string; key: KeyObject }> {
    this.cached ??= this.read().catch((error: unknown) => {
      this.cached = undefined;
      throw error;
    });
    return this.cached;
  }

  private async read(): Promise<{ pem: string; key: KeyObject }> {
    const { SecretString } = await this.secrets.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    const key = privateKeyOf(SecretString, this.algorithm);
    if (!SecretString || !key) {
      throw new Error(`The secret ${this.secretId} holds no ${this.algorithm} private key`);
    }
    return { pem: SecretString, key };
  }
}
