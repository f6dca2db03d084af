import * as accounts from '../../lambdas/accounts/operations.ts';
import * as catalog from '../../lambdas/catalog/operations.ts';
import * as clips from '../../lambdas/clips/operations.ts';
import * as live from '../../lambdas/live/operations.ts';
import type { Operation } from '../../lambdas/shared/operation.ts';
import * as uploads from '../../lambdas/uploads/operations.ts';
import type { BucketRole } from './resources.ts';

/**
 * What a bucket grant allows: `read` gets objects; `write` puts objects and drives multipart uploads
 * (create, presign parts, list parts, complete, abort); `delete` removes objects. The CDK app turns each
 * into the matching IAM actions and passes the bucket name in the bucket's environment variable.
 */
export type BucketAccess = 'read' | 'write' | 'delete';

/** What a route's function may touch; the CDK app turns it into IAM grants and environment variables. */
export interface RouteAccess {
  /** The catalog table. */
  catalog?: 'read' | 'readWrite';
  /** Look users up in the user pool (AdminGetUser). */
  userPool?: 'read';
  /** S3 buckets by role, each with the kinds of access the function needs. */
  buckets?: Partial<Record<BucketRole, readonly BucketAccess[]>>;
  /**
   * Sign CloudFront playback cookies for media: read the media signing key's secret, know its key pair id and
   * the media URL.
   */
  mediaCookies?: 'sign';
  /**
   * IVS actions the function calls on the application's channels and stream keys; the function also gets the
   * live settings (application name, recording configuration, playback key secret) in its environment.
   */
  ivs?: readonly IvsAction[];
  /** Sign private IVS channels' ES384 playback tokens with the live playback key (read from its secret). */
  liveTokens?: 'sign';
}

/** The IVS actions the live functions call; the CDK app scopes each to the resources IVS lets it. */
export type IvsAction =
  | 'ivs:CreateChannel'
  | 'ivs:GetChannel'
  | 'ivs:ListChannels'
  | 'ivs:UpdateChannel'
  | 'ivs:DeleteChannel'
  | 'ivs:CreateStreamKey'
  | 'ivs:GetStreamKey'
  | 'ivs:ListStreamKeys'
  | 'ivs:DeleteStreamKey'
  | 'ivs:GetStream'
  | 'ivs:StopStream';

/** What reading or creating a channel's stream key takes (one is created when a rotation stopped half-way). */
const STREAM_KEY_READ: readonly IvsAction[] = [
  'ivs:ListStreamKeys',
  'ivs:GetStreamKey',
  'ivs:CreateStreamKey',
];

/** One HTTP API route: an operation and the handler module that serves it. */
export interface Route {
  operation: Operation;
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  access: RouteAccess;
}

/**
 * The route table. The CDK HTTP API and the local platform's API server both mount exactly these routes,
 * so the two cannot drift apart.
 */
export const routes: readonly Route[] = [
  {
    operation: accounts.getMe,
    entry: 'lambdas/accounts/get-me.ts',
    access: { catalog: 'readWrite', userPool: 'read' },
  },
  {
    operation: accounts.updatePreferences,
    entry: 'lambdas/accounts/update-preferences.ts',
    access: { catalog: 'readWrite', userPool: 'read' },
  },
  {
    operation: uploads.createUpload,
    entry: 'lambdas/uploads/create-upload.ts',
    access: { catalog: 'readWrite', buckets: { uploads: ['write'] } },
  },
  {
    operation: uploads.listUploadParts,
    entry: 'lambdas/uploads/list-upload-parts.ts',
    // `read` for HeadObject: an upload S3 no longer knows may have completed (see settleVanishedUpload).
    access: { catalog: 'readWrite', buckets: { uploads: ['read', 'write'] } },
  },
  {
    operation: uploads.completeUpload,
    entry: 'lambdas/uploads/complete-upload.ts',
    access: { catalog: 'readWrite', buckets: { uploads: ['read', 'write'] } },
  },
  {
    operation: uploads.abortUpload,
    entry: 'lambdas/uploads/abort-upload.ts',
    access: { catalog: 'readWrite', buckets: { uploads: ['read', 'write'] } },
  },
  {
    operation: catalog.listVideos,
    entry: 'lambdas/catalog/list-videos.ts',
    // Signs a URL for each listed READY video's poster.
    access: { catalog: 'read', mediaCookies: 'sign' },
  },
  {
    operation: catalog.getVideo,
    entry: 'lambdas/catalog/get-video.ts',
    access: { catalog: 'read', mediaCookies: 'sign' },
  },
  {
    operation: catalog.updateVideo,
    entry: 'lambdas/catalog/update-video.ts',
    access: { catalog: 'readWrite' },
  },
  {
    operation: catalog.deleteVideo,
    entry: 'lambdas/catalog/delete-video.ts',
    // Media: everything under the video's prefix goes. Uploads: abort an open upload (`write`), delete the original.
    // Recordings: a video made from a live recording takes the recording with it.
    access: {
      catalog: 'readWrite',
      buckets: { media: ['delete'], uploads: ['write', 'delete'], recordings: ['delete'] },
    },
  },
  {
    operation: clips.createClip,
    entry: 'lambdas/clips/create-clip.ts',
    // Reads the source's playlists to check the clip can be cut from every rendition.
    access: {
      catalog: 'readWrite',
      buckets: { media: ['read'], recordings: ['read'] },
      mediaCookies: 'sign',
    },
  },
  {
    operation: clips.getClip,
    entry: 'lambdas/clips/get-clip.ts',
    access: { catalog: 'read', mediaCookies: 'sign' },
  },
  {
    operation: live.startStream,
    entry: 'lambdas/live/start-stream.ts',
    access: {
      catalog: 'readWrite',
      ivs: [
        'ivs:CreateChannel',
        'ivs:ListChannels',
        'ivs:GetChannel',
        'ivs:UpdateChannel',
        'ivs:DeleteChannel',
        'ivs:GetStream',
        ...STREAM_KEY_READ,
      ],
      liveTokens: 'sign',
    },
  },
  {
    operation: live.getStreamKey,
    entry: 'lambdas/live/get-stream-key.ts',
    access: { catalog: 'read', ivs: STREAM_KEY_READ },
  },
  {
    operation: live.rotateStreamKey,
    entry: 'lambdas/live/rotate-stream-key.ts',
    access: {
      catalog: 'read',
      ivs: ['ivs:ListStreamKeys', 'ivs:DeleteStreamKey', 'ivs:StopStream', 'ivs:CreateStreamKey'],
    },
  },
  {
    operation: live.endStream,
    entry: 'lambdas/live/end-stream.ts',
    access: { catalog: 'read', ivs: ['ivs:StopStream'] },
  },
  {
    operation: live.watchStream,
    entry: 'lambdas/live/watch-stream.ts',
    access: { catalog: 'read', ivs: ['ivs:GetStream'], liveTokens: 'sign' },
  },
  {
    operation: live.listStreams,
    entry: 'lambdas/live/list-streams.ts',
    access: { catalog: 'read', ivs: ['ivs:GetStream'] },
  },
];

/** `GET /me` → `GET /me`; API Gateway's route key, also used as a stable id for the route's function. */
export function routeKey(route: Route): string {
  return `${route.operation.method} ${route.operation.path}`;
}
