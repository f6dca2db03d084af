import { IvsStreamStateChangeSchema } from '#contract/events/ivs.ts';
import { parseEventBridgeEvent } from '#shared/events.ts';
import { logger, withLogContext } from '#shared/logger.ts';
import { defaultStreamEventDeps } from './deps.ts';
import { applyStreamEvent, type StreamEventDeps } from './ivs-events.ts';
import { channelIdOf } from './stream-state.ts';

/** EventBridge → live status: "IVS Stream State Change" events merged into the stream's facts. */
export const createHandler = (deps: StreamEventDeps) => async (event: unknown) => {
  const change = parseEventBridgeEvent(IvsStreamStateChangeSchema, event, 'an IVS Stream State Change event');
  const signals = await applyStreamEvent(deps, change);
  logger.info('stream state change', {
    streamId: change.resources[0] && channelIdOf(change.resources[0]),
    ivsStreamId: change.detail.stream_id,
    eventName: change.detail.event_name,
    signals,
  });
};

export const handler = withLogContext(createHandler(defaultStreamEventDeps()));
