import { S3Client } from '@aws-sdk/client-s3';
import { ENV } from '#contract/environment.ts';
import { requireEnv } from '#shared/config.ts';
import { documentClient } from '#shared/dynamodb.ts';
import { S3VideoFiles } from './s3-video-files.ts';
import { DynamoVideoCatalog } from './video-store.ts';
import type { CatalogReadDeps, VideoDeletionDeps } from './videos.ts';

let s3: S3Client | undefined;

/** The catalog in DynamoDB, from the function's environment. */
export function defaultCatalogDeps(env: NodeJS.ProcessEnv = process.env): CatalogReadDeps {
  const config = requireEnv([ENV.catalogTable], env);
  return { catalog: new DynamoVideoCatalog(documentClient(), config[ENV.catalogTable]) };
}

/** The catalog plus the media, uploads and recordings buckets, for deleting videos. */
export function defaultVideoDeletionDeps(env: NodeJS.ProcessEnv = process.env): VideoDeletionDeps {
  const config = requireEnv([ENV.buckets.media, ENV.buckets.uploads, ENV.buckets.recordings], env);
  s3 ??= new S3Client({});
  return {
    ...defaultCatalogDeps(env),
    files: new S3VideoFiles(s3, {
      media: config[ENV.buckets.media],
      uploads: config[ENV.buckets.uploads],
      recordings: config[ENV.buckets.recordings],
    }),
    now: () => new Date(),
  };
}
