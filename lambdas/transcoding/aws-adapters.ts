import {
  CreateJobCommand,
  type CreateJobRequest,
  type MediaConvertClient,
  ProbeCommand,
  type Track,
} from '@aws-sdk/client-mediaconvert';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SourceMedia } from './ladder.ts';
import type { MediaStore, ProbeOutcome, SourceStore, Transcoder } from './ports.ts';

export class S3Objects implements SourceStore, MediaStore {
  constructor(private readonly s3: S3Client) {}

  async readFirstBytes(bucket: string, key: string, count: number): Promise<Uint8Array | undefined> {
    try {
      const object = await this.s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${count - 1}` }),
      );
      return (await object.Body?.transformToByteArray()) ?? new Uint8Array();
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async readText(bucket: string, key: string): Promise<string> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await object.Body?.transformToString('utf-8')) ?? '';
  }
}

type Rotation = NonNullable<SourceMedia['video']>['rotation'];
const isRotation = (degrees: number): degrees is Rotation => [0, 90, 180, 270].includes(degrees);

/** The tracks MediaConvert's Probe found, as the ladder needs them. */
export function sourceMediaFromTracks(tracks: readonly Track[]): SourceMedia | undefined {
  const video = tracks.find((track) => track.TrackType === 'video' && track.VideoProperties?.Width);
  const hasAudio = tracks.some((track) => track.TrackType === 'audio');
  if (!video && !hasAudio) return undefined;
  const rotation = (((video?.VideoProperties?.Rotation ?? 0) % 360) + 360) % 360;
  return {
    hasAudio,
    ...(video?.VideoProperties?.Width && video.VideoProperties.Height
      ? {
          video: {
            width: video.VideoProperties.Width,
            height: video.VideoProperties.Height,
            rotation: isRotation(rotation) ? rotation : 0,
          },
        }
      : {}),
  };
}

export class MediaConvertTranscoder implements Transcoder {
  constructor(private readonly mediaConvert: MediaConvertClient) {}

  async probe(uri: string): Promise<ProbeOutcome> {
    let tracks: Track[] = [];
    try {
      const result = await this.mediaConvert.send(new ProbeCommand({ InputFiles: [{ FileUrl: uri }] }));
      tracks = result.ProbeResults?.[0]?.Container?.Tracks ?? [];
    } catch (error) {
      // Probe answers 400 for a file it cannot parse: that is the file's fault, not a reason to retry.
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 400) {
        return { ok: false, reason: 'We could not read this file: it may be damaged or incomplete.' };
      }
      throw error;
    }
    const media = sourceMediaFromTracks(tracks);
    if (!media) return { ok: false, reason: 'The file has no video or audio we can read.' };
    return { ok: true, media };
  }

  async submit(request: CreateJobRequest, idempotencyToken: string): Promise<string> {
    const { Job } = await this.mediaConvert.send(
      new CreateJobCommand({ ...request, ClientRequestToken: idempotencyToken }),
    );
    if (!Job?.Id) throw new Error('MediaConvert accepted the job but returned no id');
    return Job.Id;
  }
}
