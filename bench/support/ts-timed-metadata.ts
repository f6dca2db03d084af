/**
 * Reads what a player reads from an MPEG-TS segment's timed metadata, independently of the code that writes
 * it: the PAT names the PMT, the PMT names the video stream and any metadata stream (stream_type 0x15), each
 * metadata PES carries an ID3v2 tag at its PTS, and each TXXX frame of the tag is one payload.
 */

const PACKET = 188;
const SYNC = 0x47;

export interface TimedMetadataFrame {
  /** The PES's presentation time, in seconds (90 kHz clock). */
  ptsSeconds: number;
  payload: string;
}

function ptsOf(pes: Buffer): number | undefined {
  if (pes.length < 14 || pes[0] !== 0 || pes[1] !== 0 || pes[2] !== 1) return undefined;
  const flags = pes[7] as number;
  if ((flags & 0x80) === 0) return undefined;
  const b = pes.subarray(9, 14);
  const pts =
    ((b[0] as number) & 0x0e) * 2 ** 29 +
    (b[1] as number) * 2 ** 22 +
    (((b[2] as number) & 0xfe) >> 1) * 2 ** 15 +
    (b[3] as number) * 2 ** 7 +
    ((b[4] as number) >> 1);
  return pts / 90_000;
}

const syncsafe = (bytes: Buffer, at: number) =>
  ((bytes[at] as number) << 21) |
  ((bytes[at + 1] as number) << 14) |
  ((bytes[at + 2] as number) << 7) |
  (bytes[at + 3] as number);

/** The TXXX values of an ID3v2.3/2.4 tag. */
export function id3TextFrames(tag: Buffer): string[] {
  if (tag.length < 10 || tag.toString('latin1', 0, 3) !== 'ID3') return [];
  const version = tag[3] as number;
  const end = Math.min(tag.length, 10 + syncsafe(tag, 6));
  const values: string[] = [];
  let at = 10;
  while (at + 10 <= end) {
    const id = tag.toString('latin1', at, at + 4);
    if (id === '\0\0\0\0') break;
    const size = version >= 4 ? syncsafe(tag, at + 4) : tag.readUInt32BE(at + 4);
    const body = tag.subarray(at + 10, at + 10 + size);
    at += 10 + size;
    if (id !== 'TXXX' || body.length < 2) continue;
    const encoding = body[0] as number;
    const text = body.subarray(1);
    // Description, a terminator, then the value; UTF-8 (3) and ISO-8859-1 (0) end the description with one zero.
    const terminator = text.indexOf(0);
    if (terminator < 0) continue;
    const value = text.subarray(terminator + 1);
    values.push(value.toString(encoding === 3 ? 'utf8' : 'latin1').replace(/\0+$/, ''));
  }
  return values;
}

/** The segment's first video PTS and every timed metadata payload in it, with its PTS. */
export function timedMetadata(segment: Buffer): {
  firstPtsSeconds: number | undefined;
  frames: TimedMetadataFrame[];
} {
  let pmtPid: number | undefined;
  let videoPid: number | undefined;
  const metadataPids = new Set<number>();
  const pes = new Map<number, Buffer[]>();
  const frames: TimedMetadataFrame[] = [];
  let firstPtsSeconds: number | undefined;

  const flush = (pid: number) => {
    const parts = pes.get(pid);
    pes.delete(pid);
    if (!parts) return;
    const packet = Buffer.concat(parts);
    const pts = ptsOf(packet);
    if (pts === undefined) return;
    const headerLength = 9 + (packet[8] as number);
    for (const payload of id3TextFrames(packet.subarray(headerLength)))
      frames.push({ ptsSeconds: pts, payload });
  };

  for (let at = 0; at + PACKET <= segment.length; at += PACKET) {
    if (segment[at] !== SYNC) continue;
    const start = ((segment[at + 1] as number) & 0x40) !== 0;
    const pid = (((segment[at + 1] as number) & 0x1f) << 8) | (segment[at + 2] as number);
    const adaptation = ((segment[at + 3] as number) >> 4) & 0x3;
    let offset = at + 4;
    if (adaptation === 2) continue;
    if (adaptation === 3) offset += 1 + (segment[offset] as number);
    const payload = segment.subarray(offset, at + PACKET);
    if (pid === 0 && start) {
      const table = payload.subarray(1 + (payload[0] as number));
      pmtPid = (((table[10] as number) & 0x1f) << 8) | (table[11] as number);
    } else if (pid === pmtPid && start) {
      const table = payload.subarray(1 + (payload[0] as number));
      const sectionLength = (((table[1] as number) & 0x0f) << 8) | (table[2] as number);
      const programInfo = (((table[10] as number) & 0x0f) << 8) | (table[11] as number);
      let entry = 12 + programInfo;
      const entriesEnd = 3 + sectionLength - 4;
      while (entry + 5 <= entriesEnd) {
        const type = table[entry] as number;
        const esPid = (((table[entry + 1] as number) & 0x1f) << 8) | (table[entry + 2] as number);
        const infoLength = (((table[entry + 3] as number) & 0x0f) << 8) | (table[entry + 4] as number);
        if (type === 0x1b || type === 0x24) videoPid ??= esPid;
        if (type === 0x15) metadataPids.add(esPid);
        entry += 5 + infoLength;
      }
    } else if (pid === videoPid) {
      // The PES header, with its PTS, is at the start of the packet that starts it.
      const pts = start ? ptsOf(Buffer.from(payload)) : undefined;
      if (pts !== undefined && (firstPtsSeconds === undefined || pts < firstPtsSeconds))
        firstPtsSeconds = pts;
    } else if (metadataPids.has(pid)) {
      if (start) flush(pid);
      const parts = pes.get(pid) ?? [];
      if (start || parts.length > 0) {
        parts.push(Buffer.from(payload));
        pes.set(pid, parts);
      }
    }
  }
  for (const pid of [...pes.keys()]) flush(pid);
  return { firstPtsSeconds, frames };
}
