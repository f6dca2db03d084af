import { MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import { S3Client } from '@aws-sdk/client-s3';
import { S3VideoFiles } from '../catalog/s3-video-files.ts';
import { DynamoVideoCatalog } from '../catalog/video-store.ts';
import { requireEnv } from '../shared/config.ts';
import { documentClient } from '../shared/dynamodb.ts';
import { MediaConvertTranscoder, S3Objects } from './aws-adapters.ts';
import type { JobEventDeps } from './job-events.ts';
import type { SubmitDeps } from './submit-upload.ts';

export function defaultSubmitDeps(env: NodeJS.ProcessEnv = process.env): SubmitDeps {
  const config = requireEnv(
    ['CATALOG_TABLE_NAME', 'MEDIA_BUCKET_NAME', 'MEDIACONVERT_ROLE_ARN', 'APPLICATION_NAME'],
    env,
  );
  return {
    catalog: new DynamoVideoCatalog(documentClient(), config.CATALOG_TABLE_NAME),
    sources: new S3Objects(new S3Client({})),
    transcoder: new MediaConvertTranscoder(new MediaConvertClient({})),
    settings: {
      application: config.APPLICATION_NAME,
      mediaBucket: config.MEDIA_BUCKET_NAME,
      roleArn: config.MEDIACONVERT_ROLE_ARN,
    },
  };
}

export function defaultJobEventDeps(env: NodeJS.ProcessEnv = process.env): JobEventDeps {
  const { CATALOG_TABLE_NAME, MEDIA_BUCKET_NAME } = requireEnv(
    ['CATALOG_TABLE_NAME', 'MEDIA_BUCKET_NAME'],
    env,
  );
  const s3 = new S3Client({});
  return {
    catalog: new DynamoVideoCatalog(documentClient(), CATALOG_TABLE_NAME),
    media: new S3Objects(s3),
    files: new S3VideoFiles(s3, { media: MEDIA_BUCKET_NAME }),
  };
}
