/** Where an AWS-compatible emulator answers. */
export interface AwsTarget {
  endpoint: string;
  region: string;
  /** Where DynamoDB answers, when another emulator serves it (DynamoDB Local). @default endpoint */
  dynamodbEndpoint?: string;
}

/**
 * The credentials every local client and function uses. Letters and digits only: DynamoDB Local refuses any
 * other access key id.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'skycastlocal', secretAccessKey: 'skycastlocal' } as const;

/** SDK client settings for an AWS-compatible emulator. */
export function emulatorClientConfig({ endpoint, region }: AwsTarget) {
  return { endpoint, region, credentials: { ...LOCAL_CREDENTIALS } };
}
