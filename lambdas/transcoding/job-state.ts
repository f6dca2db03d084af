import type { EventBridgeEvent } from 'aws-lambda';
import { logger, withLogContext } from '../shared/logger.ts';
import { defaultJobEventDeps } from './deps.ts';
import { applyJobStateChange, type JobEventDeps, type JobStateDetail } from './job-events.ts';

/** EventBridge → job state: keeps each video's status in step with its MediaConvert job. */
export const createHandler =
  (deps: JobEventDeps) =>
  async (event: EventBridgeEvent<'MediaConvert Job State Change', JobStateDetail>): Promise<void> => {
    const outcome = await applyJobStateChange(deps, event.detail);
    logger.info('job state change', {
      jobId: event.detail.jobId,
      videoId: event.detail.userMetadata?.videoId,
      status: event.detail.status,
      outcome,
    });
  };

export const handler = withLogContext(createHandler(defaultJobEventDeps()));
