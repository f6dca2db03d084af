import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { parseRecordingPrefix, videoMediaPrefix } from '#contract/media-layout.ts';
import type { VideoFiles } from './videos.ts';

const isNoSuchUpload = (error: unknown) => (error as { name?: string }).name === 'NoSuchUpload';

/**
 * A video's files in S3: its media under its media prefix (`videos/<videoId>/`) in the media bucket and its original in the uploads
 * bucket, or, for a live recording, the recording's own prefix in the recordings bucket.
 */
export class S3VideoFiles implements VideoFiles {
  constructor(
    private readonly s3: S3Client,
    /** `uploads` and `recordings` may be left out by a function that only ever deletes media. */
    private readonly buckets: { media: string; uploads?: string; recordings?: string },
  ) {}

  deleteMedia(videoId: string): Promise<number> {
    // The prefix ends in a slash, which keeps `videos/abc/` from matching the media of a video `abcd`.
    return this.deleteUnder(this.buckets.media, videoMediaPrefix(videoId), `video ${videoId}`);
  }

  async deleteRecording(prefix: string): Promise<number> {
    const bucket = this.buckets.recordings;
    if (!bucket) throw new Error('These video files were set up without the recordings bucket');
    // One recording's prefix in IVS's layout, ending in a slash: never anything wider.
    if (!prefix.endsWith('/') || !parseRecordingPrefix(prefix)) {
      throw new Error(`Not a recording prefix: ${JSON.stringify(prefix)}`);
    }
    return this.deleteUnder(bucket, prefix, `recording ${prefix}`);
  }

  /** Deletes every object under `prefix`, a page of at most 1,000 keys (one DeleteObjects call) at a time. */
  private async deleteUnder(bucket: string, prefix: string, what: string): Promise<number> {
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      const objects = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
      if (objects.length > 0) {
        const result = await this.s3.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }),
        );
        const [firstError] = result.Errors ?? [];
        if (firstError) {
          throw new Error(
            `Could not delete ${result.Errors?.length} object(s) of ${what}: ` +
              `${firstError.Code} on ${firstError.Key}`,
          );
        }
        deleted += objects.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  }

  async deleteOriginal(sourceKey: string, uploadId?: string): Promise<void> {
    const bucket = this.buckets.uploads;
    if (!bucket) throw new Error('These video files were set up without the uploads bucket');
    if (uploadId) {
      try {
        await this.s3.send(
          new AbortMultipartUploadCommand({
            Bucket: bucket,
            Key: sourceKey,
            UploadId: uploadId,
          }),
        );
      } catch (error) {
        // Already completed, aborted or expired: nothing left to abort.
        if (!isNoSuchUpload(error)) throw error;
      }
    }
    await this.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: sourceKey }));
  }
}
