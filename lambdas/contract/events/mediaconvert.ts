import * as z from 'zod';
import { eventBridgeEvent } from './eventbridge.ts';

/**
 * "MediaConvert Job State Change" on EventBridge, in the shapes MediaConvert documents
 * (https://docs.aws.amazon.com/mediaconvert/latest/ug/mediaconvert_event_list.html). Every status carries
 * the job id and the job's user metadata; COMPLETE adds what the job wrote, ERROR why it failed,
 * STATUS_UPDATE how far it got. The local MediaConvert emulator emits the same events.
 */

export const MEDIACONVERT_JOB_STATE_CHANGE = 'MediaConvert Job State Change';
export const MEDIACONVERT_SOURCE = 'aws.mediaconvert';

const common = {
  timestamp: z.number(),
  accountId: z.string(),
  queue: z.string(),
  jobId: z.string().min(1),
  /** What the job was created with: Skycast puts the application, the video and its owner here. */
  userMetadata: z.record(z.string(), z.string()),
};

/** Progress of a running job (STATUS_UPDATE, about once a minute). */
export const MediaConvertJobProgressSchema = z.object({
  phaseProgress: z
    .record(z.string(), z.object({ status: z.string(), percentComplete: z.number() }))
    .optional(),
  jobPercentComplete: z.number().min(0).max(100),
  currentPhase: z.string().optional(),
  retryCount: z.number().optional(),
});

/** One output of a group: the files it wrote, how long it plays, and its picture size if it has one. */
export const MediaConvertOutputDetailSchema = z.object({
  outputFilePaths: z.array(z.string().startsWith('s3://')).min(1),
  durationInMs: z.number().nonnegative(),
  videoDetails: z
    .object({
      widthInPx: z.number().int().nonnegative(),
      heightInPx: z.number().int().nonnegative(),
      averageBitrate: z.number().optional(),
      averageQVBRScore: z.number().optional(),
      minimumQVBRScore: z.number().optional(),
      maximumQVBRScore: z.number().optional(),
    })
    .optional(),
});

/** One output group of a completed job; HLS (and DASH, CMAF) groups also name their main playlists. */
export const MediaConvertOutputGroupDetailSchema = z.object({
  type: z.string().min(1),
  outputDetails: z.array(MediaConvertOutputDetailSchema),
  playlistFilePaths: z.array(z.string().startsWith('s3://')).optional(),
});

const completeDetail = z.object({
  ...common,
  status: z.literal('COMPLETE'),
  outputGroupDetails: z.array(MediaConvertOutputGroupDetailSchema).min(1),
  warnings: z.array(z.object({ code: z.number(), count: z.number() })).optional(),
});

const errorDetail = z.object({
  ...common,
  status: z.literal('ERROR'),
  errorCode: z.number().int(),
  errorMessage: z.string(),
});

const statusUpdateDetail = z.object({
  ...common,
  status: z.literal('STATUS_UPDATE'),
  framesDecoded: z.number().optional(),
  jobProgress: MediaConvertJobProgressSchema,
});

/** The statuses whose events carry nothing Skycast reads beyond the common fields. */
const otherDetail = z.object({
  ...common,
  status: z.enum(['SUBMITTED', 'PROGRESSING', 'CANCELED', 'INPUT_INFORMATION', 'NEW_WARNING', 'QUEUE_HOP']),
});

/** The `detail` of a job state change, told apart by `status`. */
export const MediaConvertJobStateDetailSchema = z.discriminatedUnion('status', [
  completeDetail,
  errorDetail,
  statusUpdateDetail,
  otherDetail,
]);

export const MediaConvertJobStateChangeSchema = eventBridgeEvent(
  MEDIACONVERT_JOB_STATE_CHANGE,
  MEDIACONVERT_SOURCE,
  MediaConvertJobStateDetailSchema,
);

export type MediaConvertJobStateDetail = z.infer<typeof MediaConvertJobStateDetailSchema>;
export type MediaConvertJobStateChange = z.infer<typeof MediaConvertJobStateChangeSchema>;
export type MediaConvertOutputGroupDetail = z.infer<typeof MediaConvertOutputGroupDetailSchema>;
