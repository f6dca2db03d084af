import * as z from 'zod';

/** The ids paths carry, in one place, so the contract's files can share them without importing each other. */

/** A video id: what `randomUUID` makes, and what other video sources may use. */
export const VideoId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'A video id is 1–64 letters, digits, dashes or underscores.');
export const VideoIdParams = z.object({ videoId: VideoId });

/** A stream id is the creator's IVS channel id (the last part of its ARN). */
export const StreamId = z
  .string()
  .regex(/^[A-Za-z0-9]{1,64}$/, 'A stream id is 1–64 letters or digits (the IVS channel id).');
export const StreamIdParams = z.object({ streamId: StreamId }).strict();
