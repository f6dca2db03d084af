import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { REPOSITORY_ROOT } from '../../lib/shared/settings.ts';
import { SkycastFunction } from '../../lib/shared/skycast-function.ts';
import { type Cfn, logicalId, testApp } from './support/synth.ts';

// Bundling for real here (and only here): the other infra tests skip it to stay fast.
const app = testApp({ bundle: true });
const stack = new Stack(app, 'Functions');
const plain = new SkycastFunction(stack, 'GetMe', { entry: 'lambdas/accounts/get-me.ts' });
const tuned = new SkycastFunction(stack, 'Tuned', {
  entry: join(REPOSITORY_ROOT, 'lambdas/accounts/update-preferences.ts'),
  serviceName: 'skycast-accounts',
  memorySize: 1024,
  timeout: Duration.seconds(3),
  logRetention: RetentionDays.ONE_DAY,
  environment: { FEATURE: 'on' },
});
const assembly = app.synth();
after(() => rmSync(assembly.directory, { recursive: true, force: true }));
const template = Template.fromJSON(assembly.getStackByName(stack.stackName).template);
const properties = (fn: SkycastFunction): Cfn => template.toJSON().Resources[logicalId(fn)].Properties;

describe('SkycastFunction', () => {
  it('runs Node.js 24 on arm64 with active tracing, 512 MiB and 10 seconds unless told otherwise', () => {
    const fn = properties(plain);
    assert.equal(fn.Runtime, 'nodejs24.x');
    assert.deepEqual(fn.Architectures, ['arm64']);
    assert.deepEqual(fn.TracingConfig, { Mode: 'Active' });
    assert.equal(fn.MemorySize, 512);
    assert.equal(fn.Timeout, 10);
    assert.deepEqual(fn.Environment.Variables, {
      POWERTOOLS_SERVICE_NAME: 'skycast',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('takes memory, timeout, log retention, service name and extra variables from its props', () => {
    const fn = properties(tuned);
    assert.equal(fn.MemorySize, 1024);
    assert.equal(fn.Timeout, 3);
    assert.deepEqual(fn.Environment.Variables, {
      POWERTOOLS_SERVICE_NAME: 'skycast-accounts',
      NODE_OPTIONS: '--enable-source-maps',
      FEATURE: 'on',
    });
    const logGroup = template.toJSON().Resources[fn.LoggingConfig.LogGroup.Ref];
    assert.equal(logGroup.Properties.RetentionInDays, 1);
  });

  it('logs JSON to its own log group, kept a month by default, through a role with no managed policy', () => {
    const fn = properties(plain);
    assert.equal(fn.LoggingConfig.LogFormat, 'JSON');
    const logGroup = template.toJSON().Resources[fn.LoggingConfig.LogGroup.Ref];
    assert.equal(logGroup.Type, 'AWS::Logs::LogGroup');
    assert.equal(logGroup.Properties.RetentionInDays, 30);
    const role = template.toJSON().Resources[logicalId(plain.role!)];
    assert.equal(role.Properties.ManagedPolicyArns, undefined);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(plain.role!) }],
      PolicyDocument: {
        Statement: [
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [fn.LoggingConfig.LogGroup.Ref, 'Arn'] },
          },
          { Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Effect: 'Allow', Resource: '*' },
        ],
      },
    });
  });

  describe('bundle', () => {
    const folder = join(assembly.directory, `asset.${properties(plain).Code.S3Key.replace(/\.zip$/, '')}`);

    it('is one minified ESM file with a source map, built by the local esbuild', () => {
      assert.deepEqual(readdirSync(folder).sort(), ['index.mjs', 'index.mjs.map']);
      const code = readFileSync(join(folder, 'index.mjs'), 'utf8');
      assert.ok(
        code.startsWith('import { createRequire as __skycastCreateRequire }'),
        'starts with the banner',
      );
      assert.match(code, /export\s*\{/);
      assert.doesNotMatch(code, /module\.exports/);
      const averageLineLength = code.length / code.split('\n').length;
      assert.ok(averageLineLength > 500, `minified (${Math.round(averageLineLength)} characters per line)`);
    });

    it('carries its dependencies, the AWS SDK included, instead of importing them at run time', () => {
      const code = readFileSync(join(folder, 'index.mjs'), 'utf8');
      const imports = [...code.matchAll(/\bfrom\s*["']([^"']+)["']/g)].map((match) => match[1]);
      assert.ok(imports.length > 0);
      for (const specifier of imports) {
        const builtIn = specifier!.startsWith('node:') || builtinModules.includes(specifier!);
        assert.ok(builtIn, `imports only Node built-ins, not ${specifier}`);
      }
    });

    it('loads in Node and exports the handler once its configuration is present', () => {
      const url = pathToFileURL(join(folder, 'index.mjs')).href;
      const load = (env: Record<string, string>) =>
        spawnSync(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `const m = await import(${JSON.stringify(url)}); console.log(typeof m.handler);`,
          ],
          { env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1', ...env }, encoding: 'utf8' },
        );
      const configured = load({
        USER_POOL_ID: 'eu-west-1_abc',
        USER_POOL_CLIENT_ID: 'client',
        CATALOG_TABLE_NAME: 't',
      });
      assert.equal(configured.stdout.trim(), 'function', configured.stderr);
      const unconfigured = load({});
      assert.notEqual(unconfigured.status, 0);
      assert.match(
        unconfigured.stderr,
        /Missing required environment variable\(s\): USER_POOL_ID, USER_POOL_CLIENT_ID/,
      );
    });

    it('is written next to the template, ready to publish', () => {
      assert.ok(existsSync(join(assembly.directory, `${stack.stackName}.assets.json`)));
    });
  });
});
