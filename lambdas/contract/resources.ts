/**
 * Stateful resources described once, as data: the CDK constructs build them from these definitions and the
 * local platform creates the same ones in its emulators, so the two cannot drift apart.
 */

export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface TableDefinition {
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  globalIndexes: readonly { name: string; partitionKey: KeyAttribute; sortKey?: KeyAttribute }[];
  /** Attribute DynamoDB deletes items by when its epoch-seconds value has passed. */
  timeToLiveAttribute?: string;
}

/**
 * The catalog: one table for profiles, streams, videos, clips and views, keyed `pk`/`sk` with two
 * overloaded indexes for the listings (by owner; by visibility and time).
 */
export const catalogTable: TableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalIndexes: [
    { name: 'gsi1', partitionKey: { name: 'gsi1pk', type: 'S' }, sortKey: { name: 'gsi1sk', type: 'S' } },
    { name: 'gsi2', partitionKey: { name: 'gsi2pk', type: 'S' }, sortKey: { name: 'gsi2sk', type: 'S' } },
  ],
  timeToLiveAttribute: 'expiresAt',
};

/** The S3 buckets, by role (ENV.buckets names the variable through which functions receive each name). */
export const buckets = {
  uploads: { description: 'Originals as creators upload them' },
  media: { description: 'Transcoded renditions, posters, thumbnails, clips' },
  recordings: { description: 'Live streams as IVS records them' },
} as const;

export type BucketRole = keyof typeof buckets;

/**
 * CORS of the uploads bucket: browsers PUT the parts of a multipart upload straight to presigned URLs and need
 * each part's ETag back. Only the web app's own origins may (and a dev server's, if one is configured): the
 * signature in the URL is the authorization, and CORS keeps other sites' pages from driving it with a URL they
 * got hold of. The CDK app sets this rule with the web app's URL; the local platform with its own origin.
 */
export const uploadsCors = {
  allowedMethods: ['PUT'],
  allowedHeaders: ['*'],
  exposedHeaders: ['ETag'],
  maxAgeSeconds: 3600,
} as const;

/** Multipart uploads left unfinished this long are aborted by lifecycle rules. */
export const ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS = 7;

/** The user pool's sign-up and password rules, shared by Cognito in AWS and the local emulator. */
export const userPoolPolicy = {
  signInWith: 'email',
  password: {
    minLength: 12,
    requireLowercase: true,
    requireUppercase: true,
    requireDigits: true,
    requireSymbols: true,
    temporaryPasswordValidityDays: 3,
  },
  /** Access and ID tokens live this long; refresh tokens much longer. */
  accessTokenValidityMinutes: 60,
  idTokenValidityMinutes: 60,
  refreshTokenValidityDays: 30,
  /** The web app signs in with these flows (SRP is available for clients that implement it). */
  authFlows: ['USER_PASSWORD_AUTH', 'USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH'],
} as const;
