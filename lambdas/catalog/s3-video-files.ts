import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { mediaPrefix } from '../transcoding/job.ts';
import type { VideoFiles } from './videos.ts';

const isNoSuchUpload = (error: unknown) => (error as { name?: string }).name === 'NoSuchUpload';

/** A video's files in S3: its media under `videos/<videoId>/` in the media bucket, its original in the uploads bucket. */
export class S3VideoFiles implements VideoFiles {
  constructor(
    private readonly s3: S3Client,
    /** `uploads` may be left out by a function that only ever deletes media. */
    private readonly buckets: { media: string; uploads?: string },
  ) {}

  async deleteMedia(videoId: string): Promise<number> {
    // The trailing slash keeps `videos/abc/` from matching the media of a video `abcd`.
    const prefix = `${mediaPrefix(videoId)}/`;
    let deleted = 0;
    let token: string | undefined;
    do {
      // A page holds at most 1,000 keys, exactly what one DeleteObjects call takes.
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.buckets.media, Prefix: prefix, ContinuationToken: token }),
      );
      const objects = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
      if (objects.length > 0) {
        const result = await this.s3.send(
          new DeleteObjectsCommand({ Bucket: this.buckets.media, Delete: { Objects: objects, Quiet: true } }),
        );
        const [firstError] = result.Errors ?? [];
        if (firstError) {
          throw new Error(
            `Could not delete ${result.Errors?.length} media object(s) of video ${videoId}: ` +
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
