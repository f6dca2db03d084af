/**
 * How much CPU the rest of the machine took while a benchmark ran. Every benchmark shares its cores with
 * whatever else runs (builds, tests); this says how much, from Linux's own accounting: all busy CPU time in
 * /proc/stat minus the time of this process and its children (once they have exited and been reaped, which
 * each benchmark makes sure of before it returns). Elsewhere than Linux it reports nothing.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

interface CpuSample {
  busyTicks: number;
  ownTicks: number;
  at: number;
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export function sampleCpu(): CpuSample | undefined {
  try {
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user)
    const [user, nice, system, _idle, _iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    // After the command name in parentheses: state is field 3, utime/stime/cutime/cstime are fields 14–17.
    const self = readFileSync('/proc/self/stat', 'utf8');
    const fields = self.slice(self.lastIndexOf(')') + 2).split(' ');
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
    return {
      busyTicks: (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0),
      ownTicks: (utime ?? 0) + (stime ?? 0) + (cutime ?? 0) + (cstime ?? 0),
      at: performance.now(),
    };
  } catch {
    return undefined;
  }
}

/** Cores' worth of CPU that processes other than ours used, on average, between the two samples. */
export function otherProcessesCores(
  before: CpuSample | undefined,
  after: CpuSample | undefined,
): number | undefined {
  if (!before || !after) return undefined;
  const seconds = (after.at - before.at) / 1000;
  const others = after.busyTicks - before.busyTicks - (after.ownTicks - before.ownTicks);
  return Math.max(0, others / clockTicks() / seconds);
}

/**
 * CPU time (user + system) a live process has used so far, in seconds; undefined where /proc is not there.
 * `reapedChildren` counts instead the CPU time of its children that have exited and been waited for.
 */
export function processCpuSeconds(
  pid: number,
  options: { reapedChildren?: boolean } = {},
): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [utime, stime, cutime, cstime] = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .slice(11, 15)
      .map(Number);
    const ticks = options.reapedChildren ? (cutime ?? 0) + (cstime ?? 0) : (utime ?? 0) + (stime ?? 0);
    return ticks / clockTicks();
  } catch {
    return undefined;
  }
}

/** The live children of a process whose command line contains `match`. */
export function childProcesses(parentPid: number, match: string): number[] {
  try {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
          return parent === parentPid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(match);
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

/** Resident memory of a live process, now and at its peak (VmRSS and VmHWM), in bytes; undefined without /proc. */
export function processMemory(pid: number): { rssBytes: number; peakRssBytes: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    const rss = kib('VmRSS');
    const peak = kib('VmHWM');
    if (!Number.isFinite(rss) || !Number.isFinite(peak)) return undefined;
    return { rssBytes: rss * 1024, peakRssBytes: peak * 1024 };
  } catch {
    return undefined;
  }
}
