import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { s3Uri } from '#contract/media-layout.ts';
import type { RecordingFiles } from './ivs-events.ts';

/** The recordings bucket through S3. */
export class S3RecordingFiles implements RecordingFiles {
  constructor(private readonly s3: S3Client) {}

  async readText(bucket: string, key: string): Promise<string> {
    const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!Body) throw new Error(`${s3Uri(bucket, key)} has no body`);
    return Body.transformToString('utf8');
  }

  async listKeys(bucket: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }
}
