import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../scripts/python-env.ts';

/** What a benchmark aims for: the measured value must stay at or under `atMost`, or reach `atLeast`. */
export type Goal = { atMost: number } | { atLeast: number };

/** One measured number. Benchmarks return these; the runner prints them and writes them to JSON. */
export interface BenchRow {
  metric: string;
  value: number;
  unit: string;
  goal?: Goal;
  /** Printed under the table: how to read this number. */
  note?: string;
  /** Raw samples and secondary numbers, kept in the JSON file only. */
  detail?: Record<string, unknown>;
}

/** A benchmark: its name on the command line and the function that measures and returns rows. */
export interface Benchmark {
  name: string;
  description: string;
  run(): Promise<BenchRow[]>;
}

export interface BenchmarkResult {
  name: string;
  description: string;
  startedAt: string;
  durationSeconds: number;
  /**
   * Cores' worth of CPU that processes outside this benchmark used while it ran (Linux only): other work
   * on the machine skews every number.
   */
  otherProcessesCores?: number;
  rows: (BenchRow & { met?: boolean })[];
  /** Set when the benchmark could not finish; its rows are then missing. */
  error?: string;
}

export function goalMet(row: BenchRow): boolean | undefined {
  if (!row.goal) return undefined;
  return 'atMost' in row.goal ? row.value <= row.goal.atMost : row.value >= row.goal.atLeast;
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 1000 || Number.isInteger(value) ? 0 : abs >= 100 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function formatGoal(goal: Goal | undefined): string {
  if (!goal) return '—';
  return 'atMost' in goal ? `≤ ${formatNumber(goal.atMost)}` : `≥ ${formatNumber(goal.atLeast)}`;
}

/** The results as a plain-text table, one section per benchmark, with notes and failures underneath. */
export function formatTable(results: BenchmarkResult[]): string {
  const header = ['metric', 'value', 'unit', 'goal', 'met?'];
  const lines: (string[] | string)[] = [];
  const notes: string[] = [];
  for (const result of results) {
    lines.push(`${result.name} (${result.durationSeconds.toFixed(1)} s)`);
    if (result.error) lines.push(`  FAILED: ${result.error}`);
    for (const row of result.rows) {
      const met = goalMet(row);
      lines.push([
        `  ${row.metric}`,
        formatNumber(row.value),
        row.unit,
        formatGoal(row.goal),
        met === undefined ? '—' : met ? 'yes' : 'no',
      ]);
      if (row.note && !notes.includes(`${result.name}: ${row.note}`))
        notes.push(`${result.name}: ${row.note}`);
    }
  }
  const rows = lines.filter((line): line is string[] => Array.isArray(line));
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const rightAligned = new Set([1, 3]);
  const render = (cells: string[]) =>
    cells
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '─'.repeat(width)).join('  ');
  const body = lines.map((line) => (Array.isArray(line) ? render(line) : line));
  const out = [render(header), rule, ...body, rule];
  const cores = os.availableParallelism();
  for (const result of results) {
    const others = result.otherProcessesCores;
    if (others !== undefined && others >= 0.1) {
      notes.push(
        `${result.name}: other processes on this machine used ${others.toFixed(2)} of its ${cores} cores on ` +
          'average while it ran; its numbers are pessimistic by that much',
      );
    }
  }
  if (notes.length > 0) out.push('', 'Notes:', ...notes.map((note) => `- ${note}`));
  return out.join('\n');
}

function gitCommit(): string | undefined {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return undefined;
  }
}

/** Where the numbers were measured: they mean little without it. */
export function environment() {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpus: cpus.length,
    availableParallelism: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim(),
    totalMemoryMiB: Math.round(os.totalmem() / 2 ** 20),
    loadAverageAtStart: os.loadavg().map((load) => Math.round(load * 100) / 100),
    gitCommit: gitCommit(),
  };
}

export const RESULTS_DIR = join(ROOT, 'bench', 'results');

/**
 * Writes one file per benchmark (`<name>-<timestamp>.json`) and the whole run as `latest.json`;
 * returns the paths written.
 */
export function writeResults(
  results: BenchmarkResult[],
  env: ReturnType<typeof environment>,
  startedAt: Date,
): string[] {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const written: string[] = [];
  const write = (file: string, content: unknown) => {
    const path = join(RESULTS_DIR, file);
    writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`);
    written.push(path);
  };
  for (const result of results) write(`${result.name}-${stamp}.json`, { environment: env, ...result });
  write('latest.json', { startedAt: startedAt.toISOString(), environment: env, benchmarks: results });
  return written;
}
