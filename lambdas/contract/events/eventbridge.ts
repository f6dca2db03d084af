import * as z from 'zod';

/**
 * EventBridge's envelope around an AWS service's event, as EventBridge documents it
 * (https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html). `detail-type` and
 * `source` are fixed per schema, so an event routed to the wrong function fails to parse, by name.
 */
export function eventBridgeEvent<DetailType extends string, Source extends string, Detail extends z.ZodType>(
  detailType: DetailType,
  source: Source,
  detail: Detail,
) {
  return z.object({
    version: z.string(),
    id: z.string().min(1),
    'detail-type': z.literal(detailType),
    source: z.literal(source),
    account: z.string(),
    /** When the change happened: ISO 8601 in UTC, whole seconds (`2026-11-21T10:20:45Z`). */
    time: z.iso.datetime({ offset: true }),
    region: z.string(),
    /** ARNs of what the event is about (the job, the channel). */
    resources: z.array(z.string()),
    detail,
  });
}
