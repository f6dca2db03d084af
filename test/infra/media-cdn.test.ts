import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  behaviourFor,
  type DeliveryBehaviour,
  deliveryBehaviours,
  ERROR_CACHING_SECONDS,
  findBehaviour,
  matchesPathPattern,
  mediaCors,
  mediaSecurityHeaders,
  VIEWER_LIMIT_QUERY,
} from '#contract/delivery.ts';
import {
  MEDIA_PATH_PREFIXES,
  VIDEO_OUTPUTS,
  VIDEOS_PREFIX,
  videoMediaPrefix,
} from '#contract/media-layout.ts';
import { routes } from '#contract/routes.ts';
import { CLOUDFRONT_READ_SID } from '../../lib/storage/storage.ts';
import {
  type Cfn,
  deployedFiles,
  describe$,
  logicalId,
  ref,
  resource,
  resourcesOfType,
  type SynthesizedSkycast,
  serviceOf,
  synthSkycast,
} from './support/synth.ts';

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';

const dev = synthSkycast({ stage: 'dev' });
// Every media setting at once: a custom domain, an Origin Shield region of its own, a dev server's origin.
const custom = synthSkycast({
  stage: 'prod',
  nag: true,
  settings: {
    mediaDomain: { name: 'media.example.com', certificateArn: CERTIFICATE_ARN },
    originShieldRegion: 'eu-west-2',
    extraCorsOrigins: ['http://localhost:5173'],
  },
});
const unshielded = synthSkycast({ stage: 'dev', settings: { originShieldRegion: false } });
after(() => {
  for (const synth of [dev, custom, unshielded]) synth.dispose();
});

const dataOf = (synth: SynthesizedSkycast) => synth.templates[synth.data.stackName]!;

const distributionConfig = (synth: SynthesizedSkycast) =>
  resource(synth, logicalId(synth.service.webApp.distribution)).Properties.DistributionConfig as Record<
    string,
    Cfn
  >;

/** The CloudFront behaviour of a row: a cache behaviour by its path pattern, or the default behaviour. */
function behaviourOf(synth: SynthesizedSkycast, row: DeliveryBehaviour): Cfn {
  const config = distributionConfig(synth);
  if (row.pathPattern === '*') return config.DefaultCacheBehavior;
  const found = (config.CacheBehaviors as Cfn[]).find(
    (behaviour) => behaviour.PathPattern === row.pathPattern,
  );
  assert.ok(found, `a cache behaviour for ${row.pathPattern}`);
  return found;
}

const policyOf = (synth: SynthesizedSkycast, reference: Cfn) =>
  resource(synth, describe$(synth, reference).replace(/^\$\{(.+)\}$/, '$1')).Properties;

describe('the delivery table (lambdas/contract/delivery.ts)', () => {
  it('names each path pattern and id once, all under the media prefixes the web app never routes', () => {
    for (const row of deliveryBehaviours) {
      assert.ok(
        MEDIA_PATH_PREFIXES.some((prefix) => `/${row.pathPattern}`.startsWith(prefix)),
        row.id,
      );
    }
    const patterns = deliveryBehaviours.map((row) => row.pathPattern);
    assert.equal(new Set(patterns).size, patterns.length);
    const ids = deliveryBehaviours.map((row) => row.id);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('sends every file a transcode writes to the behaviour for its kind', () => {
    const video = videoMediaPrefix('01JD3W6P0Q4G5V7X8Y9Z0ABCDE');
    const { hls, thumbnails, poster } = VIDEO_OUTPUTS;
    const expected: Record<string, string> = {
      [`${video}${hls.folder}/${hls.base}.m3u8`]: 'vod-playlists',
      [`${video}${hls.folder}/${hls.base}_720p.m3u8`]: 'vod-playlists',
      [`${video}${hls.folder}/${hls.base}_720p_00001.ts`]: 'vod-segments',
      [`${video}${hls.folder}/${hls.base}_audio_00012.aac`]: 'vod-segments',
      [`${video}${thumbnails.folder}/${thumbnails.base}.0000000.jpg`]: 'thumbnails',
      [`${video}${poster.folder}/${poster.base}.0000001.jpg`]: 'posters',
    };
    for (const [key, id] of Object.entries(expected)) {
      assert.ok(key.startsWith(VIDEOS_PREFIX), key);
      assert.equal(behaviourFor(key).id, id, key);
      assert.equal(behaviourFor(key).origin, 'media', key);
    }
  });

  it("sends IVS's recording layout to the recordings bucket, its playlists as live ones", () => {
    const recording = 'ivs/v1/123456789012/AbCdEf123456/2026/11/21/10/30/k3yXr7Mq2Zp1';
    assert.equal(behaviourFor(`${recording}/media/hls/720p30/playlist.m3u8`).id, 'recording-playlists');
    assert.equal(behaviourFor(`${recording}/media/hls/master.m3u8`).id, 'recording-playlists');
    assert.equal(behaviourFor(`${recording}/media/hls/720p30/12.ts`).id, 'recording-files');
    assert.equal(behaviourFor(`${recording}/media/thumbnails/thumb0.jpg`).id, 'recording-files');
    assert.equal(behaviourFor(`${recording}/events/recording-ended.json`).origin, 'recordings');
    assert.equal(findBehaviour('clips/abc/index.m3u8'), undefined);
    assert.equal(findBehaviour('index.html'), undefined);
  });

  it('sends generated playlists to the manifest Lambda before any bucket row sees them', () => {
    const recording = 'ivs/v1/123456789012/AbCdEf123456/2026/11/21/10/30/k3yXr7Mq2Zp1';
    const expected: Record<string, string> = {
      'videos/v1/manifest/index.m3u8': 'video-manifests',
      'videos/v1/clips/1000-9000/index.m3u8': 'video-clips',
      'videos/v1/clips/1000-9000/index_720p.m3u8': 'video-clips',
      [`${recording}/manifest/index.m3u8`]: 'recording-manifests',
      [`${recording}/clips/0-5000/720p30/playlist.m3u8`]: 'recording-clips',
    };
    for (const [key, id] of Object.entries(expected)) {
      assert.equal(behaviourFor(key).id, id, key);
      assert.equal(behaviourFor(key).origin, 'manifest', key);
    }
    assert.equal(behaviourFor('videos/v1/hls/index.m3u8').origin, 'media');
  });

  it('caches segments a year as immutable, VOD playlists and pictures a day, live playlists a second', () => {
    const row = (id: string) => deliveryBehaviours.find((candidate) => candidate.id === id)!;
    const year = 365 * 24 * 3600;
    assert.deepEqual(row('vod-segments').ttl, { minSeconds: 0, defaultSeconds: year, maxSeconds: year });
    assert.equal(row('vod-segments').cacheControl, `max-age=${year}, immutable`);
    for (const id of ['vod-playlists', 'thumbnails', 'posters']) {
      assert.equal(row(id).ttl.defaultSeconds, 86400, id);
      assert.equal(row(id).cacheControl, 'max-age=86400', id);
    }
    assert.deepEqual(row('recording-playlists').ttl, { minSeconds: 0, defaultSeconds: 1, maxSeconds: 1 });
    assert.ok(row('video-files').ttl.defaultSeconds <= 5);
    for (const candidate of deliveryBehaviours) {
      const { minSeconds, defaultSeconds, maxSeconds } = candidate.ttl;
      assert.ok(minSeconds <= defaultSeconds && defaultSeconds <= maxSeconds, candidate.id);
      // What viewers are told matches what the edge keeps.
      assert.match(
        candidate.cacheControl,
        new RegExp(`^max-age=${defaultSeconds}(, immutable)?$`),
        candidate.id,
      );
    }
  });

  it('keys every cache on the path alone, generated multivariants on the viewer limits too; never a cookie', () => {
    for (const row of deliveryBehaviours) {
      const queryStrings = row.origin === 'manifest' ? [...VIEWER_LIMIT_QUERY] : [];
      assert.deepEqual(row.cacheKey, { queryStrings, headers: [], cookies: [] }, row.id);
    }
  });

  it('matches paths as CloudFront does: * crosses slashes, ? is one character, case matters', () => {
    assert.ok(matchesPathPattern('videos/*/hls/*.ts', 'videos/a/b/hls/c/d.ts'));
    assert.ok(matchesPathPattern('/videos/*', 'videos/x'));
    assert.ok(!matchesPathPattern('videos/*/hls/*.ts', 'videos/a/hls/b.TS'));
    assert.ok(matchesPathPattern('a?c', 'abc'));
    assert.ok(!matchesPathPattern('a?c', 'abbc'));
    assert.ok(!matchesPathPattern('a.c', 'abc'), 'a dot is a dot');
    assert.ok(matchesPathPattern('*', ''));
  });
});

describe('MediaCdn', () => {
  it("adds one cache behaviour per row of the delivery table to the web app's distribution, in its order", () => {
    const config = distributionConfig(dev);
    assert.deepEqual(
      (config.CacheBehaviors as Cfn[]).map((behaviour) => behaviour.PathPattern),
      deliveryBehaviours.map((row) => row.pathPattern),
    );
    // The default behaviour stays the web app's bucket, without key groups.
    const web = logicalId(dev.service.webApp.bucket);
    const defaultOrigin = (config.Origins as Cfn[]).find(
      (o) => o.Id === config.DefaultCacheBehavior.TargetOriginId,
    );
    assert.equal(describe$(dev, defaultOrigin.DomainName), ref(`${web}.RegionalDomainName`));
    assert.equal(config.DefaultCacheBehavior.TrustedKeyGroups, undefined);
  });

  it('requires a signed cookie of the playback key group on every media behaviour', () => {
    const keyGroup = logicalId(dev.service.playbackKey.keyGroup);
    for (const row of deliveryBehaviours) {
      assert.deepEqual(
        (behaviourOf(dev, row).TrustedKeyGroups as Cfn[]).map((id) => describe$(dev, id)),
        [ref(keyGroup)],
        row.id,
      );
    }
    const group = resource(dev, keyGroup).Properties.KeyGroupConfig;
    assert.deepEqual(
      (group.Items as Cfn[]).map((id) => describe$(dev, id)),
      [ref(logicalId(dev.service.playbackKey.publicKey))],
    );
    // The public key comes from the deploy-time custom resource: no key material in the template.
    const publicKey = resource(dev, logicalId(dev.service.playbackKey.publicKey)).Properties.PublicKeyConfig;
    assert.match(describe$(dev, publicKey.EncodedKey), /^\$\{.+\.PublicKey\}$/);
    const maker = resource(dev, publicKey.EncodedKey['Fn::GetAtt'][0]);
    assert.equal(maker.Type, 'Custom::SkycastKeyPair');
    assert.equal(maker.Properties.Algorithm, 'RSA-2048', 'CloudFront verifies RSA-SHA1 signatures');
    assert.doesNotMatch(JSON.stringify(serviceOf(dev)), /PRIVATE KEY/);
  });

  it('lets exactly the routes that sign playback read the key secret, and tells them the key id and media URL', () => {
    const secret = logicalId(dev.service.playbackKey.secret);
    const publicKey = logicalId(dev.service.playbackKey.publicKey);
    const webUrl = `https://${ref(`${logicalId(dev.service.webApp.distribution)}.DomainName`)}`;
    for (const route of routes) {
      const fn = resource(dev, logicalId(dev.service.api.functions[route.operation.operationId]!)).Properties;
      const env = fn.Environment.Variables as Record<string, Cfn>;
      const signs = route.access.mediaCookies === 'sign';
      assert.equal(env.PLAYBACK_KEY_SECRET_ARN === undefined, !signs, route.operation.operationId);
      if (!signs) continue;
      assert.equal(describe$(dev, env.PLAYBACK_KEY_SECRET_ARN), ref(secret));
      assert.equal(describe$(dev, env.PLAYBACK_KEY_PAIR_ID), ref(publicKey));
      assert.equal(describe$(dev, env.MEDIA_URL), webUrl);
    }
    assert.deepEqual(
      routes
        .filter((route) => route.access.mediaCookies === 'sign')
        .map((route) => route.operation.operationId),
      ['listVideos', 'getVideo', 'createClip', 'getClip'],
    );
  });

  it('sends each row to its bucket in the data stack, or to the manifest function URL', () => {
    const config = distributionConfig(dev);
    for (const row of deliveryBehaviours) {
      const origin = (config.Origins as Cfn[]).find((o) => o.Id === behaviourOf(dev, row).TargetOriginId);
      if (row.origin === 'manifest') {
        const url = logicalId(dev.service.media.manifestUrl);
        assert.deepEqual(origin.DomainName, {
          'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [url, 'FunctionUrl'] }] }],
        });
        continue;
      }
      const bucket = logicalId(dev.data.storage.buckets[row.origin]);
      assert.equal(describe$(dev, origin.DomainName), ref(`${bucket}.RegionalDomainName`), row.id);
    }
    assert.equal(
      config.Origins.length,
      4,
      'the web bucket, then one origin per media origin, shared by its rows',
    );
  });

  it('reaches the manifest Lambda only through CloudFront: IAM-auth function URL, OAC for Lambda', () => {
    const url = resource(dev, logicalId(dev.service.media.manifestUrl)).Properties;
    assert.equal(url.AuthType, 'AWS_IAM');
    const config = distributionConfig(dev);
    const lambdaOrigin = (config.Origins as Cfn[]).find((o) =>
      /FunctionUrl/.test(describe$(dev, o.DomainName)),
    );
    const oac = resource(
      dev,
      describe$(dev, lambdaOrigin.OriginAccessControlId).replace(/^\$\{(.+)\.Id\}$/, '$1'),
    ).Properties.OriginAccessControlConfig;
    assert.equal(oac.OriginAccessControlOriginType, 'lambda');
    assert.equal(oac.SigningBehavior, 'always');
    const permissions = Object.values(resourcesOfType(serviceOf(dev), 'AWS::Lambda::Permission')).filter(
      (p) => p.Properties.Principal === 'cloudfront.amazonaws.com',
    );
    // InvokeFunctionUrl, and InvokeFunction through the URL only (what function URLs with IAM auth require).
    assert.deepEqual(permissions.map((p) => p.Properties.Action).sort(), [
      'lambda:InvokeFunction',
      'lambda:InvokeFunctionUrl',
    ]);
    for (const permission of permissions) {
      assert.match(describe$(dev, permission.Properties.SourceArn), /distribution\//);
    }
  });

  it('caches each row as the table says, on the path (and viewer limits) alone, uncompressed', () => {
    for (const row of deliveryBehaviours) {
      const policy = policyOf(dev, behaviourOf(dev, row).CachePolicyId).CachePolicyConfig;
      assert.equal(policy.MinTTL, row.ttl.minSeconds, row.id);
      assert.equal(policy.DefaultTTL, row.ttl.defaultSeconds, row.id);
      assert.equal(policy.MaxTTL, row.ttl.maxSeconds, row.id);
      assert.deepEqual(
        policy.ParametersInCacheKeyAndForwardedToOrigin,
        {
          CookiesConfig: { CookieBehavior: 'none' },
          HeadersConfig: { HeaderBehavior: 'none' },
          QueryStringsConfig:
            row.origin === 'manifest'
              ? { QueryStringBehavior: 'whitelist', QueryStrings: [...VIEWER_LIMIT_QUERY] }
              : { QueryStringBehavior: 'none' },
          EnableAcceptEncodingGzip: false,
          EnableAcceptEncodingBrotli: false,
        },
        row.id,
      );
      assert.equal(behaviourOf(dev, row).Compress, false, row.id);
    }
  });

  it('tells viewers the Cache-Control of each row, unless the object was written with its own', () => {
    for (const row of deliveryBehaviours) {
      const policy = policyOf(dev, behaviourOf(dev, row).ResponseHeadersPolicyId).ResponseHeadersPolicyConfig;
      assert.deepEqual(
        policy.CustomHeadersConfig.Items,
        [{ Header: 'Cache-Control', Value: row.cacheControl, Override: false }],
        row.id,
      );
    }
  });

  it('shares a policy between rows that cache alike, so two stages fit the account quota of 20', () => {
    const media = (type: string) =>
      Object.keys(resourcesOfType(serviceOf(dev), type)).filter((id) => id.startsWith('Media'));
    const settings = new Set(deliveryBehaviours.map((row) => JSON.stringify([row.ttl, row.cacheKey])));
    const cacheControls = new Set(deliveryBehaviours.map((row) => row.cacheControl));
    assert.equal(media('AWS::CloudFront::CachePolicy').length, settings.size);
    assert.equal(media('AWS::CloudFront::ResponseHeadersPolicy').length, cacheControls.size);
    assert.ok(settings.size * 2 <= 20 && cacheControls.size * 2 <= 20);
  });

  it('needs no CORS for the same-origin web app, and allows -c corsOrigins, exposing the range headers', () => {
    for (const row of deliveryBehaviours) {
      const none = policyOf(dev, behaviourOf(dev, row).ResponseHeadersPolicyId).ResponseHeadersPolicyConfig;
      assert.equal(none.CorsConfig, undefined, row.id);
      const cors = policyOf(custom, behaviourOf(custom, row).ResponseHeadersPolicyId)
        .ResponseHeadersPolicyConfig.CorsConfig;
      assert.deepEqual(cors.AccessControlAllowOrigins.Items, ['http://localhost:5173']);
      assert.deepEqual(cors.AccessControlAllowMethods.Items, [...mediaCors.allowMethods]);
      assert.deepEqual(cors.AccessControlAllowHeaders.Items, [...mediaCors.allowHeaders]);
      assert.deepEqual(cors.AccessControlExposeHeaders.Items, [...mediaCors.exposeHeaders]);
      assert.equal(cors.AccessControlAllowCredentials, false);
      assert.equal(cors.AccessControlMaxAgeSec, mediaCors.maxAgeSeconds);
      assert.equal(cors.OriginOverride, true);
    }
    assert.deepEqual(mediaCors.exposeHeaders, ['Content-Range', 'Content-Length', 'ETag', 'Accept-Ranges']);
  });

  it('adds the security headers of the table to every response', () => {
    for (const row of deliveryBehaviours) {
      const security = policyOf(dev, behaviourOf(dev, row).ResponseHeadersPolicyId)
        .ResponseHeadersPolicyConfig.SecurityHeadersConfig;
      assert.deepEqual(security, {
        ContentTypeOptions: { Override: true },
        FrameOptions: { FrameOption: mediaSecurityHeaders.frameOptions, Override: true },
        ReferrerPolicy: { ReferrerPolicy: mediaSecurityHeaders.referrerPolicy, Override: true },
        StrictTransportSecurity: {
          AccessControlMaxAgeSec: mediaSecurityHeaders.strictTransportSecurity.maxAgeSeconds,
          IncludeSubdomains: true,
          Override: true,
        },
      });
    }
  });

  it('reaches both buckets through one Origin Access Control that signs every request, never an OAI', () => {
    const config = distributionConfig(dev);
    const oacIds = new Set<string>();
    const web = ref(`${logicalId(dev.service.webApp.bucket)}.RegionalDomainName`);
    for (const origin of config.Origins as Cfn[]) {
      if (!origin.S3OriginConfig || describe$(dev, origin.DomainName) === web) continue;
      assert.equal(origin.S3OriginConfig.OriginAccessIdentity, '');
      oacIds.add(describe$(dev, origin.OriginAccessControlId).replace(/^\$\{(.+)\.Id\}$/, '$1'));
    }
    assert.equal(oacIds.size, 1);
    const [oacId] = [...oacIds];
    const oac = resource(dev, oacId!).Properties.OriginAccessControlConfig;
    assert.equal(oac.OriginAccessControlOriginType, 's3');
    assert.equal(oac.SigningBehavior, 'always');
    assert.equal(oac.SigningProtocol, 'sigv4');
  });

  it("lets this account's distributions read the media and recordings buckets, and nothing more", () => {
    const policies = Object.values(resourcesOfType(dataOf(dev), 'AWS::S3::BucketPolicy'));
    const cloudFrontStatements = (role: 'media' | 'recordings' | 'uploads') => {
      const bucket = logicalId(dev.data.storage.buckets[role]);
      const policy = policies.find(
        (candidate) => describe$(dev, candidate.Properties.Bucket) === ref(bucket),
      );
      assert.ok(policy, `${role} bucket policy`);
      return (policy.Properties.PolicyDocument.Statement as Cfn[]).filter(
        (statement) => statement.Principal?.Service === 'cloudfront.amazonaws.com',
      );
    };
    for (const role of ['media', 'recordings'] as const) {
      const bucket = logicalId(dev.data.storage.buckets[role]);
      const statements = cloudFrontStatements(role);
      assert.equal(statements.length, 1, role);
      const [statement] = statements;
      assert.equal(statement.Sid, CLOUDFRONT_READ_SID);
      assert.equal(statement.Effect, 'Allow');
      // GetObject only: with s3:ListBucket a request for `/` would list every key.
      assert.equal(statement.Action, 's3:GetObject');
      assert.equal(describe$(dev, statement.Resource), `${ref(`${bucket}.Arn`)}/*`);
      assert.equal(
        describe$(dev, statement.Condition.StringEquals['AWS:SourceAccount']),
        ref('AWS::AccountId'),
      );
      assert.equal(
        describe$(dev, statement.Condition.ArnLike['AWS:SourceArn']),
        `arn:${ref('AWS::Partition')}:cloudfront::${ref('AWS::AccountId')}:distribution/*`,
      );
    }
    assert.deepEqual(cloudFrontStatements('uploads'), []);
  });

  it('keeps the data stack free of the service stack: the grant names no distribution', () => {
    const data = dev.assembly.getStackByName(dev.data.stackName);
    assert.deepEqual(
      data.dependencies.map((dependency) => dependency.id).filter((id) => !id.endsWith('.assets')),
      [],
    );
  });

  it("puts Origin Shield in the stack's region by default, in the region a setting names, or nowhere", () => {
    // The media origins (both buckets and the manifest Lambda); the web bucket, first, has none.
    const shields = (synth: SynthesizedSkycast) =>
      (distributionConfig(synth).Origins as Cfn[]).slice(1).map((origin) => origin.OriginShield);
    const three = <T>(value: T) => [value, value, value];
    assert.deepEqual(shields(dev), three({ Enabled: true, OriginShieldRegion: { Ref: 'AWS::Region' } }));
    assert.deepEqual(shields(custom), three({ Enabled: true, OriginShieldRegion: 'eu-west-2' }));
    assert.deepEqual(shields(unshielded), three({ Enabled: false }));
  });

  it('answers over HTTPS only, HTTP/2 and HTTP/3, IPv6; GET, HEAD and preflights, caching GET and HEAD', () => {
    const config = distributionConfig(dev);
    assert.equal(config.HttpVersion, 'http2and3');
    assert.equal(config.IPV6Enabled, true);
    assert.equal(config.PriceClass, 'PriceClass_All');
    for (const row of deliveryBehaviours) {
      const behaviour = behaviourOf(dev, row);
      assert.equal(behaviour.ViewerProtocolPolicy, 'https-only', row.id);
      assert.deepEqual(behaviour.AllowedMethods, ['GET', 'HEAD', 'OPTIONS'], row.id);
      assert.deepEqual(behaviour.CachedMethods, ['GET', 'HEAD'], row.id);
    }
  });

  it("writes standard logs to the data stack's access-logs bucket under cloudfront/web/ (media included)", () => {
    const config = distributionConfig(dev);
    const logsBucket = logicalId(dev.data.storage.accessLogsBucket);
    assert.equal(describe$(dev, config.Logging.Bucket), ref(`${logsBucket}.RegionalDomainName`));
    assert.equal(config.Logging.Prefix, 'cloudfront/web/');
  });

  it("keeps a bucket's 403 or 404 for a second only, so a playlist written a moment later shows up", () => {
    assert.equal(ERROR_CACHING_SECONDS, 1);
    assert.deepEqual(distributionConfig(dev).CustomErrorResponses, [
      { ErrorCode: 403, ErrorCachingMinTTL: ERROR_CACHING_SECONDS },
      { ErrorCode: 404, ErrorCachingMinTTL: ERROR_CACHING_SECONDS },
    ]);
  });

  it('uses the *.cloudfront.net name and certificate without -c mediaDomain', () => {
    const config = distributionConfig(dev);
    assert.equal(config.Aliases, undefined);
    assert.equal(config.ViewerCertificate, undefined);
  });

  it('serves -c mediaDomain with its certificate and TLS 1.2, and gives the web app that URL', () => {
    const config = distributionConfig(custom);
    assert.deepEqual(config.Aliases, ['media.example.com']);
    assert.deepEqual(config.ViewerCertificate, {
      AcmCertificateArn: CERTIFICATE_ARN,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    const deployment = Object.values(resourcesOfType(serviceOf(custom), 'Custom::CDKBucketDeployment'))[0]!;
    const configJson = deployedFiles(custom, deployment).find((file) => file.key === 'config.json');
    assert.equal(JSON.parse(configJson!.content).mediaUrl, 'https://media.example.com');
    assert.equal(serviceOf(custom).Outputs?.MediaUrl?.Value, 'https://media.example.com');
  });

  it('stays clean under cdk-nag with a custom domain, without the TLS suppression it no longer needs', () => {
    const findings = custom.assembly.stacks.flatMap((stack) =>
      stack.messages
        .filter((message) => message.level === 'error' || message.level === 'warning')
        .map((message) => `${message.id}: ${String(message.entry.data).split('\n')[0]}`),
    );
    assert.deepEqual(findings, []);
    const suppressed = (synth: SynthesizedSkycast) =>
      (
        resource(synth, logicalId(synth.service.webApp.distribution)).Metadata?.cdk_nag?.rules_to_suppress ??
        []
      ).map((rule: Cfn) => rule.id);
    // A prod stage has its web ACL (settings `waf`), so CFR2 (no WAF) needs no suppression there.
    assert.deepEqual(suppressed(custom), ['AwsSolutions-CFR1']);
    assert.deepEqual(suppressed(dev), ['AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR4']);
  });
});
