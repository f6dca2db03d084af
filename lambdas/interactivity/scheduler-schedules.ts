import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { AdBreakSchedules, AdBreakStartInput } from './ports.ts';

export interface ScheduleSettings {
  groupName: string;
  /** The role EventBridge Scheduler invokes the target with. */
  roleArn: string;
  /** The ad-break-start function. */
  targetArn: string;
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC, as Scheduler's one-time expressions are written (whole seconds). */
export const atExpression = (at: Date) => `at(${at.toISOString().slice(0, 19)})`;

/**
 * One-time EventBridge Scheduler schedules: each fires once at its time, deletes itself afterwards, and gives up
 * within a minute (a break that cannot start then is not started late).
 */
export class SchedulerAdBreakSchedules implements AdBreakSchedules {
  constructor(
    private readonly scheduler: SchedulerClient,
    private readonly settings: ScheduleSettings,
  ) {}

  async create(name: string, at: Date, input: AdBreakStartInput): Promise<void> {
    await this.scheduler.send(
      new CreateScheduleCommand({
        Name: name,
        GroupName: this.settings.groupName,
        ScheduleExpression: atExpression(at),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: this.settings.targetArn,
          RoleArn: this.settings.roleArn,
          Input: JSON.stringify(input),
          RetryPolicy: { MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 2 },
        },
      }),
    );
  }

  async delete(name: string): Promise<void> {
    try {
      await this.scheduler.send(
        new DeleteScheduleCommand({ Name: name, GroupName: this.settings.groupName }),
      );
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}
