/**
 * "MediaConvert Job State Change" events in the shape AWS documents for EventBridge
 * (https://docs.aws.amazon.com/mediaconvert/latest/ug/mediaconvert_event_list.html): PROGRESSING,
 * STATUS_UPDATE with `jobProgress`, COMPLETE with `outputGroupDetails`, ERROR with `errorCode` and
 * `errorMessage`, CANCELED.
 */
import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';

export type JobPhase = 'PROBING' | 'TRANSCODING' | 'UPLOADING';
export type PhaseStatus = 'PENDING' | 'PROGRESSING' | 'COMPLETE';

export interface JobProgress {
  phaseProgress: Record<JobPhase, { status: PhaseStatus; percentComplete: number }>;
  jobPercentComplete: number;
  currentPhase: JobPhase;
  retryCount: number;
}

export interface OutputDetail {
  outputFilePaths: string[];
  durationInMs: number;
  videoDetails?: { widthInPx: number; heightInPx: number; averageBitrate?: number };
}

export interface OutputGroupDetail {
  type: 'HLS_GROUP' | 'FILE_GROUP';
  outputDetails: OutputDetail[];
  /** HLS groups: the multivariant playlist. */
  playlistFilePaths?: string[];
}

export interface JobStateChangeDetail {
  timestamp: number;
  accountId: string;
  queue: string;
  jobId: string;
  status: 'PROGRESSING' | 'STATUS_UPDATE' | 'COMPLETE' | 'ERROR' | 'CANCELED';
  userMetadata: Record<string, string>;
  framesDecoded?: number;
  jobProgress?: JobProgress;
  outputGroupDetails?: OutputGroupDetail[];
  errorCode?: number;
  errorMessage?: string;
}

export type JobStateChangeEvent = EventBridgeEvent<'MediaConvert Job State Change', JobStateChangeDetail>;

export interface JobIdentity {
  id: string;
  arn: string;
  queueArn: string;
  accountId: string;
  region: string;
  userMetadata: Record<string, string>;
}

export function jobStateChange(
  job: JobIdentity,
  status: JobStateChangeDetail['status'],
  extra: Partial<JobStateChangeDetail> = {},
  at = new Date(),
): JobStateChangeEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'MediaConvert Job State Change',
    source: 'aws.mediaconvert',
    account: job.accountId,
    // EventBridge times are whole seconds.
    time: `${at.toISOString().slice(0, 19)}Z`,
    region: job.region,
    resources: [job.arn],
    detail: {
      timestamp: at.getTime(),
      accountId: job.accountId,
      queue: job.queueArn,
      jobId: job.id,
      status,
      userMetadata: job.userMetadata,
      ...extra,
    },
  };
}
