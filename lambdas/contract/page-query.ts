import * as z from 'zod';

/** The query fields every paged listing takes: how many items, and where the previous page ended. */
export const pageQueryFields = {
  limit: z.coerce
    .number()
    .int('limit is a whole number.')
    .min(1, 'limit is at least 1.')
    .max(50, 'limit is at most 50.')
    .default(20),
  cursor: z
    .string()
    .min(1)
    .max(2048)
    .optional()
    .describe('The `cursor` of the previous page, to get the next one.'),
};
