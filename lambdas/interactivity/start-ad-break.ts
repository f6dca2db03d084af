import * as z from 'zod';
import { parseAs } from '#shared/events.ts';
import { logger, withLogContext } from '#shared/logger.ts';
import { type AdBreakDeps, startScheduledAdBreak } from './ad-breaks.ts';
import { defaultAdBreakDeps } from './deps.ts';

/** What a scheduled break's schedule sends (scheduler-schedules.ts). */
const AdBreakStartSchema = z.object({ streamId: z.string().min(1), adBreakId: z.string().min(1) }).strict();

/** EventBridge Scheduler → a scheduled ad break starts (or is cancelled, when its time is no longer right). */
export const createHandler = (deps: AdBreakDeps) => async (event: unknown) => {
  const input = parseAs(AdBreakStartSchema, event, 'an ad break start');
  const outcome = await startScheduledAdBreak(deps, input);
  logger.info('scheduled ad break', { streamId: input.streamId, outcome });
  return { outcome };
};

export const handler = withLogContext(createHandler(defaultAdBreakDeps()));
