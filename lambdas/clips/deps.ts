import { randomUUID } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { requireEnv } from '#shared/config.ts';
import { defaultCatalogDeps } from '../catalog/deps.ts';
import type { VideoPlaybackDeps } from '../catalog/videos.ts';
import { playbackIssuerFromEnv } from '../delivery/playback-key-store.ts';
import { S3PlaylistSource } from '../delivery/s3-playlist-source.ts';
import type { ClipDeps } from './clips.ts';

/** Reading clips: the catalog and the playback signer. */
export function defaultClipReadDeps(env: NodeJS.ProcessEnv = process.env): VideoPlaybackDeps {
  return { ...defaultCatalogDeps(env), playback: playbackIssuerFromEnv(env) };
}

/** Cutting clips: also the sources' playlists, from the media and recordings buckets. */
export function defaultClipDeps(env: NodeJS.ProcessEnv = process.env): ClipDeps {
  const { MEDIA_BUCKET_NAME, RECORDINGS_BUCKET_NAME } = requireEnv(
    ['MEDIA_BUCKET_NAME', 'RECORDINGS_BUCKET_NAME'],
    env,
  );
  return {
    ...defaultClipReadDeps(env),
    playlists: new S3PlaylistSource(new S3Client({}), {
      media: MEDIA_BUCKET_NAME,
      recordings: RECORDINGS_BUCKET_NAME,
    }),
    newId: randomUUID,
    now: () => new Date(),
  };
}
