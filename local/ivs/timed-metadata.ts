/**
 * In-band metadata in live segments, as IVS puts what PutMetadata sends into its streams: each payload becomes
 * an ID3v2.4 tag with one TXXX frame, carried in a PES packet of an MPEG-TS elementary stream of type 0x15
 * (metadata in PES, with the `ID3 ` metadata descriptor), timed by its PTS. Players read it from there: hls.js
 * fires its ID3 metadata cues (FRAG_PARSING_METADATA) at that moment of the video, as the IVS player raises a
 * TextMetadataCue in the cloud.
 *
 * `injectTimedMetadata` rewrites one segment: the PMT gains the metadata stream, and each cue's PES goes in
 * right after the first PMT, its PTS the segment's first video PTS plus the cue's offset.
 */

const PACKET = 188;
const SYNC = 0x47;
const PTS_MODULO = 2 ** 33;
/** The metadata stream's PID: clear of what ffmpeg's muxer uses (PMT 0x1000, streams from 0x100). */
export const METADATA_PID = 0x1f0;
const METADATA_STREAM_TYPE = 0x15;
const H264_STREAM_TYPE = 0x1b;
/** private_stream_1, as Apple's timed-metadata spec (and IVS) carry ID3 in. */
const METADATA_STREAM_ID = 0xbd;
/** metadata_descriptor: application format 0xFFFF, `ID3 `, format 0xFF, `ID3 `, service 0, no decoder config. */
const METADATA_DESCRIPTOR = Buffer.from([
  0x26, 0x0d, 0xff, 0xff, 0x49, 0x44, 0x33, 0x20, 0xff, 0x49, 0x44, 0x33, 0x20, 0x00, 0x0f,
]);

/** An ID3v2 size: 28 bits in four bytes of seven. */
function syncSafe(size: number): Buffer {
  return Buffer.from([(size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f]);
}

/** An ID3v2.4 tag with one TXXX frame: UTF-8, an empty description, the payload as its value. */
export function id3Tag(payload: string): Buffer {
  const value = Buffer.from(payload, 'utf8');
  // encoding (3 = UTF-8), description "" and its terminator, then the value.
  const frameBody = Buffer.concat([Buffer.from([0x03, 0x00]), value]);
  const frame = Buffer.concat([
    Buffer.from('TXXX', 'latin1'),
    syncSafe(frameBody.length),
    Buffer.from([0, 0]),
    frameBody,
  ]);
  return Buffer.concat([
    Buffer.from('ID3', 'latin1'),
    Buffer.from([0x04, 0x00, 0x00]),
    syncSafe(frame.length),
    frame,
  ]);
}

/** MPEG-2's CRC-32 of PSI sections (polynomial 0x04C11DB7, not reflected, initial all ones). */
function crc32Mpeg(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}

const pidOf = (ts: Buffer, at: number) => ((ts.readUInt8(at + 1) & 0x1f) << 8) | ts.readUInt8(at + 2);
const startsUnit = (ts: Buffer, at: number) => (ts.readUInt8(at + 1) & 0x40) !== 0;

/** Where a packet's payload starts, past the header and any adaptation field; undefined when it has none. */
function payloadStart(ts: Buffer, at: number): number | undefined {
  const control = (ts.readUInt8(at + 3) >> 4) & 0x03;
  if (control === 0 || control === 2) return undefined;
  const start = control === 3 ? at + 5 + ts.readUInt8(at + 4) : at + 4;
  return start < at + PACKET ? start : undefined;
}

/** A PSI section that starts in this packet (after its pointer field), if it fits in the packet. */
function sectionIn(ts: Buffer, at: number): { start: number; length: number } | undefined {
  const payload = payloadStart(ts, at);
  if (payload === undefined || !startsUnit(ts, at)) return undefined;
  const start = payload + 1 + ts.readUInt8(payload);
  const length = 3 + (((ts.readUInt8(start + 1) & 0x0f) << 8) | ts.readUInt8(start + 2));
  return start + length <= at + PACKET ? { start, length } : undefined;
}

function readPts(bytes: Buffer, at: number): number {
  return (
    (bytes.readUInt8(at) & 0x0e) * 2 ** 29 +
    bytes.readUInt8(at + 1) * 2 ** 22 +
    (bytes.readUInt8(at + 2) & 0xfe) * 2 ** 14 +
    bytes.readUInt8(at + 3) * 2 ** 7 +
    (bytes.readUInt8(at + 4) & 0xfe) / 2
  );
}

function writePts(pts: number): Buffer {
  const value = ((pts % PTS_MODULO) + PTS_MODULO) % PTS_MODULO;
  const high = Math.floor(value / 2 ** 30);
  const middle = Math.floor(value / 2 ** 15) & 0x7fff;
  const low = value & 0x7fff;
  return Buffer.from([
    0x20 | (high << 1) | 1,
    middle >> 7,
    ((middle & 0x7f) << 1) | 1,
    low >> 7,
    ((low & 0x7f) << 1) | 1,
  ]);
}

/** The PMT with the metadata stream added (or as it is, if it has it already), in one packet. */
function pmtWithMetadata(ts: Buffer, at: number): Buffer | undefined {
  const section = sectionIn(ts, at);
  if (!section) return undefined;
  const { start, length } = section;
  const programInfoLength = ((ts.readUInt8(start + 10) & 0x0f) << 8) | ts.readUInt8(start + 11);
  let entry = start + 12 + programInfoLength;
  const entriesEnd = start + length - 4;
  while (entry < entriesEnd) {
    if (pidOf(ts, entry) === METADATA_PID) return undefined;
    entry += 5 + (((ts.readUInt8(entry + 3) & 0x0f) << 8) | ts.readUInt8(entry + 4));
  }
  const added = Buffer.concat([
    Buffer.from([
      METADATA_STREAM_TYPE,
      0xe0 | (METADATA_PID >> 8),
      METADATA_PID & 0xff,
      0xf0 | (METADATA_DESCRIPTOR.length >> 8),
      METADATA_DESCRIPTOR.length & 0xff,
    ]),
    METADATA_DESCRIPTOR,
  ]);
  const body = Buffer.concat([ts.subarray(start, entriesEnd), added]);
  const sectionLength = body.length - 3 + 4;
  body[1] = (body.readUInt8(1) & 0xf0) | ((sectionLength >> 8) & 0x0f);
  body[2] = sectionLength & 0xff;
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32Mpeg(body));
  const header = ts.subarray(at, start);
  const packet = Buffer.alloc(PACKET, 0xff);
  const written = Buffer.concat([header, body, crc]);
  if (written.length > PACKET) return undefined;
  written.copy(packet);
  return packet;
}

/** One PES of the metadata stream, cut into TS packets (the last one stuffed through its adaptation field). */
function metadataPackets(tag: Buffer, pts: number, continuity: { next: number }): Buffer[] {
  const header = Buffer.concat([
    Buffer.from([0x00, 0x00, 0x01, METADATA_STREAM_ID]),
    Buffer.alloc(2),
    // '10', data_alignment_indicator; PTS only; 5 bytes of header data.
    Buffer.from([0x84, 0x80, 0x05]),
    writePts(pts),
  ]);
  const pesLength = header.length - 6 + tag.length;
  header.writeUInt16BE(pesLength <= 0xffff ? pesLength : 0, 4);
  const pes = Buffer.concat([header, tag]);
  const packets: Buffer[] = [];
  for (let offset = 0; offset < pes.length; ) {
    const chunk = pes.subarray(offset, offset + 184);
    const packet = Buffer.alloc(PACKET, 0xff);
    packet[0] = SYNC;
    packet[1] = (offset === 0 ? 0x40 : 0x00) | (METADATA_PID >> 8);
    packet[2] = METADATA_PID & 0xff;
    const counter = continuity.next & 0x0f;
    continuity.next += 1;
    if (chunk.length === 184) {
      packet[3] = 0x10 | counter;
      chunk.copy(packet, 4);
    } else {
      packet[3] = 0x30 | counter;
      const adaptationLength = 183 - chunk.length;
      packet[4] = adaptationLength;
      if (adaptationLength > 0) packet[5] = 0x00;
      chunk.copy(packet, 5 + adaptationLength);
    }
    packets.push(packet);
    offset += chunk.length;
  }
  return packets;
}

/** A cue to put into a segment: seconds after the segment's first frame, and the payload. */
export interface SegmentCue {
  offsetSeconds: number;
  payload: string;
}

/**
 * The segment with the cues in it, or undefined when it cannot take them (not MPEG-TS as ffmpeg writes it: no
 * PAT, no single-packet PMT, no H.264 video with a PTS); the caller then serves it as it is.
 */
export function injectTimedMetadata(ts: Buffer, cues: readonly SegmentCue[]): Buffer | undefined {
  if (cues.length === 0 || ts.length % PACKET !== 0 || ts.length === 0) return undefined;
  let pmtPid: number | undefined;
  let videoPid: number | undefined;
  let firstPts: number | undefined;
  for (let at = 0; at < ts.length; at += PACKET) {
    if (ts.readUInt8(at) !== SYNC) return undefined;
    const pid = pidOf(ts, at);
    if (pid === 0 && pmtPid === undefined) {
      const pat = sectionIn(ts, at);
      if (pat) pmtPid = pidOf(ts, pat.start + 9);
    } else if (pid === pmtPid && videoPid === undefined) {
      const pmt = sectionIn(ts, at);
      if (!pmt) return undefined;
      const programInfoLength = ((ts.readUInt8(pmt.start + 10) & 0x0f) << 8) | ts.readUInt8(pmt.start + 11);
      for (let entry = pmt.start + 12 + programInfoLength; entry < pmt.start + pmt.length - 4; ) {
        if (ts.readUInt8(entry) === H264_STREAM_TYPE) videoPid = pidOf(ts, entry);
        entry += 5 + (((ts.readUInt8(entry + 3) & 0x0f) << 8) | ts.readUInt8(entry + 4));
      }
    } else if (pid === videoPid && startsUnit(ts, at)) {
      const payload = payloadStart(ts, at);
      if (
        payload !== undefined &&
        ts.readUIntBE(payload, 3) === 1 &&
        (ts.readUInt8(payload + 7) & 0x80) !== 0
      ) {
        const pts = readPts(ts, payload + 9);
        if (firstPts === undefined || pts < firstPts) firstPts = pts;
      }
    }
  }
  if (pmtPid === undefined || firstPts === undefined) return undefined;
  const continuity = { next: 0 };
  const base = firstPts;
  const cuePackets = [...cues]
    .sort((a, b) => a.offsetSeconds - b.offsetSeconds)
    .flatMap((cue) =>
      metadataPackets(
        id3Tag(cue.payload),
        base + Math.round(Math.max(0, cue.offsetSeconds) * 90_000),
        continuity,
      ),
    );
  const out: Buffer[] = [];
  let inserted = false;
  for (let at = 0; at < ts.length; at += PACKET) {
    const packet = ts.subarray(at, at + PACKET);
    if (pidOf(ts, at) === pmtPid && startsUnit(ts, at)) {
      const rewritten = pmtWithMetadata(ts, at);
      out.push(rewritten ?? packet);
      if (!inserted) {
        out.push(...cuePackets);
        inserted = true;
      }
      continue;
    }
    out.push(packet);
  }
  return inserted ? Buffer.concat(out) : undefined;
}
