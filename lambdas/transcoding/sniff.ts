/**
 * Recognises a media container from a file's first bytes, so the submit function can refuse what is neither a
 * video nor an audio file before paying for a transcode, with a reason the uploader can act on. Audio files
 * (M4A is MP4; MP3, WAV, FLAC, Ogg) go on to become audio-only videos.
 */

export type ContainerFormat =
  | 'mp4'
  | 'quicktime'
  | 'matroska'
  | 'webm'
  | 'mpegts'
  | 'avi'
  | 'mpegps'
  | 'flv'
  | 'mxf'
  | 'mp3'
  | 'wav'
  | 'flac'
  | 'ogg';

export type SniffResult = { supported: true; format: ContainerFormat } | { supported: false; reason: string };

/** How many leading bytes `sniffContainer` wants; fewer work for most formats. */
export const SNIFF_BYTES = 4096;

const ascii = (bytes: Uint8Array, start: number, length: number) =>
  String.fromCharCode(...bytes.subarray(start, start + length));

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0) =>
  signature.every((byte, i) => bytes[offset + i] === byte);

/** Things people upload by mistake, so the refusal can say what the file looks like. */
const NOT_VIDEO: readonly { name: string; test: (b: Uint8Array) => boolean }[] = [
  { name: 'a PNG image', test: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47]) },
  { name: 'a JPEG image', test: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  { name: 'a GIF image', test: (b) => ascii(b, 0, 4) === 'GIF8' },
  { name: 'a PDF document', test: (b) => ascii(b, 0, 5) === '%PDF-' },
  { name: 'a ZIP archive', test: (b) => startsWith(b, [0x50, 0x4b, 0x03, 0x04]) },
];

/** What the refusal lists, so the uploader knows what to send instead. */
const ACCEPTED =
  'Upload a video (MP4, MOV, MKV, WebM, AVI or MPEG-TS) or audio (M4A, MP3, WAV, FLAC or Ogg).';

/**
 * MP3: an ID3v2 tag, or an MPEG audio frame header (11 sync bits, then a layer other than the reserved 00 that
 * ADTS AAC uses).
 */
function mpegAudio(bytes: Uint8Array): ContainerFormat | undefined {
  if (ascii(bytes, 0, 3) === 'ID3') return 'mp3';
  const second = bytes[1] ?? 0;
  const synced = bytes[0] === 0xff && (second & 0xe0) === 0xe0;
  return synced && (second & 0x06) !== 0 ? 'mp3' : undefined;
}

/** WAV, FLAC and Ogg (Opus, Vorbis or FLAC inside) by their signatures. */
function audioContainer(bytes: Uint8Array): ContainerFormat | undefined {
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WAVE') return 'wav';
  if (ascii(bytes, 0, 4) === 'fLaC') return 'flac';
  if (ascii(bytes, 0, 4) === 'OggS') return 'ogg';
  return mpegAudio(bytes);
}

/** ISO base media (MP4, MOV, 3GP…): a box header whose type is one a file may start with. */
function isoBaseMedia(bytes: Uint8Array): ContainerFormat | undefined {
  const type = ascii(bytes, 4, 4);
  if (type === 'ftyp') {
    const brand = ascii(bytes, 8, 4);
    if (brand === 'qt  ') return 'quicktime';
    return 'mp4';
  }
  // Older QuickTime files start with other top-level atoms.
  if (['moov', 'mdat', 'wide', 'free', 'skip'].includes(type)) return 'quicktime';
  return undefined;
}

/** Matroska and WebM share EBML; the DocType near the start tells them apart. */
function ebml(bytes: Uint8Array): ContainerFormat | undefined {
  if (!startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return undefined;
  return ascii(bytes, 0, Math.min(bytes.length, 64)).includes('webm') ? 'webm' : 'matroska';
}

/** MPEG transport stream: a 0x47 sync byte every 188 bytes (192 for M2TS with timecodes). */
function transportStream(bytes: Uint8Array): ContainerFormat | undefined {
  for (const [packet, offset] of [
    [188, 0],
    [192, 4],
  ] as const) {
    const packets = Math.floor((bytes.length - offset) / packet);
    if (packets < 3) continue;
    let synced = true;
    for (let i = 0; i < Math.min(packets, 8) && synced; i++) synced = bytes[offset + i * packet] === 0x47;
    if (synced) return 'mpegts';
  }
  return undefined;
}

/** The container a file's first bytes belong to, or why we will not transcode it. */
export function sniffContainer(bytes: Uint8Array): SniffResult {
  if (bytes.length === 0) return { supported: false, reason: 'The file is empty.' };
  if (bytes.length < 12) return { supported: false, reason: 'The file is too short to be a video.' };

  const format =
    isoBaseMedia(bytes) ??
    ebml(bytes) ??
    transportStream(bytes) ??
    (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'AVI ' ? 'avi' : undefined) ??
    (startsWith(bytes, [0x00, 0x00, 0x01, 0xba]) ? 'mpegps' : undefined) ??
    (ascii(bytes, 0, 3) === 'FLV' ? 'flv' : undefined) ??
    (startsWith(bytes, [0x06, 0x0e, 0x2b, 0x34, 0x02, 0x05, 0x01, 0x01]) ? 'mxf' : undefined) ??
    audioContainer(bytes);
  if (format) return { supported: true, format };

  const lookalike = NOT_VIDEO.find((kind) => kind.test(bytes));
  return {
    supported: false,
    reason: lookalike
      ? `This looks like ${lookalike.name}, not a video or audio file. ${ACCEPTED}`
      : `This is not a video format we recognise, nor an audio one. ${ACCEPTED}`,
  };
}
