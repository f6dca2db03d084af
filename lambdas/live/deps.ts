import { IvsClient } from '@aws-sdk/client-ivs';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { requireEnv } from '#shared/config.ts';
import { documentClient } from '#shared/dynamodb.ts';
import { liveEnv, liveRecording, PLAYBACK_TOKEN_SECONDS } from '../../lib/wiring/live.ts';
import { DynamoVideoCatalog } from '../catalog/video-store.ts';
import { IvsLiveChannels } from './ivs-channels.ts';
import type { RecordingEventDeps, StreamEventDeps } from './ivs-events.ts';
import { SecretPlaybackTokenSigner } from './playback-tokens.ts';
import { S3RecordingFiles } from './s3-recordings.ts';
import { DynamoStreamStore } from './stream-store.ts';
import { DEFAULT_INGEST_URL_TEMPLATE, type LiveDeps } from './streams.ts';

/** The live API's dependencies from the function's environment (read at init). */
export function defaultLiveDeps(env: NodeJS.ProcessEnv = process.env): LiveDeps {
  // The names the CDK app and the local platform set (lib/wiring/live.ts).
  const config = requireEnv(
    ['CATALOG_TABLE_NAME', 'APPLICATION_NAME', liveEnv.recordingConfigurationArn, liveEnv.playbackKeySecret],
    env,
  );
  return {
    channels: new IvsLiveChannels(new IvsClient({}), {
      recordingConfigurationArn: config[liveEnv.recordingConfigurationArn],
    }),
    store: new DynamoStreamStore(documentClient(), config.CATALOG_TABLE_NAME),
    tokens: new SecretPlaybackTokenSigner(new SecretsManagerClient({}), config[liveEnv.playbackKeySecret]),
    settings: {
      application: config.APPLICATION_NAME,
      ingestUrlTemplate: env[liveEnv.ingestUrlTemplate] || DEFAULT_INGEST_URL_TEMPLATE,
      playbackTokenSeconds: PLAYBACK_TOKEN_SECONDS,
    },
  };
}

export function defaultStreamEventDeps(env: NodeJS.ProcessEnv = process.env): StreamEventDeps {
  const { CATALOG_TABLE_NAME } = requireEnv(['CATALOG_TABLE_NAME'], env);
  return { store: new DynamoStreamStore(documentClient(), CATALOG_TABLE_NAME) };
}

export function defaultRecordingEventDeps(env: NodeJS.ProcessEnv = process.env): RecordingEventDeps {
  const config = requireEnv(['CATALOG_TABLE_NAME', 'RECORDINGS_BUCKET_NAME'], env);
  return {
    store: new DynamoStreamStore(documentClient(), config.CATALOG_TABLE_NAME),
    catalog: new DynamoVideoCatalog(documentClient(), config.CATALOG_TABLE_NAME),
    recordings: new S3RecordingFiles(new S3Client({})),
    settings: {
      recordingsBucket: config.RECORDINGS_BUCKET_NAME,
      thumbnailIntervalSeconds: liveRecording.thumbnailIntervalSeconds,
    },
  };
}
