/** Where an AWS-compatible emulator answers. */
export interface AwsTarget {
  endpoint: string;
  region: string;
}

/** SDK client settings for an AWS-compatible emulator. */
export function emulatorClientConfig({ endpoint, region }: AwsTarget) {
  return {
    endpoint,
    region,
    credentials: { accessKeyId: 'skycast-local', secretAccessKey: 'skycast-local' },
  };
}
