import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { requireEnv } from '#shared/config.ts';
import { SecretPrivateKey } from '#shared/key-pair.ts';
import {
  createPlaybackIssuer,
  type PlaybackIssuer,
  type PlaybackKey,
  type PlaybackKeySource,
} from './playback.ts';

/** Environment of a function that signs playback. */
export const PLAYBACK_ENV = {
  /** ARN (or name) of the secret whose string is the PEM private key. */
  secret: 'PLAYBACK_KEY_SECRET_ARN',
  /** Id of the CloudFront public key (in the trusted key group) that matches it. */
  keyPairId: 'PLAYBACK_KEY_PAIR_ID',
  /** Where media is served, without a trailing slash (`mediaUrl` of /config.json). */
  mediaUrl: 'MEDIA_URL',
  /** Optional: seconds playback cookies last. */
  ttlSeconds: 'PLAYBACK_TTL_SECONDS',
} as const;

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

/** The playback issuer of a function, from its environment (see PLAYBACK_ENV). */
export function playbackIssuerFromEnv(env: NodeJS.ProcessEnv = process.env): PlaybackIssuer {
  const names = requireEnv([PLAYBACK_ENV.secret, PLAYBACK_ENV.keyPairId, PLAYBACK_ENV.mediaUrl], env);
  const ttl = env[PLAYBACK_ENV.ttlSeconds];
  const ttlSeconds = ttl === undefined ? undefined : Number(ttl);
  if (ttlSeconds !== undefined && !(Number.isInteger(ttlSeconds) && ttlSeconds > 0)) {
    throw new Error(`${PLAYBACK_ENV.ttlSeconds} must be a positive whole number of seconds, got ${ttl}`);
  }
  client ??= new SecretsManagerClient({});
  return createPlaybackIssuer({
    keys: new SecretsManagerPlaybackKeys(client, names[PLAYBACK_ENV.secret], names[PLAYBACK_ENV.keyPairId]),
    mediaUrl: names[PLAYBACK_ENV.mediaUrl],
    ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
  });
}
