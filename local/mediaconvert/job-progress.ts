/**
 * How far a job has come, as MediaConvert reports it: three phases (PROBING, TRANSCODING, UPLOADING), each
 * with its own percentage, and the job's overall percentage weighted by phase.
 */
import type { JobPhase, JobProgress } from './events.ts';

/** Share of the whole job each phase stands for, in jobPercentComplete. */
export const PHASE_WEIGHT: Record<JobPhase, [start: number, span: number]> = {
  PROBING: [0, 10],
  TRANSCODING: [10, 80],
  UPLOADING: [90, 10],
};
export const PHASES: JobPhase[] = ['PROBING', 'TRANSCODING', 'UPLOADING'];

/** A job's progress before it starts: every phase pending. */
export function initialProgress(): JobProgress {
  return {
    phaseProgress: {
      PROBING: { status: 'PENDING', percentComplete: 0 },
      TRANSCODING: { status: 'PENDING', percentComplete: 0 },
      UPLOADING: { status: 'PENDING', percentComplete: 0 },
    },
    jobPercentComplete: 0,
    currentPhase: 'PROBING',
    retryCount: 0,
  };
}

/**
 * Moves `progress` to `percent` of `phase`: earlier phases complete, percentages never go back, and the
 * job's percentage is the phase's share of the whole.
 */
export function advanceProgress(progress: JobProgress, phase: JobPhase, percent: number): void {
  const index = PHASES.indexOf(phase);
  for (const [i, name] of PHASES.entries()) {
    const entry = progress.phaseProgress[name];
    if (i < index) progress.phaseProgress[name] = { status: 'COMPLETE', percentComplete: 100 };
    else if (i === index) {
      const value = Math.max(entry.percentComplete, Math.round(Math.min(100, percent)));
      progress.phaseProgress[name] = {
        status: value >= 100 ? 'COMPLETE' : 'PROGRESSING',
        percentComplete: value,
      };
    }
  }
  progress.currentPhase = phase;
  const [start, span] = PHASE_WEIGHT[phase];
  progress.jobPercentComplete = Math.max(
    progress.jobPercentComplete,
    Math.floor(start + (span * Math.min(100, percent)) / 100),
  );
}
