import { IvsClient } from '@aws-sdk/client-ivs';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ENV } from '#contract/environment.ts';
import { liveRecording, PLAYBACK_TOKEN_SECONDS } from '#contract/live-settings.ts';
import { requireEnv } from '#shared/config.ts';
import { documentClient } from '#shared/dynamodb.ts';
import { DynamoVideoCatalog } from '../catalog/video-store.ts';
import { cancelScheduledAdBreaks } from '../interactivity/ad-breaks.ts';
import { defaultAdBreakSchedules } from '../interactivity/deps.ts';
import { DynamoInteractivityStore } from '../interactivity/interactivity-store.ts';
import { IvsLiveChannels } from './ivs-channels.ts';
import type { RecordingEventDeps, StreamEventDeps } from './ivs-events.ts';
import { SecretPlaybackTokenSigner } from './playback-tokens.ts';
import { S3RecordingFiles } from './s3-recordings.ts';
import { channelIdOf } from './stream-state.ts';
import { DynamoStreamStore } from './stream-store.ts';
import type { LiveDeps } from './streams.ts';

/** The live API's dependencies from the function's environment (read at init). */
export function defaultLiveDeps(env: NodeJS.ProcessEnv = process.env): LiveDeps {
  const config = requireEnv(
    [
      ENV.catalogTable,
      ENV.application,
      ENV.recordingConfigurationArn,
      ENV.liveKeySecret,
      ENV.ingestUrlTemplate,
    ],
    env,
  );
  return {
    channels: new IvsLiveChannels(new IvsClient({}), {
      recordingConfigurationArn: config[ENV.recordingConfigurationArn],
      application: config[ENV.application],
    }),
    store: new DynamoStreamStore(documentClient(), config[ENV.catalogTable]),
    interactivity: new DynamoInteractivityStore(documentClient(), config[ENV.catalogTable]),
    tokens: new SecretPlaybackTokenSigner(new SecretsManagerClient({}), config[ENV.liveKeySecret]),
    settings: {
      application: config[ENV.application],
      ingestUrlTemplate: config[ENV.ingestUrlTemplate],
      playbackTokenSeconds: PLAYBACK_TOKEN_SECONDS,
    },
  };
}

export function defaultStreamEventDeps(env: NodeJS.ProcessEnv = process.env): StreamEventDeps {
  const config = requireEnv([ENV.catalogTable], env);
  const schedules = defaultAdBreakSchedules(env);
  const interactivity = new DynamoInteractivityStore(documentClient(), config[ENV.catalogTable]);
  return {
    store: new DynamoStreamStore(documentClient(), config[ENV.catalogTable]),
    // A broadcast's end cancels its ad breaks still scheduled, where the function may delete schedules.
    ...(schedules
      ? {
          onStreamEnded: async (channelArn: string, ivsStreamId: string) => {
            await cancelScheduledAdBreaks({ interactivity, schedules }, channelIdOf(channelArn), ivsStreamId);
          },
        }
      : {}),
  };
}

export function defaultRecordingEventDeps(env: NodeJS.ProcessEnv = process.env): RecordingEventDeps {
  const config = requireEnv([ENV.catalogTable, ENV.buckets.recordings], env);
  return {
    store: new DynamoStreamStore(documentClient(), config[ENV.catalogTable]),
    catalog: new DynamoVideoCatalog(documentClient(), config[ENV.catalogTable]),
    recordings: new S3RecordingFiles(new S3Client({})),
    settings: {
      recordingsBucket: config[ENV.buckets.recordings],
      thumbnailIntervalSeconds: liveRecording.thumbnailIntervalSeconds,
    },
  };
}
