import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { DEFAULT_ROUTE_THROTTLE, type RouteThrottle } from '#contract/api-edge.ts';
import { MAX_PLANNABLE_BYTES } from '#contract/part-plan.ts';
import { MAX_QUOTA_LIMIT, USER_QUOTAS, type UserQuotaLimits } from '#contract/quotas.ts';

/** The repository root: handler entries and the web app's folder are found from here. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const STAGES = ['dev', 'prod'] as const;
/** A deployment of Skycast; stack names carry it, so both can live in one account. */
export type Stage = (typeof STAGES)[number];

/**
 * API Gateway's default limit for each route of the HTTP API (a token bucket per route, shared by all callers);
 * the write routes of lambdas/contract/api-edge.ts get tighter ones.
 */
export type ApiThrottle = RouteThrottle;

/**
 * This deployment's name, `skycast-<stage>`: the stack names start with it, the HTTP API is called by it, and
 * MediaConvert jobs carry it in their user metadata so the job-state rule matches this deployment's jobs only.
 */
export function applicationName(stage: Stage): string {
  return `skycast-${stage}`;
}

/** Everything that differs between stages, decided in this one place. */
export interface SkycastSettings {
  stage: Stage;
  /**
   * What CloudFormation does with stateful resources (user pool, table, buckets, logs) when they leave the
   * template: kept in prod, deleted with their contents in dev so a dev stack tears down cleanly.
   */
  removalPolicy: RemovalPolicy;
  /** Whether the user pool and table refuse to be deleted at all (prod). */
  deletionProtection: boolean;
  /**
   * Cognito threat protection (compromised credentials, adaptive authentication). It needs the user pool's
   * Plus feature plan, which is billed per monthly active user, so it is on in prod and off in dev.
   */
  threatProtection: boolean;
  /** How long function and API access logs stay in CloudWatch Logs. */
  logRetention: RetentionDays;
  /** How long S3 and CloudFront access logs stay in the access-logs bucket. */
  accessLogsExpiration: Duration;
  apiThrottle: ApiThrottle;
  /** Origins other than the web app's own that may call the API from a browser (e.g. a dev server). */
  extraCorsOrigins: string[];
  /**
   * Folder with the web app's static files, deployed to the web bucket. `undefined` when it does not exist
   * (yet): only the generated `/config.json` and `/openapi.json` are deployed then.
   */
  webAssetsPath: string | undefined;
  /**
   * The largest upload `createUpload` accepts, in bytes, passed to the upload functions as UPLOAD_MAX_BYTES.
   * `undefined`: the variable is not set and the handlers' own default (20 GiB) applies.
   */
  uploadMaxBytes?: number;
  /**
   * Per-user limits that differ from the handlers' defaults (`DEFAULT_USER_QUOTAS`: 10 open uploads, 100 GiB in
   * flight, 60 clips and 20 startStream calls an hour), passed to the functions that enforce them.
   * @default {} (the defaults)
   */
  userQuotas?: Partial<UserQuotaLimits>;
  /**
   * The video id of the operator's house ad creative: what a live ad break plays when its creator names none
   * (a READY, not private video of the catalog; checked when a break starts). `undefined`: none, and a break
   * must name one of its creator's sponsor creatives.
   */
  houseCreativeVideoId?: string;
  /**
   * The AWS region of CloudFront's Origin Shield in front of the media buckets, or `false` for none.
   * `undefined`: the stack's own region, where the buckets are, which is what AWS advises (the Origin Shield
   * region nearest the origin). Origin Shield runs in most but not all regions; where the stack's region has
   * none, the deployment fails and names the problem: pick the nearest region that has one
   * (`-c originShieldRegion=eu-west-2`).
   */
  originShieldRegion?: string | false;
  /**
   * A domain of the operator's own for the media distribution, and the ACM certificate for it, which
   * CloudFront needs in us-east-1. `undefined`: the distribution's `*.cloudfront.net` name.
   */
  mediaDomain?: MediaDomain;
  /**
   * AWS WAF in front of the web app and media distribution: `'create'` makes a web ACL with a rate-based rule
   * in this stack (which must then be in us-east-1, where CloudFront's web ACLs live), `{ webAclArn }` attaches
   * one made elsewhere (in us-east-1, for a stack in another region), `'off'` none. A web ACL costs about
   * $5 a month, $1 a month per rule and $0.60 per million requests it inspects (AWS WAF pricing, 2026), on top
   * of CloudFront: on in prod, off in dev. `-c waf=true|false`, `-c wafAclArn=<ARN>`.
   */
  waf: WafChoice;
}

/** Whether and how the distribution gets an AWS WAF web ACL (see {@link SkycastSettings.waf}). */
export type WafChoice = 'off' | 'create' | { webAclArn: string };

/** A custom domain name for the media distribution and its certificate. */
export interface MediaDomain {
  /** e.g. `media.example.com`; a DNS record (CNAME or alias) must point it at the distribution. */
  name: string;
  /** ARN of an ACM certificate in us-east-1 that covers `name`. */
  certificateArn: string;
}

/** Where the web app's static files are, relative to the repository root, unless `-c webAssets=…` says. */
export const DEFAULT_WEB_ASSETS = 'web/dist';

/** The settings of a stage; `overrides` replace single values (tests and context flags use this). */
export function settingsFor(stage: Stage, overrides: Partial<SkycastSettings> = {}): SkycastSettings {
  const prod = stage === 'prod';
  return {
    stage,
    removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    deletionProtection: prod,
    threatProtection: prod,
    logRetention: prod ? RetentionDays.THREE_MONTHS : RetentionDays.ONE_WEEK,
    accessLogsExpiration: Duration.days(prod ? 365 : 30),
    // Dev keeps the contract's default, which the local platform uses too; prod has more callers.
    apiThrottle: prod ? { burstLimit: 500, rateLimit: 250 } : DEFAULT_ROUTE_THROTTLE,
    extraCorsOrigins: [],
    waf: prod ? 'create' : 'off',
    webAssetsPath: existingFolder(DEFAULT_WEB_ASSETS),
    ...overrides,
  };
}

function existingFolder(path: string): string | undefined {
  const absolute = isAbsolute(path) ? path : join(REPOSITORY_ROOT, path);
  return existsSync(absolute) ? absolute : undefined;
}

/** A browser origin is scheme, host and port only: `http://localhost:5173`, no path, no trailing slash. */
function checkOrigin(origin: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {}
  if (!parsed || parsed.origin !== origin) {
    throw new Error(
      `Context "corsOrigins": ${JSON.stringify(origin)} is not an origin like https://example.com.`,
    );
  }
  return origin;
}

function parseWholeNumber(name: string, value: unknown, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = /^\d+$/.test(String(value).trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < 1 || parsed > max) {
    throw new Error(
      `Context "${name}" must be a whole number from 1 to ${max}, not ${JSON.stringify(value)}.`,
    );
  }
  return parsed;
}

const REGION_CODE = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** A host name of letters, digits and hyphens, with at least one dot: no scheme, port or path. */
const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** CloudFront takes certificates from ACM in us-east-1 only. */
const CLOUDFRONT_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/;

function parseOriginShieldRegion(value: unknown): string | false | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (text === 'off' || text === 'false') return false;
  if (!REGION_CODE.test(text)) {
    throw new Error(
      `Context "originShieldRegion" must be an AWS region code such as us-east-2, or off, not ${JSON.stringify(value)}.`,
    );
  }
  return text;
}

function parseMediaDomain(name: unknown, certificateArn: unknown): MediaDomain | undefined {
  if (name === undefined && certificateArn === undefined) return undefined;
  if (name === undefined || certificateArn === undefined) {
    throw new Error(
      'Context "mediaDomain" and "mediaCertificateArn" go together: CloudFront serves a domain of your own ' +
        'only with a certificate for it.',
    );
  }
  const domain = String(name).trim().toLowerCase();
  if (!DOMAIN_NAME.test(domain)) {
    throw new Error(
      `Context "mediaDomain" must be a host name like media.example.com, not ${JSON.stringify(name)}.`,
    );
  }
  const arn = String(certificateArn).trim();
  if (!CLOUDFRONT_CERTIFICATE_ARN.test(arn)) {
    throw new Error(
      `Context "mediaCertificateArn" must be the ARN of an ACM certificate in us-east-1 (the only region ` +
        `CloudFront takes certificates from), not ${JSON.stringify(certificateArn)}.`,
    );
  }
  return { name: domain, certificateArn: arn };
}

/** A web ACL for CloudFront: AWS WAF (v2), scope CLOUDFRONT (`global/`), which exists in us-east-1 only. */
const CLOUDFRONT_WEB_ACL_ARN = /^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]+\/[0-9a-f-]+$/;

function parseWaf(flag: boolean | undefined, webAclArn: unknown): WafChoice | undefined {
  if (webAclArn !== undefined) {
    const arn = String(webAclArn).trim();
    if (!CLOUDFRONT_WEB_ACL_ARN.test(arn)) {
      throw new Error(
        'Context "wafAclArn" must be the ARN of an AWS WAF web ACL for CloudFront, made in us-east-1 ' +
          `(arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>), not ${JSON.stringify(webAclArn)}.`,
      );
    }
    if (flag === false)
      throw new Error('Context "wafAclArn" attaches a web ACL: it cannot go with waf=false.');
    return { webAclArn: arn };
  }
  if (flag === undefined) return undefined;
  return flag ? 'create' : 'off';
}

function parseBoolean(name: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`Context "${name}" must be true or false, not ${JSON.stringify(value)}.`);
}

/** `-c quota.openUploads=5` and the like: the context name of each per-user limit. */
export const quotaContextName = (quota: (typeof USER_QUOTAS)[number]) => `quota.${quota}`;

function parseUserQuotas(node: Node): Partial<UserQuotaLimits> {
  const limits: Partial<UserQuotaLimits> = {};
  for (const quota of USER_QUOTAS) {
    const name = quotaContextName(quota);
    const limit = parseWholeNumber(name, node.tryGetContext(name), MAX_QUOTA_LIMIT);
    if (limit !== undefined) limits[quota] = limit;
  }
  return limits;
}

/**
 * Reads the settings from CDK context:
 * `-c stage=dev|prod` (default dev), `-c threatProtection=true|false`, `-c webAssets=<folder>`,
 * `-c corsOrigins=http://localhost:5173,…`, `-c uploadMaxBytes=<bytes>`, `-c originShieldRegion=<region>|off`,
 * `-c mediaDomain=media.example.com -c mediaCertificateArn=arn:aws:acm:us-east-1:…` (both or neither),
 * `-c quota.openUploads=<n> -c quota.uploadBytesInFlight=<bytes> -c quota.clipsPerHour=<n> -c quota.streamsPerHour=<n>`,
 * `-c waf=true|false` (default: on in prod), `-c wafAclArn=arn:aws:wafv2:us-east-1:…` (an existing web ACL),
 * `-c houseCreativeVideoId=<video id>` (the house ad creative).
 */
export function settingsFromContext(node: Node): SkycastSettings {
  const stage = node.tryGetContext('stage') ?? 'dev';
  if (!(STAGES as readonly string[]).includes(stage)) {
    throw new Error(`Context "stage" must be one of ${STAGES.join(', ')}, not ${JSON.stringify(stage)}.`);
  }
  const overrides: Partial<SkycastSettings> = {};
  const threatProtection = parseBoolean('threatProtection', node.tryGetContext('threatProtection'));
  if (threatProtection !== undefined) overrides.threatProtection = threatProtection;
  const webAssets = node.tryGetContext('webAssets');
  if (webAssets !== undefined) {
    const folder = existingFolder(String(webAssets));
    if (!folder) throw new Error(`Context "webAssets": no folder at ${webAssets}.`);
    overrides.webAssetsPath = folder;
  }
  const corsOrigins = node.tryGetContext('corsOrigins');
  if (corsOrigins !== undefined) {
    overrides.extraCorsOrigins = String(corsOrigins)
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean)
      .map(checkOrigin);
  }
  // The upload functions refuse a limit they cannot plan parts for at init; refusing it here fails sooner.
  const uploadMaxBytes = parseWholeNumber(
    'uploadMaxBytes',
    node.tryGetContext('uploadMaxBytes'),
    MAX_PLANNABLE_BYTES,
  );
  if (uploadMaxBytes !== undefined) overrides.uploadMaxBytes = uploadMaxBytes;
  const userQuotas = parseUserQuotas(node);
  if (Object.keys(userQuotas).length > 0) overrides.userQuotas = userQuotas;
  const houseCreative = node.tryGetContext('houseCreativeVideoId');
  if (houseCreative !== undefined) {
    const id = String(houseCreative);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id))
      throw new Error(
        `Context "houseCreativeVideoId" must be a video id (1–64 letters, digits, - or _), not ${JSON.stringify(id)}.`,
      );
    overrides.houseCreativeVideoId = id;
  }
  const originShieldRegion = parseOriginShieldRegion(node.tryGetContext('originShieldRegion'));
  if (originShieldRegion !== undefined) overrides.originShieldRegion = originShieldRegion;
  const mediaDomain = parseMediaDomain(
    node.tryGetContext('mediaDomain'),
    node.tryGetContext('mediaCertificateArn'),
  );
  if (mediaDomain) overrides.mediaDomain = mediaDomain;
  const waf = parseWaf(parseBoolean('waf', node.tryGetContext('waf')), node.tryGetContext('wafAclArn'));
  if (waf !== undefined) overrides.waf = waf;
  return settingsFor(stage as Stage, overrides);
}
