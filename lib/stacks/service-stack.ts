import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { SkycastApi } from '../api/http-api.ts';
import { MediaCdn } from '../delivery/media-cdn.ts';
import { WebApp } from '../delivery/web-app.ts';
import { type WebConfig, WebContent } from '../delivery/web-content.ts';
import { Pipelines } from '../pipelines/pipelines.ts';
import { applicationName, type SkycastSettings } from '../shared/settings.ts';
import { CLOUDFRONT_LOGS_PREFIX, S3_ACCESS_LOGS_PREFIX } from '../storage/storage.ts';
import { MediaConvertRole } from '../transcoding/media-convert.ts';
import { buildOpenApiDocument } from '../wiring/openapi.ts';
import type { DataStack } from './data-stack.ts';

/** Props of {@link ServiceStack}. */
export interface ServiceStackProps extends StackProps {
  settings: SkycastSettings;
  /** The stateful resources this stack's code works on. */
  data: DataStack;
}

/**
 * The stateless half of Skycast: functions, the HTTP API, the queues and event rules that drive transcoding,
 * the web app and the media distribution. Safe to replace on any deploy (a dead-letter queue's messages go with it).
 */
export class ServiceStack extends Stack {
  readonly api: SkycastApi;
  /** The media distribution: videos, thumbnails and recordings (lib/wiring/delivery.ts). */
  readonly media: MediaCdn;
  /** The role MediaConvert assumes for Skycast's jobs. */
  readonly mediaConvertRole: MediaConvertRole;
  /** The queues and event rules of lib/wiring/pipelines.ts with their functions. */
  readonly pipelines: Pipelines;
  readonly webApp: WebApp;
  readonly webContent: WebContent;
  /** What the web app reads from `/config.json`. */
  readonly webConfig: WebConfig;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { settings, data } = props;
    const logRemovalPolicy = settings.removalPolicy;
    const application = applicationName(settings.stage);

    this.webApp = new WebApp(this, 'WebApp', {
      comment: `Skycast ${settings.stage} web app`,
      accessLogs: {
        bucket: data.storage.accessLogsBucket,
        s3Prefix: `${S3_ACCESS_LOGS_PREFIX}web/`,
        cloudFrontPrefix: `${CLOUDFRONT_LOGS_PREFIX}web/`,
      },
    });

    this.media = new MediaCdn(this, 'Media', {
      comment: `Skycast ${settings.stage} media`,
      buckets: { media: data.storage.buckets.media, recordings: data.storage.buckets.recordings },
      accessLogs: { bucket: data.storage.accessLogsBucket, prefix: `${CLOUDFRONT_LOGS_PREFIX}media/` },
      // The web app plays media from its own origin; a dev server (-c corsOrigins) may too.
      allowOrigins: [this.webApp.url, ...settings.extraCorsOrigins],
      originShieldRegion: settings.originShieldRegion,
      domain: settings.mediaDomain,
    });

    const live = {
      application,
      recordingConfigurationArn: data.live.recordingConfiguration.attrArn,
      playbackKeySecret: data.live.playbackKeySecret,
    };
    this.api = new SkycastApi(this, 'Api', {
      apiName: application,
      userPool: data.accounts.userPool,
      webClient: data.accounts.webClient,
      catalogTable: data.catalog.table,
      buckets: data.storage.buckets,
      live,
      ...(settings.uploadMaxBytes === undefined ? {} : { uploadMaxBytes: settings.uploadMaxBytes }),
      allowOrigins: [this.webApp.url, ...settings.extraCorsOrigins],
      throttle: settings.apiThrottle,
      logRetention: settings.logRetention,
      logRemovalPolicy,
    });

    this.mediaConvertRole = new MediaConvertRole(this, 'MediaConvertRole', {
      uploadsBucket: data.storage.buckets.uploads,
      mediaBucket: data.storage.buckets.media,
    });
    this.pipelines = new Pipelines(this, 'Pipelines', {
      application,
      catalogTable: data.catalog.table,
      buckets: data.storage.buckets,
      mediaConvert: this.mediaConvertRole,
      live,
      logRetention: settings.logRetention,
      logRemovalPolicy,
    });

    this.webConfig = {
      region: this.region,
      apiUrl: this.api.url,
      userPoolId: data.accounts.userPool.userPoolId,
      userPoolClientId: data.accounts.webClient.userPoolClientId,
      mediaUrl: this.media.url,
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
    new CfnOutput(this, 'MediaUrl', {
      value: this.media.url,
      description: 'Base URL of videos, thumbnails and recordings (mediaUrl in /config.json)',
    });
    new CfnOutput(this, 'MediaDistributionId', {
      value: this.media.distribution.distributionId,
      description: 'The media distribution, for invalidations',
    });
    new CfnOutput(this, 'MediaDistributionDomainName', {
      value: this.media.distribution.distributionDomainName,
      description: 'Where a DNS record for -c mediaDomain must point (CNAME or alias)',
    });
  }
}
