import type { InteractivityStore } from '../../../lambdas/interactivity/ports.ts';
import type { StreamStore } from '../../../lambdas/live/ports.ts';
import { userIdTokens } from '../../support/http-deps.ts';
import type { Handler } from '../../support/lambda.ts';
import { InMemoryChannels } from '../live/in-memory.ts';

/** What the live and interactivity handler modules read at import, as at Lambda init. */
export const HANDLER_ENV = {
  AWS_REGION: 'us-east-1',
  USER_POOL_ID: 'us-east-1_example',
  USER_POOL_CLIENT_ID: 'client',
  CATALOG_TABLE_NAME: 'catalog',
  APPLICATION_NAME: 'skycast-test',
  RECORDING_CONFIGURATION_ARN: 'arn:aws:ivs:us-east-1:123456789012:recording-configuration/abc',
  PLAYBACK_KEY_SECRET_ID: 'playback-key',
  INGEST_URL_TEMPLATE: 'rtmps://{ingestEndpoint}:443/app/',
  RECORDINGS_BUCKET_NAME: 'recordings',
  REACTION_BROADCAST_QUEUE_URL: 'http://127.0.0.1:1/queue/reactions',
};

/** watchStream over these stores, as a viewer who joins sees the stream. */
export async function watchHandler(
  streams: StreamStore,
  interactivity: Pick<InteractivityStore, 'reactionTotals' | 'announcement' | 'adBreak'>,
  now: () => Date,
): Promise<Handler> {
  return (await import('../../../lambdas/live/watch-stream.ts')).createHandler({
    ...userIdTokens,
    channels: new InMemoryChannels(),
    store: streams,
    interactivity,
    tokens: { sign: async () => 'token' },
    settings: {
      application: 'skycast-test',
      ingestUrlTemplate: '{ingestEndpoint}',
      playbackTokenSeconds: 60,
    },
    now,
  });
}
