import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ensurePythonRequirements, venvBin } from '../../scripts/python-env.ts';
import { type CheckovSkip, checkovSkips } from './checkov-skips.ts';
import { synthSkycast } from './support/synth.ts';

const run = promisify(execFile);

/**
 * cfn-lint rules we do not hold the CDK's generated templates to, with the reason.
 */
const CFN_LINT_IGNORED: Record<string, string> = {
  W3005:
    'The CDK makes a function DependsOn its role and the role policy, so the policy exists before the first ' +
    'invocation; the DependsOn on the role repeats what the GetAtt already says. Redundant, not wrong.',
};

interface CfnLintMatch {
  Level: 'Error' | 'Warning' | 'Informational';
  Rule: { Id: string };
  Message: string;
  Filename: string;
  Location: { Path: (string | number)[] };
}

interface CheckovFailure {
  check_id: string;
  check_name: string;
  resource: string;
  file_path: string;
}

interface CheckovReport {
  check_type: string;
  summary: { passed: number; failed: number; parsing_errors: number; resource_count: number };
  results: { failed_checks: CheckovFailure[] };
}

/** Runs a checker that exits non-zero when it finds something; what it found is on stdout either way. */
async function findings(command: string, args: string[]): Promise<string> {
  try {
    return (await run(command, args, { maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    if (!stdout) throw new Error(`${command} failed without a report: ${stderr}`);
    return stdout;
  }
}

const synths = [synthSkycast({ stage: 'dev' }), synthSkycast({ stage: 'prod' })];
const templateFiles = synths.flatMap((synth) => synth.templateFiles);
after(() => {
  for (const synth of synths) synth.dispose();
});

let cfnLint: CfnLintMatch[] = [];
let checkov: CheckovReport[] = [];

before(async () => {
  ensurePythonRequirements('checks');
  const [lintOutput, checkovOutput] = await Promise.all([
    findings(venvBin('cfn-lint'), [
      '--format',
      'json',
      '--ignore-checks',
      ...Object.keys(CFN_LINT_IGNORED),
      '--',
      ...templateFiles,
    ]),
    findings(venvBin('checkov'), [
      ...templateFiles.flatMap((file) => ['-f', file]),
      '--framework',
      'cloudformation',
      '--skip-download',
      '--quiet',
      '--compact',
      '--output',
      'json',
    ]),
  ]);
  cfnLint = JSON.parse(lintOutput);
  const parsed = JSON.parse(checkovOutput);
  checkov = Array.isArray(parsed) ? parsed : [parsed];
});

const skipFor = (failure: CheckovFailure): CheckovSkip | undefined =>
  checkovSkips.find((skip) => skip.check === failure.check_id && skip.resources.test(failure.resource));

describe('cfn-lint on the synthesized templates', () => {
  it('finds no error and no warning in either stage', () => {
    const reported = cfnLint
      .filter((match) => match.Level !== 'Informational')
      .map((match) => `${match.Level} ${match.Rule.Id} ${match.Location.Path.join('/')}: ${match.Message}`);
    assert.deepEqual(reported, []);
  });

  it('ignores only rules it can explain', () => {
    for (const [rule, reason] of Object.entries(CFN_LINT_IGNORED)) {
      assert.match(rule, /^[EWI]\d{4}$/);
      assert.ok(reason.length >= 80, rule);
    }
  });
});

describe('checkov on the synthesized templates', () => {
  it('parses every template and checks their resources', () => {
    const [report] = checkov;
    assert.equal(checkov.length, 1);
    assert.equal(report?.check_type, 'cloudformation');
    assert.equal(report?.summary.parsing_errors, 0);
    const resources = synths.reduce((count, synth) => {
      return count + Object.values(synth.templates).reduce((n, t) => n + Object.keys(t.Resources).length, 0);
    }, 0);
    assert.ok(
      report!.summary.resource_count >= resources / 2,
      `checked ${report?.summary.resource_count} resources`,
    );
    assert.ok(report!.summary.passed > 100, `${report?.summary.passed} checks passed`);
  });

  it('fails no check outside test/infra/checkov-skips.ts', () => {
    const unexplained = (checkov[0]?.results.failed_checks ?? [])
      .filter((failure) => !skipFor(failure))
      .map((failure) => `${failure.check_id} ${failure.resource} (${failure.check_name})`);
    assert.deepEqual(unexplained, []);
  });

  it('has a reason for every skip, and no skip that nothing needs', () => {
    const failures = checkov[0]?.results.failed_checks ?? [];
    for (const skip of checkovSkips) {
      assert.ok(skip.reason.length >= 80, `${skip.check} has a reason`);
      assert.ok(
        failures.some((failure) => skipFor(failure) === skip),
        `${skip.check} ${skip.resources} still matches a finding`,
      );
    }
  });
});
