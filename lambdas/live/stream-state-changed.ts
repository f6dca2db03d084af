import { logger, withLogContext } from '#shared/logger.ts';
import { defaultStreamEventDeps } from './deps.ts';
import { applyStreamEvent, type StreamEventDeps } from './ivs-events.ts';
import type { IvsEvent } from './stream-state.ts';

/** EventBridge → live status: "IVS Stream State Change" events merged into the stream's facts. */
export const createHandler = (deps: StreamEventDeps) => async (event: IvsEvent) => {
  const signals = await applyStreamEvent(deps, event);
  logger.info('stream state change', {
    streamId: event.resources?.[0]?.split('/').pop(),
    ivsStreamId: event.detail?.stream_id,
    eventName: event.detail?.event_name,
    signals,
  });
};

export const handler = withLogContext(createHandler(defaultStreamEventDeps()));
