import type { RemovalPolicy } from 'aws-cdk-lib';
import { KeyGroup, PublicKey } from 'aws-cdk-lib/aws-cloudfront';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DeployTimeKeyPair } from '../shared/deploy-time-key-pair.ts';

/** Props of {@link PlaybackSigningKey}. */
export interface PlaybackSigningKeyProps {
  /**
   * Change it to make a new key pair on the next deploy (cookies signed with the old one stop working).
   * @default 1
   */
  generation?: number;
  /** @default RetentionDays.ONE_MONTH */
  logRetention?: RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  logRemovalPolicy?: RemovalPolicy;
}

/**
 * The key pair that signs playback cookies, made at deploy time: a custom resource generates it, puts the
 * private key into a Secrets Manager secret and hands the public key to CloudFront's PublicKey, which a key
 * group trusts on every media behaviour. The private key is never in the bundle or the template; functions
 * that sign read the secret (see grantAccess).
 */
export class PlaybackSigningKey extends Construct {
  readonly secret: Secret;
  readonly publicKey: PublicKey;
  readonly keyGroup: KeyGroup;

  constructor(scope: Construct, id: string, props: PlaybackSigningKeyProps = {}) {
    super(scope, id);
    const keyPair = new DeployTimeKeyPair(this, 'Key', {
      algorithm: 'RSA-2048',
      purpose: 'CloudFront playback cookies',
      serviceName: 'skycast-delivery',
      ...(props.generation !== undefined ? { generation: props.generation } : {}),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      ...(props.logRemovalPolicy ? { logRemovalPolicy: props.logRemovalPolicy } : {}),
    });
    this.secret = keyPair.secret;
    this.publicKey = new PublicKey(this, 'PublicKey', {
      encodedKey: keyPair.publicKeyPem,
      comment: 'Skycast playback cookies',
    });
    this.keyGroup = new KeyGroup(this, 'KeyGroup', {
      items: [this.publicKey],
      comment: 'Skycast: signers of playback cookies',
    });
  }
}
