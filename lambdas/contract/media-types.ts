/**
 * Which files `createUpload` accepts: anything the browser calls `video/*`, or a file whose extension is a
 * video container we know, whatever type the browser guessed (often none, or `application/octet-stream`).
 * What is really inside is checked later, from the file's first bytes, by the submit function.
 */

/** Known video file extensions and the content type the original is stored with when the client's is not video/*. */
export const VIDEO_EXTENSIONS: Readonly<Record<string, string>> = {
  mp4: 'video/mp4',
  m4v: 'video/x-m4v',
  mov: 'video/quicktime',
  mkv: 'video/x-matroska',
  webm: 'video/webm',
  avi: 'video/x-msvideo',
  ts: 'video/mp2t',
  m2ts: 'video/mp2t',
  mts: 'video/mp2t',
  mpg: 'video/mpeg',
  mpeg: 'video/mpeg',
  flv: 'video/x-flv',
  mxf: 'application/mxf',
  '3gp': 'video/3gpp',
};

/** Said in the 415 answer, so a person knows what to send instead. */
export const ACCEPTED_MEDIA = {
  contentTypes: ['video/*'],
  extensions: Object.keys(VIDEO_EXTENSIONS).map((extension) => `.${extension}`),
} as const;

/** `type/subtype` as RFC 9110 spells a media type, parameters allowed after it. */
const MEDIA_TYPE = /^([a-z0-9!#$&^_.+-]+)\/([a-z0-9!#$&^_.+-]+)\s*(;.*)?$/i;

export function fileExtension(fileName: string): string | undefined {
  return /\.([A-Za-z0-9]{1,5})$/.exec(fileName)?.[1]?.toLowerCase();
}

/**
 * The content type to store the original with, or undefined when the file is not one we accept.
 * A `video/*` type from the client is kept (without parameters, lower-cased); otherwise a known extension
 * decides.
 */
export function acceptedVideoContentType(fileName: string, contentType: string): string | undefined {
  const match = MEDIA_TYPE.exec(contentType.trim());
  if (match?.[1]?.toLowerCase() === 'video') return `video/${match[2]?.toLowerCase()}`;
  const extension = fileExtension(fileName);
  return extension ? VIDEO_EXTENSIONS[extension] : undefined;
}
