/**
 * Which files `createUpload` accepts: anything the browser calls `video/*` or `audio/*`, or a file whose
 * extension is a video or audio container we know, whatever type the browser guessed (often none, or
 * `application/octet-stream`). What is really inside is checked later, from the file's first bytes, by the
 * submit function; an audio file becomes an audio-only video.
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

/**
 * Known audio file extensions and the content type the original is stored with when the client's type is
 * neither video/* nor audio/*: the containers MediaConvert reads for audio-only jobs (its Probe names them
 * mp4, mp3, wave, flac and ogg) and the local emulator transcodes.
 */
export const AUDIO_EXTENSIONS: Readonly<Record<string, string>> = {
  m4a: 'audio/mp4',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
};

const KNOWN_EXTENSIONS: Readonly<Record<string, string>> = { ...VIDEO_EXTENSIONS, ...AUDIO_EXTENSIONS };

/** Said in the 415 answer, so a person knows what to send instead; the upload pickers offer the same. */
export const ACCEPTED_MEDIA = {
  contentTypes: ['video/*', 'audio/*'],
  extensions: Object.keys(KNOWN_EXTENSIONS).map((extension) => `.${extension}`),
} as const;

/** `type/subtype` as RFC 9110 spells a media type, parameters allowed after it. */
const MEDIA_TYPE = /^([a-z0-9!#$&^_.+-]+)\/([a-z0-9!#$&^_.+-]+)\s*(;.*)?$/i;

export function fileExtension(fileName: string): string | undefined {
  return /\.([A-Za-z0-9]{1,5})$/.exec(fileName)?.[1]?.toLowerCase();
}

/**
 * The content type to store the original with, or undefined when the file is not one we accept.
 * A `video/*` or `audio/*` type from the client is kept (without parameters, lower-cased); otherwise a known
 * extension decides.
 */
export function acceptedMediaContentType(fileName: string, contentType: string): string | undefined {
  const match = MEDIA_TYPE.exec(contentType.trim());
  const type = match?.[1]?.toLowerCase();
  if (type === 'video' || type === 'audio') return `${type}/${match?.[2]?.toLowerCase()}`;
  const extension = fileExtension(fileName);
  return extension ? KNOWN_EXTENSIONS[extension] : undefined;
}
