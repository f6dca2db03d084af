/** Where an AWS-compatible emulator answers. */
export interface AwsTarget {
  endpoint: string;
  region: string;
  /** Where DynamoDB answers, when another endpoint serves it (AWS_ENDPOINT_URL_DYNAMODB). @default endpoint */
  dynamodbEndpoint?: string;
}

/**
 * The credentials every local client and function uses. Letters and digits only: some DynamoDB emulators refuse any
 * other access key id.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'skycastlocal', secretAccessKey: 'skycastlocal' } as const;

/** SDK client settings for an AWS-compatible emulator. */
export function emulatorClientConfig({ endpoint, region }: AwsTarget) {
  return { endpoint, region, credentials: { ...LOCAL_CREDENTIALS } };
}

/**
 * S3 client settings for an emulator: path-style addressing (no bucket subdomains on 127.0.0.1) and checksums
 * only where S3 requires them (emulators may not know the SDK's newer default checksums, S3 accepts either,
 * and no hashing stream wraps every body).
 */
export function emulatorS3Config(target: AwsTarget) {
  return {
    ...emulatorClientConfig(target),
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  } as const;
}
