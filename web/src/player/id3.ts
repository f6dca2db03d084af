/**
 * The text of the TXXX frames of an ID3v2 tag (v2.3 or v2.4), as IVS and the local IVS carry in-band metadata:
 * each PutMetadata payload is the value of one TXXX frame. Anything malformed gives what could be read.
 */
import { ID3_METADATA_FRAME } from '#contract/interactivity-limits.ts';

const decoder = new TextDecoder('utf-8');

function syncSafe(bytes: Uint8Array, at: number): number {
  return (
    (((bytes[at] ?? 0) & 0x7f) << 21) |
    (((bytes[at + 1] ?? 0) & 0x7f) << 14) |
    (((bytes[at + 2] ?? 0) & 0x7f) << 7) |
    ((bytes[at + 3] ?? 0) & 0x7f)
  );
}

const plain = (bytes: Uint8Array, at: number) =>
  (((bytes[at] ?? 0) << 24) |
    ((bytes[at + 1] ?? 0) << 16) |
    ((bytes[at + 2] ?? 0) << 8) |
    (bytes[at + 3] ?? 0)) >>>
  0;

/** The values of the TXXX frames in `tag`, in order. */
export function id3TextFrames(tag: Uint8Array): string[] {
  const values: string[] = [];
  let offset = 0;
  while (
    offset + 10 <= tag.length &&
    tag[offset] === 0x49 &&
    tag[offset + 1] === 0x44 &&
    tag[offset + 2] === 0x33
  ) {
    const version = tag[offset + 3] ?? 0;
    const flags = tag[offset + 5] ?? 0;
    const end = Math.min(tag.length, offset + 10 + syncSafe(tag, offset + 6));
    let at = offset + 10;
    // An extended header (flag 0x40) is skipped by its own size.
    if (flags & 0x40) at += version === 4 ? syncSafe(tag, at) : plain(tag, at) + 4;
    while (at + 10 <= end) {
      const id = String.fromCharCode(tag[at] ?? 0, tag[at + 1] ?? 0, tag[at + 2] ?? 0, tag[at + 3] ?? 0);
      const size = version === 4 ? syncSafe(tag, at + 4) : plain(tag, at + 4);
      if (!/^[A-Z0-9]{4}$/.test(id) || size === 0) break;
      const body = tag.subarray(at + 10, Math.min(end, at + 10 + size));
      if (id === ID3_METADATA_FRAME && body.length > 1) {
        // Encoding byte, a description ended by a NUL (two for UTF-16), then the value.
        const encoding = body[0];
        const wide = encoding === 1 || encoding === 2;
        let index = 1;
        while (index < body.length && !(body[index] === 0 && (!wide || body[index + 1] === 0)))
          index += wide ? 2 : 1;
        index += wide ? 2 : 1;
        const value = body.subarray(Math.min(index, body.length));
        values.push(
          wide
            ? new TextDecoder(encoding === 2 ? 'utf-16be' : 'utf-16').decode(value)
            : decoder.decode(value),
        );
      }
      at += 10 + size;
    }
    offset = end;
  }
  return values.map((value) => value.replace(/\0+$/, ''));
}
