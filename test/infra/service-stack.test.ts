import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import * as accounts from '#contract/accounts.ts';
import { ENV } from '#contract/environment.ts';
import { type Route, routeKey, routes } from '#contract/routes.ts';
import { SkycastApi } from '../../lib/api/http-api.ts';
import { SKYCAST_RUNTIME } from '../../lib/shared/skycast-function.ts';
import {
  actionsOf,
  type Cfn,
  deployedFiles,
  describe$,
  logicalId,
  type ResourceJson,
  ref,
  resource,
  resourcesOfType,
  type SynthesizedSkycast,
  serviceOf,
  statementsOf,
  synthBothStages,
  synthSkycast,
  testApp,
} from './support/synth.ts';

const { dev, prod } = synthBothStages();

/** What the data stack's resources look like from the service stack, as `${LogicalId}`. */
const ids = (synth: SynthesizedSkycast) => ({
  userPool: logicalId(synth.data.accounts.userPool),
  webClient: logicalId(synth.data.accounts.webClient),
  table: logicalId(synth.data.catalog.table),
  logsBucket: logicalId(synth.data.storage.accessLogsBucket),
  api: logicalId(synth.service.api.httpApi),
  distribution: logicalId(synth.service.webApp.distribution),
  webBucket: logicalId(synth.service.webApp.bucket),
});

describe('SkycastFunction (every route function)', () => {
  it('runs on the newest Node.js runtime, on arm64, with active X-Ray tracing and JSON logs', () => {
    for (const synth of [dev, prod]) {
      for (const [operationId, fn] of Object.entries(synth.service.api.functions)) {
        const properties = resource(synth, logicalId(fn)).Properties as Record<string, Cfn>;
        assert.equal(properties.Runtime, SKYCAST_RUNTIME.name, operationId);
        assert.equal(SKYCAST_RUNTIME.name, 'nodejs24.x');
        assert.deepEqual(properties.Architectures, ['arm64'], operationId);
        assert.deepEqual(properties.TracingConfig, { Mode: 'Active' }, operationId);
        assert.equal(properties.LoggingConfig.LogFormat, 'JSON', operationId);
        assert.equal(properties.MemorySize, 512, operationId);
        assert.equal(properties.Timeout, 10, operationId);
        assert.equal(properties.Handler, 'index.handler', operationId);
      }
    }
  });

  it('writes to its own log group, kept as long as the stage says', () => {
    for (const synth of [dev, prod]) {
      for (const [operationId, fn] of Object.entries(synth.service.api.functions)) {
        const properties = resource(synth, logicalId(fn)).Properties as Record<string, Cfn>;
        const logGroup = resource(synth, properties.LoggingConfig.LogGroup.Ref);
        assert.equal(logGroup.Type, 'AWS::Logs::LogGroup', operationId);
        assert.equal(logGroup.Properties.RetentionInDays, synth.settings.logRetention, operationId);
        assert.equal(logGroup.DeletionPolicy, synth.settings.stage === 'prod' ? 'Retain' : 'Delete');
      }
    }
  });

  it('has a role without managed policies, allowed to write only to its own log group', () => {
    for (const fn of Object.values(dev.service.api.functions)) {
      const roleId = logicalId(fn.role!);
      assert.equal(resource(dev, roleId).Properties.ManagedPolicyArns, undefined);
      const logStatements = statementsOf(dev, roleId).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('logs:')),
      );
      const logGroupId = resource(dev, logicalId(fn)).Properties.LoggingConfig.LogGroup.Ref;
      assert.deepEqual(logStatements, [
        {
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
        },
      ]);
    }
  });
});

describe('SkycastApi', () => {
  const routeResources = (synth: SynthesizedSkycast) =>
    resourcesOfType(serviceOf(synth), 'AWS::ApiGatewayV2::Route');
  const authorizerId = () => Object.keys(resourcesOfType(serviceOf(dev), 'AWS::ApiGatewayV2::Authorizer'))[0];

  it('mounts exactly the routes of the route table, each on its own function', () => {
    const mounted = Object.values(routeResources(dev)).map((route) => route.Properties.RouteKey);
    assert.deepEqual(mounted.sort(), routes.map(routeKey).sort());
    assert.deepEqual(
      Object.keys(dev.service.api.functions).sort(),
      routes.map((r) => r.operation.operationId).sort(),
    );
    const functionIds = new Set(Object.values(dev.service.api.functions).map((fn) => logicalId(fn)));
    assert.equal(functionIds.size, routes.length);
    assert.equal(
      Object.keys(resourcesOfType(serviceOf(dev), 'AWS::Lambda::Function')).length >= routes.length,
      true,
    );
  });

  it('sends each route to its function as a payload 2.0 proxy integration, which API Gateway may invoke', () => {
    const template = serviceOf(dev);
    for (const route of routes) {
      const fnId = logicalId(dev.service.api.functions[route.operation.operationId]!);
      const mounted = Object.values(routeResources(dev)).find(
        (r) => r.Properties.RouteKey === routeKey(route),
      );
      const target = describe$(dev, mounted?.Properties.Target);
      const integration = template.Resources[target.replace(/^integrations\/\$\{(.+)\}$/, '$1')];
      assert.equal(integration?.Properties.IntegrationType, 'AWS_PROXY', routeKey(route));
      assert.equal(integration?.Properties.PayloadFormatVersion, '2.0');
      assert.equal(describe$(dev, integration?.Properties.IntegrationUri), ref(`${fnId}.Arn`));

      const permissions = Object.values(resourcesOfType(template, 'AWS::Lambda::Permission')).filter(
        (permission) => describe$(dev, permission.Properties.FunctionName) === ref(`${fnId}.Arn`),
      );
      assert.equal(permissions.length, 1, `${routeKey(route)} has one invoke permission`);
      assert.equal(permissions[0]?.Properties.Principal, 'apigateway.amazonaws.com');
      assert.match(
        describe$(dev, permissions[0]?.Properties.SourceArn),
        new RegExp(`\\$\\{${ids(dev).api}\\}`),
      );
    }
  });

  it("puts the Cognito JWT authorizer in front of every 'user' operation and nothing in front of public ones", () => {
    for (const route of routes) {
      const mounted = Object.values(routeResources(dev)).find(
        (r) => r.Properties.RouteKey === routeKey(route),
      );
      if (route.operation.auth === 'user') {
        assert.equal(mounted?.Properties.AuthorizationType, 'JWT', routeKey(route));
        assert.deepEqual(mounted?.Properties.AuthorizerId, { Ref: authorizerId() });
      } else {
        assert.ok(
          [undefined, 'NONE'].includes(mounted?.Properties.AuthorizationType as string),
          routeKey(route),
        );
      }
    }
  });

  it("accepts only access tokens of the web client, issued by Skycast's user pool", () => {
    const authorizer = resource(dev, authorizerId()!).Properties as Record<string, Cfn>;
    assert.equal(authorizer.AuthorizerType, 'JWT');
    assert.deepEqual(authorizer.IdentitySource, ['$request.header.Authorization']);
    assert.deepEqual(
      authorizer.JwtConfiguration.Audience.map((audience: unknown) => describe$(dev, audience)),
      [`${ref(ids(dev).webClient)}`],
    );
    assert.equal(
      describe$(dev, authorizer.JwtConfiguration.Issuer),
      `https://cognito-idp.${ref('AWS::Region')}.amazonaws.com/${ref(ids(dev).userPool)}`,
    );
  });

  it('gives each function the user pool, its client and, when its route reads the catalog, the table', () => {
    for (const route of routes) {
      const fn = resource(dev, logicalId(dev.service.api.functions[route.operation.operationId]!));
      const environment = fn.Properties.Environment.Variables as Record<string, unknown>;
      assert.equal(describe$(dev, environment.USER_POOL_ID), `${ref(ids(dev).userPool)}`);
      assert.equal(describe$(dev, environment.USER_POOL_CLIENT_ID), `${ref(ids(dev).webClient)}`);
      assert.equal(environment.POWERTOOLS_SERVICE_NAME, `skycast-${route.operation.tag}`);
      if (route.access.catalog) {
        assert.equal(describe$(dev, environment[ENV.catalogTable]), `${ref(ids(dev).table)}`);
      } else {
        assert.equal(environment[ENV.catalogTable], undefined);
      }
    }
  });

  it("grants each function what its route's access asks for, on those resources only", () => {
    const writeActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
    for (const route of routes) {
      const fn = dev.service.api.functions[route.operation.operationId]!;
      const statements = statementsOf(dev, logicalId(fn.role!));
      const tableStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
      if (route.access.catalog) {
        const resources = tableStatements.flatMap((s) => [s.Resource].flat()).map((r) => describe$(dev, r));
        assert.deepEqual([...new Set(resources)].sort(), [
          ref(`${ids(dev).table}.Arn`),
          `${ref(`${ids(dev).table}.Arn`)}/index/*`,
        ]);
        assert.ok(tableStatements.some((s) => actionsOf(s).includes('dynamodb:Query')));
      }
      const writes = tableStatements.some((s) => actionsOf(s).some((a) => writeActions.includes(a)));
      assert.equal(writes, route.access.catalog === 'readWrite', `${routeKey(route)} writes to the catalog`);

      const cognito = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('cognito-idp:')));
      if (route.access.userPool === 'read') {
        assert.deepEqual(
          cognito.map((s) => [actionsOf(s), describe$(dev, s.Resource)]),
          [[['cognito-idp:AdminGetUser'], ref(`${ids(dev).userPool}.Arn`)]],
        );
      } else {
        assert.deepEqual(cognito, []);
      }
    }
  });

  it('throttles the whole stage with the limits of the stage settings', () => {
    for (const synth of [dev, prod]) {
      const stages = Object.values(resourcesOfType(serviceOf(synth), 'AWS::ApiGatewayV2::Stage'));
      assert.equal(stages.length, 1);
      assert.equal(stages[0]?.Properties.StageName, '$default');
      assert.equal(stages[0]?.Properties.AutoDeploy, true);
      assert.deepEqual(stages[0]?.Properties.DefaultRouteSettings, {
        ThrottlingBurstLimit: synth.settings.apiThrottle.burstLimit,
        ThrottlingRateLimit: synth.settings.apiThrottle.rateLimit,
      });
    }
    assert.notDeepEqual(dev.settings.apiThrottle, prod.settings.apiThrottle);
  });

  it('writes one JSON access log line per request to a log group with a retention, and no headers', () => {
    const [stage] = Object.values(resourcesOfType(serviceOf(dev), 'AWS::ApiGatewayV2::Stage'));
    const settings = stage?.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    const format = JSON.parse(settings.Format);
    assert.equal(format.requestId, '$context.requestId');
    assert.equal(format.status, '$context.status');
    assert.equal(format.routeKey, '$context.routeKey');
    assert.doesNotMatch(settings.Format, /header|authorization/i);
    const logGroupId = describe$(dev, settings.DestinationArn).replace(/^\$\{(.+)\.Arn\}$/, '$1');
    assert.equal(resource(dev, logGroupId).Properties.RetentionInDays, dev.settings.logRetention);
  });

  it("lets browsers PUT upload parts from the web app's origin only, and read back their ETag", () => {
    const [rule, ...others] = Object.values(
      resourcesOfType(dev.templates[dev.service.stackName]!, 'Custom::AWS'),
    );
    assert.ok(rule, 'a custom resource sets the rule');
    assert.equal(others.length, 0);
    const create = JSON.parse(describe$(dev, rule.Properties.Create)) as {
      action: string;
      parameters: { Bucket: string; CORSConfiguration: { CORSRules: Cfn[] } };
    };
    assert.equal(create.action, 'putBucketCors');
    assert.deepEqual(create.parameters.CORSConfiguration.CORSRules, [
      {
        AllowedMethods: ['PUT'],
        AllowedOrigins: [`https://${ref(`${ids(dev).distribution}.DomainName`)}`],
        AllowedHeaders: ['*'],
        ExposeHeaders: ['ETag'],
        MaxAgeSeconds: 3600,
      },
    ]);
    assert.equal(
      create.parameters.Bucket,
      describe$(dev, { Ref: logicalId(dev.data.storage.buckets.uploads) }),
    );
    const deleted = JSON.parse(describe$(dev, rule.Properties.Delete)) as { action: string };
    assert.equal(deleted.action, 'deleteBucketCors');
  });

  it("lets the web app's origin call it from a browser with a bearer token", () => {
    const api = resource(dev, ids(dev).api).Properties as Record<string, Cfn>;
    assert.deepEqual(
      api.CorsConfiguration.AllowOrigins.map((origin: unknown) => describe$(dev, origin)),
      [`https://${ref(`${ids(dev).distribution}.DomainName`)}`],
    );
    assert.deepEqual(
      [...api.CorsConfiguration.AllowMethods].sort(),
      [...new Set(routes.map((route) => route.operation.method))].sort(),
    );
    assert.deepEqual(api.CorsConfiguration.AllowHeaders, ['authorization', 'content-type']);
    assert.equal(api.CorsConfiguration.AllowCredentials, false);
    assert.equal(api.Name, 'skycast-dev');
  });
});

describe('SkycastApi with another route table', () => {
  // Routes the table does not have yet: a public one that only reads the catalog, and one needing nothing.
  const routeTable: Route[] = [
    {
      operation: { ...accounts.getMe, operationId: 'listThings', path: '/things/{thingId}', auth: 'public' },
      entry: 'lambdas/accounts/get-me.ts',
      access: { catalog: 'read' },
    },
    {
      operation: { ...accounts.updatePreferences, operationId: 'ping', method: 'POST', path: '/ping' },
      entry: 'lambdas/accounts/update-preferences.ts',
      access: {},
    },
  ];
  const stack = new Stack(testApp(), 'Api');
  const userPool = new UserPool(stack, 'Pool');
  const api = new SkycastApi(stack, 'Api', {
    application: 'skycast-test',
    routes: routeTable,
    userPool,
    webClient: userPool.addClient('Client'),
    catalogTable: new Table(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } }),
    allowOrigins: ['https://example.com'],
  });
  const template = Template.fromStack(stack);
  const json = template.toJSON() as { Resources: Record<string, ResourceJson> };
  const statements = (operationId: string) =>
    Object.values(json.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((r) =>
        JSON.stringify(r.Properties.Roles).includes(logicalId(api.functions[operationId]!.role!)),
      )
      .flatMap((r) => r.Properties.PolicyDocument.Statement);

  it('leaves public routes without an authorizer and acknowledges that to cdk-nag', () => {
    const [route] = Object.values(
      template.findResources('AWS::ApiGatewayV2::Route', {
        Properties: { RouteKey: 'GET /things/{thingId}' },
      }),
    );
    assert.equal(route?.Properties.AuthorizationType, 'NONE');
    const suppressions = route?.Metadata?.cdk_nag?.rules_to_suppress ?? [];
    assert.deepEqual(
      suppressions.map((rule: { id: string }) => rule.id),
      ['AwsSolutions-APIG4'],
    );
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /ping',
      AuthorizationType: 'JWT',
    });
  });

  it("grants read-only catalog access to a 'read' route and nothing to a route that asks for nothing", () => {
    const read = statements('listThings').flatMap(actionsOf);
    assert.ok(read.includes('dynamodb:Query') && read.includes('dynamodb:GetItem'));
    assert.ok(
      !read.some((action) =>
        ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'].includes(action),
      ),
    );
    assert.ok(!read.some((action) => action.startsWith('cognito-idp:')));
    const nothing = statements('ping').flatMap(actionsOf);
    assert.ok(
      !nothing.some((action) => action.startsWith('dynamodb:') || action.startsWith('cognito-idp:')),
      nothing.join(),
    );
  });

  it('passes the table name only to functions whose route uses the catalog', () => {
    const variables = (operationId: string) =>
      json.Resources[logicalId(api.functions[operationId]!)]!.Properties.Environment.Variables;
    assert.ok(variables('listThings')[ENV.catalogTable]);
    assert.equal(variables('ping')[ENV.catalogTable], undefined);
    assert.ok(variables('ping').USER_POOL_ID && variables('ping').USER_POOL_CLIENT_ID);
  });

  it('allows exactly the methods of its routes in CORS preflights', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: { AllowOrigins: ['https://example.com'], AllowMethods: ['GET', 'POST'] },
    });
  });
});

describe('WebApp', () => {
  const distribution = (synth: SynthesizedSkycast) =>
    resource(synth, ids(synth).distribution).Properties.DistributionConfig as Record<string, Cfn>;

  it('serves a private bucket through CloudFront Origin Access Control', () => {
    const config = distribution(dev);
    // The web bucket first; the media origins follow (test/infra/media-cdn.test.ts).
    const [origin] = config.Origins;
    assert.equal(describe$(dev, origin.DomainName), ref(`${ids(dev).webBucket}.RegionalDomainName`));
    const oacId = describe$(dev, origin.OriginAccessControlId).replace(/^\$\{(.+)\.Id\}$/, '$1');
    assert.deepEqual(resource(dev, oacId).Properties.OriginAccessControlConfig, {
      Name: resource(dev, oacId).Properties.OriginAccessControlConfig.Name,
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    assert.equal(origin.S3OriginConfig.OriginAccessIdentity, '');

    const policy = Object.values(resourcesOfType(serviceOf(dev), 'AWS::S3::BucketPolicy')).find(
      (candidate) => describe$(dev, candidate.Properties.Bucket) === `${ref(ids(dev).webBucket)}`,
    );
    const allows = policy!.Properties.PolicyDocument.Statement.filter(
      (statement: Cfn) =>
        statement.Effect === 'Allow' && statement.Principal.Service === 'cloudfront.amazonaws.com',
    );
    assert.equal(allows.length, 1);
    assert.equal(allows[0].Action, 's3:GetObject');
    assert.match(
      describe$(dev, allows[0].Condition.StringEquals['AWS:SourceArn']),
      new RegExp(ids(dev).distribution),
    );
  });

  it('answers over HTTPS only, HTTP/2 and HTTP/3, with security headers', () => {
    const config = distribution(dev);
    assert.equal(config.DefaultCacheBehavior.ViewerProtocolPolicy, 'https-only');
    assert.equal(config.HttpVersion, 'http2and3');
    // The managed SECURITY_HEADERS policy's headers, and a Content-Security-Policy (test/infra/edge.test.ts).
    const policyId = describe$(dev, config.DefaultCacheBehavior.ResponseHeadersPolicyId).slice(2, -1);
    const security = resource(dev, policyId).Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    assert.equal(security.ContentTypeOptions.Override, true);
    assert.equal(security.FrameOptions.FrameOption, 'DENY');
    assert.equal(security.ReferrerPolicy.ReferrerPolicy, 'strict-origin-when-cross-origin');
    assert.ok(security.StrictTransportSecurity.AccessControlMaxAgeSec >= 31_536_000);
    assert.match(describe$(dev, security.ContentSecurityPolicy.ContentSecurityPolicy), /^default-src 'self'/);
    assert.deepEqual(config.DefaultCacheBehavior.AllowedMethods, ['GET', 'HEAD']);
  });

  it('serves index.html at the root and for client-side routes, never in place of a media 403', () => {
    const config = distribution(dev);
    assert.equal(config.DefaultRootObject, 'index.html');
    // No error response rewrites a status to 200: a media 403 (no signed cookie) must stay a 403.
    for (const response of config.CustomErrorResponses as Cfn[]) {
      assert.equal(response.ResponseCode, undefined);
      assert.equal(response.ResponsePagePath, undefined);
    }
    const [association] = config.DefaultCacheBehavior.FunctionAssociations as Cfn[];
    assert.equal(association.EventType, 'viewer-request');
    const fnId = describe$(dev, association.FunctionARN).replace(/^\$\{(.+)\.FunctionARN\}$/, '$1');
    const code = resource(dev, fnId).Properties.FunctionCode as string;
    // Run the function as CloudFront would (cloudfront-js-2.0 is plain ES5-style JavaScript here).
    const route = new Function(`${code}; return handler;`)() as (event: Cfn) => { uri: string };
    const uriFor = (uri: string) => route({ request: { uri } }).uri;
    assert.equal(uriFor('/watch/abc'), '/index.html');
    assert.equal(uriFor('/app.js'), '/app.js');
    assert.equal(uriFor('/videos/v1/hls/index.m3u8'), '/videos/v1/hls/index.m3u8');
    assert.equal(uriFor('/ivs/v1/a/b'), '/ivs/v1/a/b');
  });

  it("writes CloudFront and S3 access logs to the data stack's access-logs bucket", () => {
    const config = distribution(dev);
    assert.equal(describe$(dev, config.Logging.Bucket), ref(`${ids(dev).logsBucket}.RegionalDomainName`));
    assert.equal(config.Logging.Prefix, 'cloudfront/web/');
    const bucket = resource(dev, ids(dev).webBucket).Properties as Record<string, Cfn>;
    assert.equal(
      describe$(dev, bucket.LoggingConfiguration.DestinationBucketName),
      `${ref(ids(dev).logsBucket)}`,
    );
    assert.equal(bucket.LoggingConfiguration.LogFilePrefix, 's3-access-logs/web/');
    assert.deepEqual(bucket.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });
});

describe('WebContent', () => {
  const deployment = (synth: SynthesizedSkycast) => {
    const deployments = Object.values(resourcesOfType(serviceOf(synth), 'Custom::CDKBucketDeployment'));
    assert.equal(deployments.length, 1);
    return deployments[0]!;
  };
  const file = (synth: SynthesizedSkycast, key: string) => {
    const found = deployedFiles(synth, deployment(synth)).find((candidate) => candidate.key === key);
    assert.ok(found, `${key} is deployed`);
    return found.content;
  };

  it('deploys the web app folder to the web bucket and invalidates the distribution', () => {
    const properties = deployment(dev).Properties as Record<string, Cfn>;
    assert.equal(describe$(dev, properties.DestinationBucketName), `${ref(ids(dev).webBucket)}`);
    assert.equal(describe$(dev, properties.DistributionId), `${ref(ids(dev).distribution)}`);
    assert.deepEqual(properties.DistributionPaths, ['/*']);
    assert.deepEqual(properties.SystemMetadata, { 'cache-control': 'no-cache' });
    assert.match(file(dev, 'index.html'), /<title>Skycast<\/title>/);
    assert.match(file(dev, 'assets/app.js'), /skycast/);
  });

  it('writes /config.json with the region, API, user pool, client, media URL and Cognito endpoint', () => {
    const { userPool, webClient, api, distribution } = ids(dev);
    assert.deepEqual(JSON.parse(file(dev, 'config.json')), {
      region: ref('AWS::Region'),
      apiUrl: ref(`${api}.ApiEndpoint`),
      userPoolId: ref(userPool),
      userPoolClientId: ref(webClient),
      mediaUrl: `https://${ref(`${distribution}.DomainName`)}`,
      cognitoEndpoint: `https://cognito-idp.${ref('AWS::Region')}.${ref('AWS::URLSuffix')}/`,
    });
  });

  it('publishes /openapi.json with every operation of the route table and the API as its server', () => {
    const document = JSON.parse(file(dev, 'openapi.json'));
    assert.equal(document.openapi, '3.1.0');
    assert.deepEqual(document.servers, [{ url: ref(`${ids(dev).api}.ApiEndpoint`) }]);
    for (const { operation } of routes) {
      assert.equal(
        document.paths[operation.path]?.[operation.method.toLowerCase()]?.operationId,
        operation.operationId,
      );
    }
  });

  it('deploys only the generated documents, and says so, when there is no web app folder', () => {
    const bare = synthSkycast({ stage: 'dev', settings: { webAssetsPath: undefined } });
    try {
      const keys = deployedFiles(bare, deployment(bare)).map((deployed) => deployed.key);
      assert.deepEqual(keys.sort(), ['config.json', 'openapi.json']);
      const warnings = bare.assembly.stacks
        .flatMap((stack) => stack.messages)
        .filter((message) => message.level === 'warning')
        .map((message) => String(message.entry.data));
      assert.ok(
        warnings.some((warning) => warning.includes('No web app files')),
        warnings.join('\n'),
      );
    } finally {
      bare.dispose();
    }
  });
});

describe('ServiceStack outputs', () => {
  it('outputs the web URL, API URL, user pool id, client id, region and the media distribution', () => {
    const outputs = serviceOf(dev).Outputs ?? {};
    const { userPool, webClient, api, distribution } = ids(dev);
    const names = [
      'WebUrl',
      'ApiUrl',
      'UserPoolId',
      'UserPoolClientId',
      'Region',
      'MediaUrl',
      'DistributionId',
      'DistributionDomainName',
    ];
    const described = Object.fromEntries(names.map((name) => [name, describe$(dev, outputs[name]?.Value)]));
    assert.deepEqual(described, {
      WebUrl: `https://${ref(`${distribution}.DomainName`)}`,
      ApiUrl: ref(`${api}.ApiEndpoint`),
      UserPoolId: ref(userPool),
      UserPoolClientId: ref(webClient),
      Region: ref('AWS::Region'),
      // Media is served by the web app's distribution, so playback cookies are same-origin.
      MediaUrl: `https://${ref(`${distribution}.DomainName`)}`,
      DistributionId: ref(distribution),
      DistributionDomainName: ref(`${distribution}.DomainName`),
    });
    assert.equal(dev.service.stackName, 'skycast-dev-service');
    assert.equal(prod.service.stackName, 'skycast-prod-service');
  });

  it('deploys after the data stack it reads from', () => {
    const service = dev.assembly.getStackByName(dev.service.stackName);
    assert.deepEqual(
      service.dependencies.map((dependency) => dependency.id).filter((id) => !id.endsWith('.assets')),
      [dev.data.stackName],
    );
  });
});
