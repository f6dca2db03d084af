import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { KEY_PAIR_FUNCTION_ENTRY, type KeyAlgorithm, type KeyPairProperties } from '#contract/key-pair.ts';
import { SkycastFunction } from './skycast-function.ts';

/** Props of {@link DeployTimeKeyPair}. */
export interface DeployTimeKeyPairProps {
  algorithm: KeyAlgorithm;
  /** What the key signs, for the secret's and the function's descriptions. */
  purpose: string;
  /** Powertools service name of the generating function. */
  serviceName: string;
  /**
   * Change it to make a new key pair on the next deploy (what the old key signed stops being accepted once
   * its verifier has the new public key).
   * @default 1
   */
  generation?: number;
  /** What happens to the secret when the stack goes. @default RemovalPolicy.DESTROY */
  removalPolicy?: RemovalPolicy;
  /** @default RetentionDays.ONE_MONTH */
  logRetention?: RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  logRemovalPolicy?: RemovalPolicy;
}

/**
 * A signing key pair made at deploy time by a custom resource (lambdas/shared/key-pair-resource.ts): the private
 * key goes straight into {@link secret} as a PKCS#8 PEM and is never in a bundle, template or output;
 * {@link publicKeyPem} is the public half, for whatever verifies the signatures (a CloudFront public key, an IVS
 * playback key pair). Functions that sign read the secret.
 */
export class DeployTimeKeyPair extends Construct {
  readonly secret: Secret;
  /** SPKI PEM, resolved at deploy time. */
  readonly publicKeyPem: string;

  constructor(scope: Construct, id: string, props: DeployTimeKeyPairProps) {
    super(scope, id);
    // Created with a random placeholder; the custom resource replaces it with the private key.
    this.secret = new Secret(this, 'Secret', {
      description: `Skycast: the private key that signs ${props.purpose}`,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    const generator = new SkycastFunction(this, 'Generator', {
      entry: KEY_PAIR_FUNCTION_ENTRY,
      description: `Makes the key pair that signs ${props.purpose}, at deploy time`,
      serviceName: props.serviceName,
      timeout: Duration.seconds(30),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      ...(props.logRemovalPolicy ? { logRemovalPolicy: props.logRemovalPolicy } : {}),
    });
    this.secret.grantRead(generator);
    this.secret.grantWrite(generator);
    const properties: KeyPairProperties = {
      SecretId: this.secret.secretArn,
      Algorithm: props.algorithm,
      Generation: String(props.generation ?? 1),
    };
    const keyPair = new CustomResource(this, 'KeyPair', {
      serviceToken: generator.functionArn,
      resourceType: 'Custom::SkycastKeyPair',
      properties,
    });
    this.publicKeyPem = keyPair.getAttString('PublicKey');

    NagSuppressions.addResourceSuppressions(this.secret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'The secret is a private key whose public half is registered with the verifier (a CloudFront key ' +
          'group, an IVS playback key pair). A Secrets Manager rotation would replace the private half alone ' +
          'and break every signature; a new key comes from a deploy with a new generation, which registers ' +
          'the new public key too.',
      },
    ]);
    NagSuppressions.addResourceSuppressions(generator, [
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'CloudFormation invokes the custom resource and waits for its answer: a failure fails the deploy, ' +
          'and nothing would ever read a dead-letter queue.',
      },
    ]);
  }
}
