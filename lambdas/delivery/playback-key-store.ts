import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ENV } from '#contract/environment.ts';
import { requireEnv } from '#shared/config.ts';
import { SecretPrivateKey } from '#shared/key-pair.ts';
import {
  createPlaybackIssuer,
  type PlaybackIssuer,
  type PlaybackKey,
  type PlaybackKeySource,
} from './playback.ts';

/** The signing key from Secrets Manager (read once per container, see SecretPrivateKey) with its key pair id. */
export class SecretsManagerPlaybackKeys implements PlaybackKeySource {
  private readonly secret: SecretPrivateKey;

  constructor(
    client: SecretsManagerClient,
    secretId: string,
    private readonly keyPairId: string,
  ) {
    this.secret = new SecretPrivateKey(client, secretId, 'RSA-2048');
  }

  async get(): Promise<PlaybackKey> {
    return { keyPairId: this.keyPairId, privateKey: (await this.secret.get()).pem };
  }
}

let client: SecretsManagerClient | undefined;

/** The playback issuer of a function, from its environment (see ENV in the contract). */
export function playbackIssuerFromEnv(env: NodeJS.ProcessEnv = process.env): PlaybackIssuer {
  const names = requireEnv([ENV.mediaKeySecret, ENV.mediaKeyPairId, ENV.mediaUrl], env);
  const ttl = env[ENV.mediaCookieSeconds];
  const ttlSeconds = ttl === undefined ? undefined : Number(ttl);
  if (ttlSeconds !== undefined && !(Number.isInteger(ttlSeconds) && ttlSeconds > 0)) {
    throw new Error(`${ENV.mediaCookieSeconds} must be a positive whole number of seconds, got ${ttl}`);
  }
  client ??= new SecretsManagerClient({});
  return createPlaybackIssuer({
    keys: new SecretsManagerPlaybackKeys(client, names[ENV.mediaKeySecret], names[ENV.mediaKeyPairId]),
    mediaUrl: names[ENV.mediaUrl],
    ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
  });
}
