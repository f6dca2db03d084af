/**
 * Turns a transcode plan into ffmpeg command lines. The emulator runs all branches in ONE ffmpeg process
 * (one decode, `split` into every branch); the benchmark can run each branch as its own process with the
 * very same settings, which is the naive baseline.
 */
import type { Branch, TranscodePlan } from './transcode-plan.ts';

/** Arguments ffmpeg needs to report progress on stdout and keep quiet otherwise. */
const COMMON_ARGS = ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-nostats', '-progress', 'pipe:1'];

function filterGraph(
  plan: TranscodePlan,
  branches: Branch[],
): { graph?: string; labels: Map<Branch, string> } {
  const videoBranches = branches.filter((branch) => branch.videoFilters !== undefined);
  const labels = new Map<Branch, string>();
  if (videoBranches.length === 0) return { labels };
  const parts: string[] = [];
  const head = plan.sharedVideoFilters ? `[0:v]${plan.sharedVideoFilters}` : '[0:v]null';
  if (videoBranches.length === 1) {
    const branch = videoBranches[0] as Branch;
    parts.push(`${head},${branch.videoFilters}[out0]`);
    labels.set(branch, '[out0]');
  } else {
    parts.push(`${head},split=${videoBranches.length}${videoBranches.map((_, i) => `[in${i}]`).join('')}`);
    videoBranches.forEach((branch, i) => {
      parts.push(`[in${i}]${branch.videoFilters}[out${i}]`);
      labels.set(branch, `[out${i}]`);
    });
  }
  return { graph: parts.join(';'), labels };
}

function command(plan: TranscodePlan, branches: Branch[], input: string): string[] {
  const { graph, labels } = filterGraph(plan, branches);
  const args = [...COMMON_ARGS, ...plan.inputArgs, '-i', input];
  if (graph) args.push('-filter_complex', graph);
  for (const branch of branches) {
    const label = labels.get(branch);
    if (label) args.push('-map', label);
    if (branch.audio) args.push('-map', '0:a:0');
    args.push(...branch.args);
  }
  return args;
}

/** One ffmpeg process for the whole job: one decode, every output. Run it in the job's output folder. */
export function oneProcessCommand(plan: TranscodePlan, input: string): string[] {
  return command(plan, plan.branches, input);
}

/** One ffmpeg process for one output, with the same settings: the naive way, for comparison. */
export function singleBranchCommand(plan: TranscodePlan, branch: Branch, input: string): string[] {
  return command(plan, [branch], input);
}
