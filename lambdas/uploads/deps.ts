import type { S3Client } from '@aws-sdk/client-s3';
import { ENV } from '#contract/environment.ts';
import { requireEnv } from '#shared/config.ts';
import { documentClient } from '#shared/dynamodb.ts';
import { defaultQuotaDeps } from '#shared/quota-store.ts';
import { DynamoVideoCatalog } from '../catalog/video-store.ts';
import { uploadMaxBytesFrom } from './parts.ts';

import { createUploadsS3Client, S3MultipartStore } from './s3-multipart-store.ts';
import type { UploadsDeps } from './upload.ts';

let s3: S3Client | undefined;

/** The upload use cases wired to DynamoDB and the uploads bucket, from the function's environment. */
export function defaultUploadsDeps(env: NodeJS.ProcessEnv = process.env): UploadsDeps {
  const config = requireEnv([ENV.catalogTable, ENV.buckets.uploads], env);
  s3 ??= createUploadsS3Client();
  return {
    ...defaultQuotaDeps(env),
    catalog: new DynamoVideoCatalog(documentClient(), config[ENV.catalogTable]),
    multipart: new S3MultipartStore(s3, config[ENV.buckets.uploads]),
    maxUploadBytes: uploadMaxBytesFrom(env),
  };
}
