import { CustomResource, RemovalPolicy } from 'aws-cdk-lib';
import { KeyGroup, PublicKey } from 'aws-cdk-lib/aws-cloudfront';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { PLAYBACK_ENV } from '../../lambdas/delivery/playback-key-store.ts';
import { SkycastFunction } from '../shared/skycast-function.ts';

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
 * that sign read the secret (see grantSigning).
 */
export class PlaybackSigningKey extends Construct {
  readonly secret: Secret;
  readonly publicKey: PublicKey;
  readonly keyGroup: KeyGroup;

  constructor(scope: Construct, id: string, props: PlaybackSigningKeyProps = {}) {
    super(scope, id);
    // Created with a random placeholder; the custom resource replaces it with the PEM private key.
    this.secret = new Secret(this, 'Secret', {
      description: 'Skycast: the private key that signs CloudFront playback cookies',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const fn = new SkycastFunction(this, 'Generator', {
      entry: 'lambdas/delivery/playback-key-resource.ts',
      description: 'Makes the playback signing key pair at deploy time',
      serviceName: 'skycast-delivery',
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      ...(props.logRemovalPolicy ? { logRemovalPolicy: props.logRemovalPolicy } : {}),
    });
    this.secret.grantRead(fn);
    this.secret.grantWrite(fn);
    const resource = new CustomResource(this, 'KeyPair', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::SkycastPlaybackKey',
      properties: { SecretArn: this.secret.secretArn, Generation: String(props.generation ?? 1) },
    });
    this.publicKey = new PublicKey(this, 'PublicKey', {
      encodedKey: resource.getAttString('PublicKey'),
      comment: 'Skycast playback cookies',
    });
    this.keyGroup = new KeyGroup(this, 'KeyGroup', {
      items: [this.publicKey],
      comment: 'Skycast: signers of playback cookies',
    });

    NagSuppressions.addResourceSuppressions(this.secret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'The secret is an RSA private key whose public half CloudFront trusts; rotating it means a new ' +
          'public key in the key group, which a deploy does (raise the generation), not a Secrets Manager rotation.',
      },
    ]);
    NagSuppressions.addResourceSuppressions(fn, [
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'CloudFormation invokes the custom resource and waits for its answer: a failure fails the deploy, ' +
          'and nothing would ever read a dead-letter queue.',
      },
    ]);
  }

  /** Lets `fn` sign playback: read the secret, and the environment naming it and the key pair. */
  grantSigning(fn: SkycastFunction, mediaUrl: string): void {
    this.secret.grantRead(fn);
    fn.addEnvironment(PLAYBACK_ENV.secret, this.secret.secretArn);
    fn.addEnvironment(PLAYBACK_ENV.keyPairId, this.publicKey.publicKeyId);
    fn.addEnvironment(PLAYBACK_ENV.mediaUrl, mediaUrl);
  }
}
