import * as z from 'zod';
import { REACTIONS } from '#contract/interactivity.ts';
import type { ReactionMessage } from './ports.ts';

/** The reaction-broadcast queue's message, as the broadcaster reads it (it trusts nothing it did not check). */
export const ReactionMessageSchema = z
  .object({
    v: z.literal(1),
    channelArn: z.string().regex(/^arn:[^:]+:ivs:[^:]*:[^:]*:channel\/[A-Za-z0-9]+$/),
    streamId: z.string().min(1),
    reaction: z.enum(REACTIONS),
    acceptedAt: z.iso.datetime(),
  })
  .strict() satisfies z.ZodType<ReactionMessage>;
