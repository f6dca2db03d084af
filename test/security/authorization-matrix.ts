/**
 * The authorization matrix: for every operation of the route table, the status each caller gets for each
 * target. Callers are judged relative to the target:
 *
 * - `owner`: the target's owner, signed in;
 * - `other`: another signed-in user;
 * - `anonymous`: no Authorization header — the gateway's JWT authorizer answers 401 before any handler;
 * - `signedOut`: the owner's token from a session ended with GlobalSignOut. It still passes the authorizer
 *   (its signature and expiry are fine), so the handler must ask Cognito: routes that change things or hand
 *   out credentials (playback cookies, signed poster URLs, playback tokens, stream keys, upload URLs) answer 401.
 *
 * Targets, by the kind of row:
 * - `videos`: A's public, unlisted and private videos, and B's clip of a source that turned private;
 * - `clips`: A's public, unlisted and private clips (of a public video), and B's clip of a private source;
 * - `uploads`: A's uploads in progress, public, unlisted and private (fresh for each row), and B's clip of a
 *   private source (a READY video, not an upload);
 * - `streams`: A's public stream and B's private stream;
 * - `none`: the operation names no target; the owner is A.
 *
 * Another user's private things answer 404, never 403 (nobody learns they exist). A video another user may
 * see (public, unlisted) but not change answers 403 to a change or a delete: it is no secret that it exists.
 * Uploads and streams are only ever their owner's: another user gets 404.
 */

export type Caller = 'owner' | 'other' | 'anonymous' | 'signedOut';
export const CALLERS: readonly Caller[] = ['owner', 'other', 'anonymous', 'signedOut'];

export const TARGETS = {
  videos: ['public', 'unlisted', 'private', 'clipOfPrivate'],
  clips: ['public', 'unlisted', 'private', 'clipOfPrivate'],
  uploads: ['public', 'unlisted', 'private', 'clipOfPrivate'],
  streams: ['public', 'private'],
  none: ['none'],
} as const;
export type TargetKind = keyof typeof TARGETS;

/** One operation's row: its kind of target, and per caller the statuses in the order of `TARGETS[kind]`. */
export interface MatrixRow {
  targets: TargetKind;
  expect: Record<Caller, readonly number[]>;
  /** Changes its target for good (deletes it): the matrix runs this row after every other. */
  destroys?: true;
}

const UNAUTHORIZED_4 = [401, 401, 401, 401];
const NOT_FOUND_4 = [404, 404, 404, 404];

export const MATRIX: Record<string, MatrixRow> = {
  getMe: { targets: 'none', expect: { owner: [200], other: [200], anonymous: [401], signedOut: [200] } },
  updatePreferences: {
    targets: 'none',
    expect: { owner: [200], other: [200], anonymous: [401], signedOut: [401] },
  },
  createUpload: {
    targets: 'none',
    expect: { owner: [201], other: [201], anonymous: [401], signedOut: [401] },
  },
  listUploadParts: {
    targets: 'uploads',
    // Hands out presigned part URLs: owner only. A READY video is no upload in progress: 409.
    expect: {
      owner: [200, 200, 200, 409],
      other: NOT_FOUND_4,
      anonymous: UNAUTHORIZED_4,
      signedOut: UNAUTHORIZED_4,
    },
  },
  completeUpload: {
    targets: 'uploads',
    // No part arrived, so the owner learns which are missing (400 UPLOAD_INCOMPLETE). Completing a video that
    // is past its upload (here a READY clip) answers it as it is, so a retried complete is harmless.
    expect: {
      owner: [400, 400, 400, 200],
      other: NOT_FOUND_4,
      anonymous: UNAUTHORIZED_4,
      signedOut: UNAUTHORIZED_4,
    },
  },
  abortUpload: {
    targets: 'uploads',
    expect: {
      owner: [204, 204, 204, 409],
      other: NOT_FOUND_4,
      anonymous: UNAUTHORIZED_4,
      signedOut: UNAUTHORIZED_4,
    },
  },
  listVideos: {
    targets: 'none',
    // Signs a poster URL for each READY video listed: a playback credential.
    expect: { owner: [200], other: [200], anonymous: [401], signedOut: [401] },
  },
  getVideo: {
    targets: 'videos',
    expect: {
      owner: [200, 200, 200, 200],
      other: [200, 200, 404, 404],
      anonymous: UNAUTHORIZED_4,
      signedOut: UNAUTHORIZED_4,
    },
  },
  updateVideo: {
    targets: 'videos',
    expect: {
      owner: [200, 200, 200, 200],
      other: [403, 403, 404, 404],
      anonymous: UNAUTHORIZED_4,
      signedOut: UNAUTHORIZED_4,
    },
  },
  deleteVideo: {
    targets: 'videos',
    destroys: true,
    expect: {
      owner: [204, 204, 204, 204],
      other: [403, 403, 404, 404],
      anonymous: UNAUTHORIZED_4,
      signedOut: UNAUTHORIZED_4,
    },
  },
  createClip: {
    targets: 'videos',
    // Anyone who may watch a video may clip it; a clip of a clip is refused (400 CLIP_OF_CLIP).
    expect: {
      owner: [201, 201, 201, 400],
      other: [201, 201, 404, 404],
      anonymous: UNAUTHORIZED_4,
      signedOut: UNAUTHORIZED_4,
    },
  },
  getClip: {
    targets: 'clips',
    expect: {
      owner: [200, 200, 200, 200],
      other: [200, 200, 404, 404],
      anonymous: UNAUTHORIZED_4,
      signedOut: UNAUTHORIZED_4,
    },
  },
  startStream: {
    targets: 'none',
    expect: { owner: [200], other: [200], anonymous: [401], signedOut: [401] },
  },
  getStreamKey: {
    targets: 'streams',
    expect: { owner: [200, 200], other: [404, 404], anonymous: [401, 401], signedOut: [401, 401] },
  },
  rotateStreamKey: {
    targets: 'streams',
    expect: { owner: [200, 200], other: [404, 404], anonymous: [401, 401], signedOut: [401, 401] },
  },
  endStream: {
    targets: 'streams',
    // Ending a stream that is not live does nothing, for its owner.
    expect: { owner: [204, 204], other: [404, 404], anonymous: [401, 401], signedOut: [401, 401] },
  },
  watchStream: {
    targets: 'streams',
    // A private stream comes with a playback token: the route checks revocation for every stream.
    expect: { owner: [200, 200], other: [200, 404], anonymous: [401, 401], signedOut: [401, 401] },
  },
  // The matrix's streams are offline: whoever may watch one is told it is not live (409).
  sendReaction: {
    targets: 'streams',
    // No revocation check: a reaction is no credential, is limited per viewer, and one per request would be a
    // Cognito GetUser call per tap of a whole audience; a signed-out token still lapses within its hour.
    expect: { owner: [409, 409], other: [409, 404], anonymous: [401, 401], signedOut: [409, 409] },
  },
  postAnnouncement: {
    targets: 'streams',
    // Owner only: a viewer of a public stream is refused (403), a private stream's id reveals nothing (404).
    expect: { owner: [409, 409], other: [403, 404], anonymous: [401, 401], signedOut: [401, 401] },
  },
  scheduleAdBreak: {
    targets: 'streams',
    // Owner only, checked before the creative: offline streams answer 409 to their owner.
    expect: { owner: [409, 409], other: [403, 404], anonymous: [401, 401], signedOut: [401, 401] },
  },
  listStreams: {
    targets: 'none',
    // Public streams only, whose playback URLs need no token.
    expect: { owner: [200], other: [200], anonymous: [401], signedOut: [200] },
  },
};
