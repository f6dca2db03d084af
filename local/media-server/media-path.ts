/**
 * Which object a media path names: the path after the media mount, decoded once into an S3 key, refused when
 * it could name anything but itself.
 */

/** The object key a media path names, or why it names none. */
export type ResolvedPath = { key: string } | { status: 400 | 404; message: string };

/**
 * `/videos/a/hls/index.m3u8` (the path after the media mount, without query string) → its key. Decoded once;
 * empty, `.` and `..` segments, encoded slashes and backslashes, and control characters are refused: a key is
 * never anything but the path it was asked for.
 */
export function resolveMediaPath(path: string): ResolvedPath {
  if (path === '' || path === '/') return { status: 404, message: 'Name an object: /media/<key>.' };
  if (!path.startsWith('/')) return { status: 400, message: 'A media path starts with a slash.' };
  if (/%2f|%5c|%00|\\/i.test(path)) {
    return { status: 400, message: 'A media path has no encoded slashes, backslashes or NUL.' };
  }
  let key: string;
  try {
    key = decodeURIComponent(path.slice(1));
  } catch {
    return { status: 400, message: 'The media path is not valid percent-encoding.' };
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\u0000-\u001f\u007f]/.test(key))
    return { status: 400, message: 'A media path has no control characters.' };
  if (key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return { status: 400, message: 'A media path has no empty, "." or ".." segments.' };
  }
  return { key };
}
