import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { SkycastApi } from '../api/http-api.ts';
import { WebApp } from '../delivery/web-app.ts';
import { type WebConfig, WebContent } from '../delivery/web-content.ts';
import type { SkycastSettings } from '../shared/settings.ts';
import { CLOUDFRONT_LOGS_PREFIX, S3_ACCESS_LOGS_PREFIX } from '../storage/storage.ts';
import { buildOpenApiDocument } from '../wiring/openapi.ts';
import type { DataStack } from './data-stack.ts';

/** Props of {@link ServiceStack}. */
export interface ServiceStackProps extends StackProps {
  settings: SkycastSettings;
  /** The stateful resources this stack's code works on. */
  data: DataStack;
}

/**
 * The stateless half of Skycast: functions, the HTTP API and the web app. Safe to replace on any deploy.
 */
export class ServiceStack extends Stack {
  readonly api: SkycastApi;
  readonly webApp: WebApp;
  readonly webContent: WebContent;
  /** What the web app reads from `/config.json`. */
  readonly webConfig: WebConfig;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { settings, data } = props;
    const logRemovalPolicy = settings.removalPolicy;

    this.webApp = new WebApp(this, 'WebApp', {
      comment: `Skycast ${settings.stage} web app`,
      accessLogs: {
        bucket: data.storage.accessLogsBucket,
        s3Prefix: `${S3_ACCESS_LOGS_PREFIX}web/`,
        cloudFrontPrefix: `${CLOUDFRONT_LOGS_PREFIX}web/`,
      },
    });

    this.api = new SkycastApi(this, 'Api', {
      apiName: `skycast-${settings.stage}`,
      userPool: data.accounts.userPool,
      webClient: data.accounts.webClient,
      catalogTable: data.catalog.table,
      allowOrigins: [this.webApp.url, ...settings.extraCorsOrigins],
      throttle: settings.apiThrottle,
      logRetention: settings.logRetention,
      logRemovalPolicy,
    });

    this.webConfig = {
      region: this.region,
      apiUrl: this.api.url,
      userPoolId: data.accounts.userPool.userPoolId,
      userPoolClientId: data.accounts.webClient.userPoolClientId,
      mediaUrl: this.webApp.url,
      cognitoEndpoint: `https://cognito-idp.${this.region}.${this.urlSuffix}/`,
    };
    this.webContent = new WebContent(this, 'WebContent', {
      webApp: this.webApp,
      assetsPath: settings.webAssetsPath,
      documents: {
        'config.json': this.webConfig,
        'openapi.json': buildOpenApiDocument({ serverUrl: this.api.url }),
      },
      logRetention: settings.logRetention,
      logRemovalPolicy,
    });

    new CfnOutput(this, 'WebUrl', { value: this.webApp.url, description: 'The web app' });
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'UserPoolId', { value: this.webConfig.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.webConfig.userPoolClientId });
    new CfnOutput(this, 'Region', { value: this.region });
  }
}
