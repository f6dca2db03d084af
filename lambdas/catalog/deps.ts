import { S3Client } from '@aws-sdk/client-s3';
import { requireEnv } from '#shared/config.ts';
import { documentClient } from '#shared/dynamodb.ts';
import { S3VideoFiles } from './s3-video-files.ts';
import { DynamoVideoCatalog } from './video-store.ts';
import type { CatalogReadDeps, VideoDeletionDeps } from './videos.ts';

let s3: S3Client | undefined;

/** The catalog in DynamoDB, from the function's environment. */
export function defaultCatalogDeps(env: NodeJS.ProcessEnv = process.env): CatalogReadDeps {
  const { CATALOG_TABLE_NAME } = requireEnv(['CATALOG_TABLE_NAME'], env);
  return { catalog: new DynamoVideoCatalog(documentClient(), CATALOG_TABLE_NAME) };
}

/** The catalog plus the media, uploads and recordings buckets, for deleting videos. */
export function defaultVideoDeletionDeps(env: NodeJS.ProcessEnv = process.env): VideoDeletionDeps {
  const { MEDIA_BUCKET_NAME, UPLOADS_BUCKET_NAME, RECORDINGS_BUCKET_NAME } = requireEnv(
    ['MEDIA_BUCKET_NAME', 'UPLOADS_BUCKET_NAME', 'RECORDINGS_BUCKET_NAME'],
    env,
  );
  s3 ??= new S3Client({});
  return {
    ...defaultCatalogDeps(env),
    files: new S3VideoFiles(s3, {
      media: MEDIA_BUCKET_NAME,
      uploads: UPLOADS_BUCKET_NAME,
      recordings: RECORDINGS_BUCKET_NAME,
    }),
  };
}
