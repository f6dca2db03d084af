import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  createPlaybackIssuer,
  type PlaybackIssuer,
  type PlaybackKey,
} from '../../lambdas/delivery/playback.ts';

/** A CloudFront-style signing key pair made for a test run: the private key signs, the public key verifies. */
export interface TestPlaybackKeys {
  key: PlaybackKey;
  publicKey: KeyObject;
  /** The trusted key group a media server checks against. */
  trusted: Map<string, KeyObject>;
}

let shared: TestPlaybackKeys | undefined;

export function testPlaybackKeys(): TestPlaybackKeys {
  if (!shared) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyPairId = 'KTESTPLAYBACK1';
    shared = {
      key: { keyPairId, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string },
      publicKey,
      trusted: new Map([[keyPairId, publicKey]]),
    };
  }
  return shared;
}

/** A playback issuer with the test key, for media served at `mediaUrl`. */
export function testPlaybackIssuer(mediaUrl = 'https://media.test'): PlaybackIssuer {
  const { key } = testPlaybackKeys();
  return createPlaybackIssuer({ keys: { get: async () => key }, mediaUrl });
}
