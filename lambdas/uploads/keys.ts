/**
 * Where uploads live in the uploads bucket: `uploads/<ownerId>/<videoId>/source.<ext>`. The owner's id in
 * the key is what keeps one user's presigned URLs inside their own prefix; the pipeline reads the video id
 * back from the key of each S3 event.
 */
export const UPLOADS_PREFIX = 'uploads/';

/** File extensions we keep on the stored original (others are stored without one). */
const KNOWN_EXTENSIONS = new Set([
  'mp4',
  'm4v',
  'mov',
  'mkv',
  'webm',
  'avi',
  'ts',
  'm2ts',
  'mts',
  'mpg',
  'mpeg',
  'flv',
  'mxf',
  '3gp',
]);

export function uploadKey(ownerId: string, videoId: string, fileName: string): string {
  const extension = /\.([A-Za-z0-9]{1,5})$/.exec(fileName)?.[1]?.toLowerCase();
  const suffix = extension && KNOWN_EXTENSIONS.has(extension) ? `.${extension}` : '';
  return `${UPLOADS_PREFIX}${ownerId}/${videoId}/source${suffix}`;
}

/** The owner and video an uploads-bucket key belongs to, or undefined for a key that is not an upload. */
export function parseUploadKey(key: string): { ownerId: string; videoId: string } | undefined {
  const match = /^uploads\/([^/]+)\/([^/]+)\/source(\.[a-z0-9]{1,5})?$/.exec(key);
  if (!match?.[1] || !match[2]) return undefined;
  return { ownerId: match[1], videoId: match[2] };
}
