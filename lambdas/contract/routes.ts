import { type FunctionAccess, STREAM_KEY_READ } from './access.ts';
import * as accounts from './accounts.ts';
import * as catalog from './catalog.ts';
import * as clips from './clips.ts';
import * as interactivity from './interactivity.ts';
import * as live from './live.ts';
import type { Operation } from './operation.ts';
import * as uploads from './uploads.ts';

/** One HTTP API route: an operation and the handler module that serves it. */
export interface Route {
  operation: Operation;
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  access: FunctionAccess;
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
    access: {
      catalog: 'readWrite',
      buckets: { uploads: ['write'] },
      quotas: ['openUploads', 'uploadBytesInFlight'],
    },
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
      quotas: ['clipsPerHour'],
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
      quotas: ['streamsPerHour'],
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
  {
    operation: interactivity.sendReaction,
    entry: 'lambdas/interactivity/send-reaction.ts',
    // Counts and the per-viewer limit live in the catalog; the broadcast goes through the reactions queue.
    access: { catalog: 'readWrite', sendTo: ['reaction-broadcast'] },
  },
  {
    operation: interactivity.postAnnouncement,
    entry: 'lambdas/interactivity/post-announcement.ts',
    // In-band first (PutMetadata), then kept on the stream for viewers who join while it lasts.
    access: { catalog: 'readWrite', ivs: ['ivs:PutMetadata'] },
  },
  {
    operation: interactivity.scheduleAdBreak,
    entry: 'lambdas/interactivity/schedule-ad-break.ts',
    // The catalog: the stream, the creative (a video), the break kept for viewers who join while it plays.
    access: {
      catalog: 'readWrite',
      ivs: ['ivs:PutMetadata'],
      houseCreative: 'read',
      schedules: ['ad-break-start'],
    },
  },
];

/** `GET /me` → `GET /me`; API Gateway's route key, also used as a stable id for the route's function. */
export function routeKey(route: Route): string {
  return `${route.operation.method} ${route.operation.path}`;
}
