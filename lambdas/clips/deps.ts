import { randomUUID } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { ENV } from '#contract/environment.ts';
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
  const config = requireEnv([ENV.buckets.media, ENV.buckets.recordings], env);
  return {
    ...defaultClipReadDeps(env),
    playlists: new S3PlaylistSource(new S3Client({}), {
      media: config[ENV.buckets.media],
      recordings: config[ENV.buckets.recordings],
    }),
    newId: randomUUID,
    now: () => new Date(),
  };
}
