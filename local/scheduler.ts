/**
 * EventBridge Scheduler's one-time schedules, run on this machine: the emulator (moto) keeps the schedules the
 * functions create; this polls the schedule group, and when an `at(...)` schedule's time has come it invokes the
 * target function in-process with the schedule's input, as Scheduler invokes a Lambda target: tried again on
 * failure up to the schedule's retry policy, then the schedule is deleted if it says so (`ActionAfterCompletion:
 * DELETE`, as the functions create them).
 */
import {
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { invoke, type LocalFunction } from './lambda.ts';
import type { RunningEventSource } from './sqs-event-source.ts';

/** What became of one schedule's time, for the console and for tests. */
export interface ScheduleReport {
  functionName: string;
  schedule: string;
  attempts: number;
  outcome: 'succeeded' | 'gave up';
  error?: unknown;
}

export interface LocalSchedulerSettings {
  scheduler: SchedulerClient;
  groupName: string;
  /** The target functions, by ARN. */
  targets: ReadonlyMap<string, LocalFunction>;
  region: string;
  /** @default 250 */
  pollMs?: number;
  onSchedule?: (report: ScheduleReport) => void;
  onError?: (error: unknown) => void;
}

/** The time of a one-time expression `at(yyyy-mm-ddThh:mm:ss)` (UTC), or undefined for anything else. */
export function atTime(expression: string | undefined): Date | undefined {
  const match = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expression ?? '');
  if (!match) return undefined;
  const time = new Date(`${match[1]}Z`);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

export function startLocalScheduler(settings: LocalSchedulerSettings): RunningEventSource {
  const { scheduler, groupName } = settings;
  const pollMs = settings.pollMs ?? 250;
  const firing = new Set<string>();
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const inFlight = new Set<Promise<void>>();

  async function fire(name: string): Promise<void> {
    const schedule = await scheduler
      .send(new GetScheduleCommand({ Name: name, GroupName: groupName }))
      .catch((error: unknown) => {
        // Deleted meanwhile (cancelled, or fired by another poll): nothing to do.
        if (error instanceof ResourceNotFoundException) return undefined;
        throw error;
      });
    if (!schedule) return;
    const at = atTime(schedule.ScheduleExpression);
    if (!at || schedule.State === 'DISABLED' || at.getTime() > Date.now()) return;
    const target = schedule.Target;
    const fn = target?.Arn ? settings.targets.get(target.Arn) : undefined;
    if (!fn) {
      settings.onError?.(
        new Error(`Schedule ${name} names a target this platform does not run: ${target?.Arn}`),
      );
      return;
    }
    const input = target?.Input ? (JSON.parse(target.Input) as unknown) : {};
    const attemptsAllowed = 1 + (target?.RetryPolicy?.MaximumRetryAttempts ?? 185);
    const deadline = at.getTime() + (target?.RetryPolicy?.MaximumEventAgeInSeconds ?? 86_400) * 1000;
    let attempts = 0;
    let error: unknown;
    let succeeded = false;
    while (!stopped && attempts < attemptsAllowed && Date.now() <= deadline) {
      attempts += 1;
      const outcome = await invoke(fn, input, settings.region);
      if (outcome.ok) {
        succeeded = true;
        break;
      }
      error = outcome.error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    settings.onSchedule?.({
      functionName: fn.name,
      schedule: name,
      attempts,
      outcome: succeeded ? 'succeeded' : 'gave up',
      ...(succeeded ? {} : { error }),
    });
    if (schedule.ActionAfterCompletion === 'DELETE') {
      await scheduler.send(new DeleteScheduleCommand({ Name: name, GroupName: groupName })).catch((cause) => {
        if (!(cause instanceof ResourceNotFoundException)) throw cause;
      });
    }
  }

  async function poll(): Promise<void> {
    let token: string | undefined;
    do {
      const page = await scheduler.send(
        new ListSchedulesCommand({ GroupName: groupName, ...(token ? { NextToken: token } : {}) }),
      );
      for (const summary of page.Schedules ?? []) {
        const name = summary.Name;
        if (!name || firing.has(name)) continue;
        firing.add(name);
        const run = fire(name)
          .catch((error: unknown) => settings.onError?.(error))
          .finally(() => {
            firing.delete(name);
            inFlight.delete(run);
          });
        inFlight.add(run);
      }
      token = page.NextToken;
    } while (token && !stopped);
  }

  const loop = async () => {
    if (stopped) return;
    await poll().catch((error: unknown) => settings.onError?.(error));
    if (!stopped) timer = setTimeout(loop, pollMs);
  };
  timer = setTimeout(loop, 0);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.all([...inFlight]);
    },
  };
}
