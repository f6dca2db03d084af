import { MediaConvertJobStateChangeSchema } from '#contract/events/mediaconvert.ts';
import { parseEventBridgeEvent } from '#shared/events.ts';
import { logger, withLogContext } from '#shared/logger.ts';
import { defaultJobEventDeps } from './deps.ts';
import { applyJobStateChange, type JobEventDeps } from './job-events.ts';

/** EventBridge → job state: keeps each video's status in step with its MediaConvert job. */
export const createHandler =
  (deps: JobEventDeps) =>
  async (event: unknown): Promise<void> => {
    const { detail } = parseEventBridgeEvent(
      MediaConvertJobStateChangeSchema,
      event,
      'a MediaConvert Job State Change event',
    );
    const outcome = await applyJobStateChange(deps, detail);
    logger.info('job state change', {
      jobId: detail.jobId,
      videoId: detail.userMetadata.videoId,
      status: detail.status,
      outcome,
    });
  };

export const handler = withLogContext(createHandler(defaultJobEventDeps()));
