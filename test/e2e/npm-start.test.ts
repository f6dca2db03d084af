/**
 * `npm start` itself, as a person runs it: it prints where everything is, serves it, logs requests without
 * their tokens, and on SIGTERM stops with everything it started.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { after, describe, it } from 'node:test';
import { freePort, waitFor } from '../../local/tcp-ports.ts';
import { ROOT } from '../../scripts/python-env.ts';
import { fetchJson } from './support/client.ts';

interface Launched {
  child: ChildProcess;
  output: () => string;
  /** Settles when the launcher has exited and every process holding its output has let go of it. */
  closed: Promise<number | null>;
}

const launched: ChildProcess[] = [];

function launch(env: Record<string, string>): Launched {
  const child = spawn('npx', ['tsx', 'local/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that cleanup after a failed test can reach every process in it.
    detached: true,
  });
  launched.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const closed = new Promise<number | null>((resolveClosed) =>
    child.once('close', (code) => resolveClosed(code)),
  );
  return { child, output: () => output, closed };
}

async function settled<T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Processes running moto's server (local/moto_server.py) on the given port (Linux /proc; empty elsewhere). */
function motoProcessesOnPort(port: string): number[] {
  if (!existsSync('/proc')) return [];
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return args.some((arg) => /moto_server(\.py)?$/.test(arg)) && args.includes(port);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * Live processes in a process group, as `pid command` (Linux /proc; empty elsewhere): what a launcher in its
 * own group left running. Zombies are left out: they have exited and only wait for init to reap them.
 */
function processesInGroup(groupId: number): string[] {
  if (!existsSync('/proc')) return [];
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // "pid (command) state ppid pgrp …"
        const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(group) !== groupId || state === 'Z') return [];
        return [`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()}`];
      } catch {
        return [];
      }
    });
}

after(() => {
  // Whatever a failed test left running: the launcher may be gone while its group lives on.
  for (const child of launched) {
    if (!child.pid) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Nothing left in the group.
    }
  }
});

describe('npm start', () => {
  it('prints its URLs, serves /config.json, logs requests without tokens and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const rtmpPort = await freePort();
    const platform = launch({ PORT: String(port), RTMP_PORT: String(rtmpPort) });
    await waitFor(
      'npm start to say it is running',
      async () => platform.output().includes('Skycast is running'),
      {
        timeoutMs: 120_000,
      },
    );

    const printed = platform.output();
    for (const url of [
      `${origin}/`,
      `${origin}/api`,
      `${origin}/config.json`,
      `${origin}/openapi.json`,
      `${origin}/local/outbox`,
    ]) {
      assert.ok(printed.includes(url), `prints ${url}:\n${printed}`);
    }
    assert.match(printed, /verification codes/i);
    assert.ok(
      printed.includes(`rtmp://127.0.0.1:${rtmpPort}/app/`),
      `prints the RTMP ingest on RTMP_PORT:\n${printed}`,
    );
    const motoEndpoint = /AWS emulator\s+(http:\/\/127\.0\.0\.1:(\d+))/.exec(printed);
    assert.ok(motoEndpoint, printed);
    const motoPort = motoEndpoint[2] as string;

    const config = await fetchJson(`${origin}/config.json`);
    assert.equal(config.status, 200);
    assert.equal(config.body.apiUrl, `${origin}/api`);

    const secret = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu.c2lnbmF0dXJl';
    const me = await fetchJson(`${origin}/api/me?probe=1`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    assert.equal(me.status, 401);
    await waitFor('the request log line', async () =>
      /GET \/api\/me → 401 \(\d+ ms\)/.test(platform.output()),
    );
    assert.ok(!platform.output().includes(secret), 'the log never shows a token');

    assert.ok(platform.child.pid);
    platform.child.kill('SIGTERM');
    await settled('npm start and its children to exit', platform.closed, 20_000);

    assert.match(platform.output(), /Stopped\./);
    await assert.rejects(fetch(`${origin}/config.json`), 'the port is closed');
    await assert.rejects(fetch(`${motoEndpoint[1]}/moto-api/`), 'the emulator is gone');
    assert.deepEqual(motoProcessesOnPort(motoPort), [], 'no moto process is left');
    assert.deepEqual(processesInGroup(platform.child.pid), [], 'nothing npm start started is left');
  });

  it('exits non-zero with a readable message when the port is taken', async () => {
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((resolveListen) => squatter.listen(port, '127.0.0.1', resolveListen));
    try {
      const platform = launch({ PORT: String(port) });

      const code = await settled('npm start to give up', platform.closed, 60_000);

      assert.notEqual(code, 0);
      assert.match(platform.output(), new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      await new Promise<void>((resolveClose) => squatter.close(() => resolveClose()));
    }
  });
});
