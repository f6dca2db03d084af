/** What a process tree listens on, read from Linux's /proc: for tests that check what the machine exposes. */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** One listening TCP socket or bound UDP socket. */
export interface ListeningSocket {
  protocol: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  /** The address as text: `127.0.0.1`, `::1`, `::ffff:127.0.0.1`, `0.0.0.0`, `::`, … */
  address: string;
  port: number;
}

/** `pid` and every process below it. */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command may hold spaces and parentheses: the fields after the last ')' are plain.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = [pid];
  for (let index = 0; index < tree.length; index += 1) tree.push(...(parents.get(tree[index]!) ?? []));
  return tree;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode) inodes.add(inode);
      } catch {
        // Closed while we looked.
      }
    }
  } catch {
    // The process ended.
  }
  return inodes;
}

/** /proc/net's hex address: IPv4 as one little-endian word, IPv6 as four. */
function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((word) =>
    (word.match(/../g) ?? []).reverse().map((pair) => Number.parseInt(pair, 16)),
  );
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  const text = groups.join(':');
  if (text === '0:0:0:0:0:0:0:0') return '::';
  if (text === '0:0:0:0:0:0:0:1') return '::1';
  return text;
}

/** Every listening TCP socket and bound UDP socket that a process of `pids` holds. */
export function listeningSockets(pids: readonly number[]): ListeningSocket[] {
  const owned = new Set(pids.flatMap((pid) => [...socketInodes(pid)]));
  const found: ListeningSocket[] = [];
  for (const protocol of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    let table: string;
    try {
      table = readFileSync(`/proc/net/${protocol}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of table.trim().split('\n').slice(1)) {
      // sl, local_address, rem_address, st, tx_queue:rx_queue, tr:tm->when, retrnsmt, uid, timeout, inode
      const fields = line.trim().split(/\s+/);
      const [local = '', state = '', inode = ''] = [fields[1], fields[3], fields[9]];
      // 0A: TCP LISTEN; 07: an unconnected UDP socket, which receives from anyone.
      const listening = protocol.startsWith('tcp') ? state === '0A' : state === '07';
      if (!listening || !owned.has(inode)) continue;
      const [address = '', port = '0'] = local.split(':');
      found.push({ protocol, address: decodeAddress(address), port: Number.parseInt(port, 16) });
    }
  }
  return found;
}

/** Whether an address is the loopback interface only (127.0.0.0/8 or ::1). */
export const isLoopback = (address: string) =>
  address === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(address);
