import { logger, withLogContext } from '#shared/logger.ts';
import { defaultRecordingEventDeps } from './deps.ts';
import { applyRecordingEvent, type RecordingEventDeps } from './ivs-events.ts';
import type { IvsEvent } from './stream-state.ts';

/** EventBridge → live to VOD: a Recording End closes the stream and makes the recording a READY video. */
export const createHandler = (deps: RecordingEventDeps) => async (event: IvsEvent) => {
  const outcome = await applyRecordingEvent(deps, event);
  logger.info('recording state change', {
    streamId: event.resources?.[0]?.split('/').pop(),
    recordingStatus: event.detail?.recording_status,
    outcome,
  });
};

export const handler = withLogContext(createHandler(defaultRecordingEventDeps()));
