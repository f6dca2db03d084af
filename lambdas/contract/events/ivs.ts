import * as z from 'zod';
import { eventBridgeEvent } from './eventbridge.ts';

/**
 * Amazon IVS's events on EventBridge, in the shapes IVS documents
 * (https://docs.aws.amazon.com/ivs/latest/LowLatencyUserGuide/eventbridge.html). `resources` holds the
 * channel's ARN. The local IVS emulator emits the same events.
 */

export const IVS_SOURCE = 'aws.ivs';
export const STREAM_STATE_CHANGE = 'IVS Stream State Change';
export const RECORDING_STATE_CHANGE = 'IVS Recording State Change';

export const IvsStreamStateDetailSchema = z.object({
  event_name: z.string().min(1),
  channel_name: z.string(),
  stream_id: z.string().min(1),
  /** More detail on some changes, e.g. why a stream failed (`InvalidInput`). */
  code: z.string().optional(),
});

/** The recording statuses IVS documents. */
export const RECORDING_STATUSES = [
  'Recording Start',
  'Recording End',
  'Recording Start Failure',
  'Recording End Failure',
] as const;

export const IvsRecordingStateDetailSchema = z.object({
  channel_name: z.string(),
  stream_id: z.string().min(1),
  recording_status: z.enum(RECORDING_STATUSES),
  recording_status_reason: z.string(),
  recording_s3_bucket_name: z.string().min(1),
  /** Where this recording's files are, in the bucket (`ivs/v1/<account>/<channel>/<y>/<m>/<d>/<h>/<min>/<id>`). */
  recording_s3_key_prefix: z.string().min(1),
  recording_duration_ms: z.number().nonnegative(),
  /** Newer events only: the recording session, and every stream id it merged after reconnects. */
  recording_session_id: z.string().min(1).optional(),
  recording_session_stream_ids: z.array(z.string().min(1)).optional(),
});

export const IvsStreamStateChangeSchema = eventBridgeEvent(
  STREAM_STATE_CHANGE,
  IVS_SOURCE,
  IvsStreamStateDetailSchema,
);

export const IvsRecordingStateChangeSchema = eventBridgeEvent(
  RECORDING_STATE_CHANGE,
  IVS_SOURCE,
  IvsRecordingStateDetailSchema,
);

export type IvsStreamStateChange = z.infer<typeof IvsStreamStateChangeSchema>;
export type IvsRecordingStateChange = z.infer<typeof IvsRecordingStateChangeSchema>;
