import { IvsRecordingStateChangeSchema } from '#contract/events/ivs.ts';
import { parseEventBridgeEvent } from '#shared/events.ts';
import { logger, withLogContext } from '#shared/logger.ts';
import { defaultRecordingEventDeps } from './deps.ts';
import { applyRecordingEvent, type RecordingEventDeps } from './ivs-events.ts';
import { channelIdOf } from './stream-state.ts';

/** EventBridge → live to VOD: a Recording End closes the stream and makes the recording a READY video. */
export const createHandler = (deps: RecordingEventDeps) => async (event: unknown) => {
  const change = parseEventBridgeEvent(
    IvsRecordingStateChangeSchema,
    event,
    'an IVS Recording State Change event',
  );
  const outcome = await applyRecordingEvent(deps, change);
  logger.info('recording state change', {
    streamId: change.resources[0] && channelIdOf(change.resources[0]),
    recordingStatus: change.detail.recording_status,
    outcome,
  });
};

export const handler = withLogContext(createHandler(defaultRecordingEventDeps()));
