import { IvsClient } from '@aws-sdk/client-ivs';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV } from '#contract/environment.ts';
import { requireEnv } from '#shared/config.ts';
import { documentClient } from '#shared/dynamodb.ts';
import { DynamoVideoCatalog } from '../catalog/video-store.ts';
import { DynamoStreamStore } from '../live/stream-store.ts';
import type { AdBreakDeps } from './ad-breaks.ts';
import type { AnnouncementDeps } from './announcements.ts';
import type { BroadcastDeps } from './broadcast.ts';
import { DynamoInteractivityStore } from './interactivity-store.ts';
import { IvsInBandChannel } from './ivs-metadata.ts';
import type { ReactionDeps } from './reactions.ts';
import { SchedulerAdBreakSchedules } from './scheduler-schedules.ts';
import { SqsReactionQueue } from './sqs-reaction-queue.ts';

/** The interactivity functions' dependencies from their environment (read at init). */

export function defaultReactionDeps(env: NodeJS.ProcessEnv = process.env): ReactionDeps {
  const config = requireEnv([ENV.catalogTable, ENV.queueUrls['reaction-broadcast']], env);
  const db = documentClient();
  return {
    streams: new DynamoStreamStore(db, config[ENV.catalogTable]),
    interactivity: new DynamoInteractivityStore(db, config[ENV.catalogTable]),
    // The client's endpoint, not the queue URL's host: in AWS they are the same, and locally the calls must go
    // through the endpoint the platform gives (its IAM check), not straight to the emulator the URL names.
    queue: new SqsReactionQueue(
      new SQSClient({ useQueueUrlAsEndpoint: false }),
      config[ENV.queueUrls['reaction-broadcast']],
    ),
    now: () => new Date(),
    streamCache: new Map(),
  };
}

export function defaultAnnouncementDeps(env: NodeJS.ProcessEnv = process.env): AnnouncementDeps {
  const config = requireEnv([ENV.catalogTable], env);
  const db = documentClient();
  return {
    streams: new DynamoStreamStore(db, config[ENV.catalogTable]),
    interactivity: new DynamoInteractivityStore(db, config[ENV.catalogTable]),
    inBand: new IvsInBandChannel(new IvsClient({})),
    now: () => new Date(),
  };
}

/** The ad-break-start schedules, where the function's wiring gives it the schedule group (access.schedules). */
export function defaultAdBreakSchedules(env: NodeJS.ProcessEnv = process.env) {
  const group = env[ENV.scheduleGroup];
  if (!group) return undefined;
  const config = requireEnv([ENV.schedulerRoleArn, ENV.scheduleTargets['ad-break-start']], env);
  return new SchedulerAdBreakSchedules(new SchedulerClient({}), {
    groupName: group,
    roleArn: config[ENV.schedulerRoleArn],
    targetArn: config[ENV.scheduleTargets['ad-break-start']],
  });
}

export function defaultAdBreakDeps(env: NodeJS.ProcessEnv = process.env): AdBreakDeps {
  const config = requireEnv([ENV.catalogTable], env);
  const db = documentClient();
  const house = env[ENV.houseCreativeVideoId];
  const schedules = defaultAdBreakSchedules(env);
  return {
    streams: new DynamoStreamStore(db, config[ENV.catalogTable]),
    interactivity: new DynamoInteractivityStore(db, config[ENV.catalogTable]),
    catalog: new DynamoVideoCatalog(db, config[ENV.catalogTable]),
    inBand: new IvsInBandChannel(new IvsClient({})),
    now: () => new Date(),
    ...(house ? { houseCreativeVideoId: house } : {}),
    ...(schedules ? { schedules } : {}),
  };
}

/**
 * The broadcast paces its calls itself (broadcast.ts) and decides what a throttled call becomes: the SDK's
 * retries, which would call again sooner than that pace allows, are off.
 */
export function defaultBroadcastDeps(): BroadcastDeps {
  return { inBand: new IvsInBandChannel(new IvsClient({ maxAttempts: 1 })) };
}
