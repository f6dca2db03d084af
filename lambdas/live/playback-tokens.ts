import { type KeyObject, sign } from 'node:crypto';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretPrivateKey } from '#shared/key-pair.ts';
import type { PlaybackTokenSigner } from './ports.ts';

/**
 * IVS playback tokens for private channels: a JWT signed with ES384 by the private key of the playback key
 * pair whose public key IVS imported; claims `aws:channel-arn` (this channel only) and `exp`
 * (https://docs.aws.amazon.com/ivs/latest/LowLatencyUserGuide/private-channels-generate-tokens.html).
 * The private key lives in Secrets Manager as a PKCS#8 PEM (lambdas/shared/key-pair-resource.ts puts it
 * there), read once per container.
 */
export class SecretPlaybackTokenSigner implements PlaybackTokenSigner {
  private readonly secret: SecretPrivateKey;

  constructor(secrets: SecretsManagerClient, secretId: string) {
    this.secret = new SecretPrivateKey(secrets, secretId, 'EC-P384');
  }

  async sign(channelArn: string, expiresInSeconds: number): Promise<string> {
    return signPlaybackToken((await this.secret.get()).key, channelArn, expiresInSeconds);
  }
}

/** An ES384 JWT for one channel, valid for `expiresInSeconds` from `nowSeconds`. */
export function signPlaybackToken(
  key: KeyObject,
  channelArn: string,
  expiresInSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): string {
  const header = Buffer.from(JSON.stringify({ alg: 'ES384', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(
    JSON.stringify({ 'aws:channel-arn': channelArn, iat: nowSeconds, exp: nowSeconds + expiresInSeconds }),
  ).toString('base64url');
  const signature = sign('sha384', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' });
  return `${header}.${payload}.${signature.toString('base64url')}`;
}
