import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { contentSecurityPolicy, IVS_PLAYBACK_SOURCE } from '#contract/content-security.ts';
import { buildOpenApiDocument } from '#contract/openapi.ts';
import type { Route } from '#contract/routes.ts';
import type { WebConfig } from '#contract/web-config.ts';
import { SkycastApi } from '../api/http-api.ts';
import { MediaCdn } from '../delivery/media-cdn.ts';
import { PlaybackSigningKey } from '../delivery/playback-key.ts';
import { WebApp } from '../delivery/web-app.ts';
import { WebContent } from '../delivery/web-content.ts';
import { WebFirewall } from '../delivery/web-firewall.ts';
import { Pipelines } from '../pipelines/pipelines.ts';
import { applicationName, type SkycastSettings } from '../shared/settings.ts';
import { CLOUDFRONT_LOGS_PREFIX, S3_ACCESS_LOGS_PREFIX } from '../storage/storage.ts';
import { UploadsCors } from '../storage/uploads-cors.ts';
import { MediaConvertRole } from '../transcoding/media-convert.ts';
import type { DataStack } from './data-stack.ts';

/** Props of {@link ServiceStack}. */
export interface ServiceStackProps extends StackProps {
  settings: SkycastSettings;
  /** The stateful resources this stack's code works on. */
  data: DataStack;
  /** @default the route table in lambdas/contract/routes.ts (the local platform's IAM tests pass a changed one) */
  routes?: readonly Route[];
}

/**
 * The stateless half of Skycast: functions, the HTTP API, the queues and event rules that drive transcoding,
 * the web app and the media distribution. Safe to replace on any deploy (a dead-letter queue's messages go with it).
 */
export class ServiceStack extends Stack {
  readonly api: SkycastApi;
  /** The media behaviours on the web app's distribution (lambdas/contract/delivery.ts) and the manifest Lambda. */
  readonly media: MediaCdn;
  /** The key pair that signs playback cookies; its key group guards every media behaviour. */
  readonly playbackKey: PlaybackSigningKey;
  /** The role MediaConvert assumes for Skycast's jobs. */
  readonly mediaConvertRole: MediaConvertRole;
  /** The queues and event rules of lambdas/contract/pipelines.ts with their functions. */
  readonly pipelines: Pipelines;
  readonly webApp: WebApp;
  /** The web ACL this stack made for the distribution (settings `waf: 'create'`). */
  readonly webFirewall: WebFirewall | undefined;
  readonly webContent: WebContent;
  /** What the web app reads from `/config.json`. */
  readonly webConfig: WebConfig;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { settings, data } = props;
    const logRemovalPolicy = settings.removalPolicy;
    const application = applicationName(settings.stage);

    const { waf } = settings;
    this.webFirewall =
      waf === 'create' ? new WebFirewall(this, 'WebFirewall', { metricPrefix: application }) : undefined;
    const webAclArn = typeof waf === 'object' ? waf.webAclArn : this.webFirewall?.webAclArn;
    this.webApp = new WebApp(this, 'WebApp', {
      comment: `Skycast ${settings.stage} web app and media`,
      accessLogs: {
        bucket: data.storage.accessLogsBucket,
        s3Prefix: `${S3_ACCESS_LOGS_PREFIX}web/`,
        cloudFrontPrefix: `${CLOUDFRONT_LOGS_PREFIX}web/`,
      },
      ...(settings.mediaDomain ? { domain: settings.mediaDomain } : {}),
      contentSecurityPolicy: contentSecurityPolicy({
        // The API's own URL would make a cycle (its CORS names the distribution): any HTTP API of this region.
        connect: [
          `https://*.execute-api.${this.region}.${this.urlSuffix}`,
          `https://cognito-idp.${this.region}.${this.urlSuffix}`,
        ],
        // Media is on the web app's own origin; live playback comes from IVS.
        media: [IVS_PLAYBACK_SOURCE],
        // Presigned part URLs name the uploads bucket virtual-hosted style: <bucket>.s3.<region>.amazonaws.com.
        uploads: [`https://*.s3.${this.region}.${this.urlSuffix}`],
      }),
      ...(webAclArn ? { webAclArn } : {}),
    });

    this.playbackKey = new PlaybackSigningKey(this, 'PlaybackKey', {
      logRetention: settings.logRetention,
      logRemovalPolicy,
    });
    // Media joins the web app's distribution, so the API's playback cookies are same-origin.
    this.media = new MediaCdn(this, 'Media', {
      application,
      distribution: this.webApp.distribution,
      buckets: { media: data.storage.buckets.media, recordings: data.storage.buckets.recordings },
      keyGroup: this.playbackKey.keyGroup,
      // The web app is same-origin; a dev server (-c corsOrigins) may read media too.
      allowOrigins: settings.extraCorsOrigins,
      originShieldRegion: settings.originShieldRegion,
      logRetention: settings.logRetention,
      logRemovalPolicy,
    });

    const live = {
      recordingConfigurationArn: data.live.recordingConfiguration.attrArn,
      playbackKeySecret: data.live.playbackKeySecret,
    };
    // Browsers PUT upload parts straight to the uploads bucket, from the web app's pages only.
    new UploadsCors(this, 'UploadsCors', {
      bucket: data.storage.buckets.uploads,
      allowOrigins: [this.webApp.url, ...settings.extraCorsOrigins],
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

    this.api = new SkycastApi(this, 'Api', {
      application,
      ...(props.routes ? { routes: props.routes } : {}),
      userPool: data.accounts.userPool,
      webClient: data.accounts.webClient,
      catalogTable: data.catalog.table,
      buckets: data.storage.buckets,
      live,
      // The API feeds queues of the pipelines (sendReaction → reaction-broadcast).
      queues: { 'reaction-broadcast': this.pipelines.queues['reaction-broadcast']?.queue },
      // scheduleAdBreak schedules breaks for later; the pipelines hold the targets they invoke.
      schedules: this.pipelines.scheduledTargets.scheduleTargets,
      ...(settings.uploadMaxBytes === undefined ? {} : { uploadMaxBytes: settings.uploadMaxBytes }),
      ...(settings.userQuotas ? { userQuotas: settings.userQuotas } : {}),
      ...(settings.houseCreativeVideoId ? { houseCreativeVideoId: settings.houseCreativeVideoId } : {}),
      allowOrigins: [this.webApp.url, ...settings.extraCorsOrigins],
      throttle: settings.apiThrottle,
      logRetention: settings.logRetention,
      logRemovalPolicy,
      playback: { key: this.playbackKey, mediaUrl: this.webApp.url },
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
    new CfnOutput(this, 'MediaUrl', {
      value: this.webApp.url,
      description: "Base URL of videos, thumbnails and recordings (mediaUrl in /config.json): the web app's",
    });
    new CfnOutput(this, 'DistributionId', {
      value: this.webApp.distribution.distributionId,
      description: 'The web app and media distribution, for invalidations',
    });
    new CfnOutput(this, 'DistributionDomainName', {
      value: this.webApp.distribution.distributionDomainName,
      description: 'Where a DNS record for -c mediaDomain must point (CNAME or alias)',
    });
  }
}
