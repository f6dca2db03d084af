import { MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import { S3Client } from '@aws-sdk/client-s3';
import { ENV } from '#contract/environment.ts';
import { S3VideoFiles } from '../catalog/s3-video-files.ts';
import { DynamoVideoCatalog } from '../catalog/video-store.ts';
import { requireEnv } from '../shared/config.ts';
import { documentClient } from '../shared/dynamodb.ts';
import { MediaConvertTranscoder, S3Objects } from './aws-adapters.ts';
import type { JobEventDeps } from './job-events.ts';
import type { SubmitDeps } from './submit-upload.ts';

export function defaultSubmitDeps(env: NodeJS.ProcessEnv = process.env): SubmitDeps {
  const config = requireEnv(
    [ENV.catalogTable, ENV.buckets.media, ENV.mediaConvertRole, ENV.application],
    env,
  );
  return {
    catalog: new DynamoVideoCatalog(documentClient(), config[ENV.catalogTable]),
    sources: new S3Objects(new S3Client({})),
    transcoder: new MediaConvertTranscoder(new MediaConvertClient({})),
    settings: {
      application: config[ENV.application],
      mediaBucket: config[ENV.buckets.media],
      roleArn: config[ENV.mediaConvertRole],
    },
  };
}

export function defaultJobEventDeps(env: NodeJS.ProcessEnv = process.env): JobEventDeps {
  const config = requireEnv([ENV.catalogTable, ENV.buckets.media], env);
  const s3 = new S3Client({});
  return {
    catalog: new DynamoVideoCatalog(documentClient(), config[ENV.catalogTable]),
    media: new S3Objects(s3),
    files: new S3VideoFiles(s3, { media: config[ENV.buckets.media] }),
  };
}
