import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type Cfn, type SynthesizedSkycast, synthSkycast } from './support/synth.ts';

// Both stages, checked by both packs exactly as bin/skycast.ts applies them.
const synths = [synthSkycast({ stage: 'dev', nag: true }), synthSkycast({ stage: 'prod', nag: true })];
after(() => {
  for (const synth of synths) synth.dispose();
});

const PACKS = ['AwsSolutions', 'Serverless'];

interface Suppression {
  stack: string;
  resource: string;
  id: string;
  reason: string;
  appliesTo?: unknown[];
}

function suppressionsOf(synth: SynthesizedSkycast): Suppression[] {
  return Object.entries(synth.templates).flatMap(([stack, template]) =>
    Object.entries(template.Resources).flatMap(([resource, definition]) =>
      ((definition.Metadata?.cdk_nag?.rules_to_suppress ?? []) as Cfn[]).map((rule) => ({
        stack,
        resource,
        id: rule.id,
        reason: rule.reason,
        appliesTo: rule.applies_to,
      })),
    ),
  );
}

/** The rows of cdk-nag's CSV reports: one per rule, resource and finding, with its compliance. */
function reportRows(synth: SynthesizedSkycast): Record<string, string>[] {
  const files = readdirSync(synth.outdir).filter((file) => file.endsWith('-NagReport.csv'));
  return files.flatMap((file) => {
    const [header, ...rows] = parseCsv(readFileSync(join(synth.outdir, file), 'utf8'));
    return rows.map((row) => Object.fromEntries(header!.map((name, index) => [name, row[index] ?? ''])));
  });
}

/** RFC 4180 CSV: quoted fields may hold commas, newlines and doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (char !== '\r') field += char;
  }
  if (field || row.length > 0) rows.push([...row, field]);
  return rows;
}

describe('cdk-nag (AwsSolutions and Serverless packs)', () => {
  for (const synth of synths) {
    const stage = synth.settings.stage;

    it(`checked every stack of ${stage} with both packs`, () => {
      const reports = readdirSync(synth.outdir).filter((file) => file.endsWith('-NagReport.csv'));
      for (const pack of PACKS) {
        for (const stack of Object.keys(synth.templates)) {
          assert.ok(
            reports.some((report) => report.startsWith(pack) && report.includes(stack)),
            `${pack} report for ${stack}`,
          );
        }
      }
      const compliant = reportRows(synth).filter((row) => row.Compliance === 'Compliant');
      assert.ok(compliant.length > 50, `the packs evaluated rules (${compliant.length} compliant findings)`);
    });

    it(`leaves no unsuppressed error or warning in ${stage}`, () => {
      const findings = synth.assembly.stacks.flatMap((stack) =>
        stack.messages
          .filter((message) => message.level === 'error' || message.level === 'warning')
          .map(
            (message) => `${message.level} at ${message.id}: ${String(message.entry.data).split('\n')[0]}`,
          ),
      );
      assert.deepEqual(findings, []);
      const nonCompliant = reportRows(synth).filter((row) => row.Compliance === 'Non-Compliant');
      assert.deepEqual(
        nonCompliant.map((row) => `${row['Rule ID']} ${row['Resource ID']}`),
        [],
      );
    });

    it(`gives every suppression in ${stage} a reason a reviewer can weigh`, () => {
      const suppressions = suppressionsOf(synth);
      assert.ok(suppressions.length > 0);
      for (const suppression of suppressions) {
        const where = `${suppression.id} on ${suppression.stack}/${suppression.resource}`;
        assert.match(suppression.id, /^(AwsSolutions|Serverless)-[A-Za-z0-9]+$/, where);
        assert.ok(suppression.reason.length >= 80, `${where}: reason too short: ${suppression.reason}`);
        assert.ok(suppression.reason.split(/\s+/).length >= 12, `${where}: reason too terse`);
        assert.doesNotMatch(suppression.reason, /\b(todo|fixme|tbd|later|temporary)\b/i, where);
      }
    });

    it(`narrows every wildcard-permission suppression in ${stage} to the findings it covers`, () => {
      for (const suppression of suppressionsOf(synth).filter((s) => /-IAM[45]$/.test(s.id))) {
        assert.ok(
          Array.isArray(suppression.appliesTo) && suppression.appliesTo.length > 0,
          `${suppression.id} on ${suppression.resource} lists what it applies to`,
        );
      }
    });

    it(`has no suppression in ${stage} that no finding needs`, () => {
      const suppressedReasons = new Set(
        reportRows(synth)
          .filter((row) => row.Compliance === 'Suppressed')
          .map((row) => `${row['Rule ID']} ${row['Exception Reason']!.replace(/^\[[^\]]*\] /, '')}`),
      );
      const unused = new Set(
        suppressionsOf(synth)
          .map((suppression) => `${suppression.id} ${suppression.reason}`)
          .filter((key) => !suppressedReasons.has(key)),
      );
      assert.deepEqual([...unused], []);
    });
  }

  it('suppresses the Plus-plan finding (COG8) in dev only: prod enforces threat protection', () => {
    const [dev, prod] = synths.map((synth) => suppressionsOf(synth).map((suppression) => suppression.id));
    assert.ok(dev!.includes('AwsSolutions-COG8'));
    assert.ok(!prod!.includes('AwsSolutions-COG8'));
  });
});
