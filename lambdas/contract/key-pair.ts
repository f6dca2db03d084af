/**
 * The deploy-time key pair custom resource, as the CDK app and its handler both see it: the handler's module
 * and the properties CloudFormation passes it. It makes a signing key pair whose private half goes straight
 * into a Secrets Manager secret (RSA 2048 for CloudFront playback cookies, ES384 for IVS playback tokens) and
 * returns only the public key, as `PublicKey`.
 */

/** The custom resource's handler module, relative to the repository root. */
export const KEY_PAIR_FUNCTION_ENTRY = 'lambdas/shared/key-pair-resource.ts';

/** The kinds of key pair Skycast signs with. */
export type KeyAlgorithm = 'RSA-2048' | 'EC-P384';

/** The custom resource's properties. */
export interface KeyPairProperties {
  SecretId: string;
  Algorithm: KeyAlgorithm;
  /** Raise it to make a new key pair on the next deploy. */
  Generation: string;
}
