/**
 * `npm start`: the local platform on http://127.0.0.1:${PORT:-3000}, until Ctrl-C or SIGTERM.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ensureWebBuild } from '../scripts/web-build.ts';
import { PATHS, type RunningPlatform, startPlatform } from './platform.ts';

function parsePort(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`✖ ${name} must be a TCP port number (0–65535), not "${value}".`);
    process.exit(2);
  }
  return port;
}

// Lambda runs Node 24; on an older local Node the SDK would warn about it at every start. README says which Node to use.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const port = parsePort('PORT', 3000);
const rtmpPort = parsePort('RTMP_PORT', 1935);

// The local MediaConvert transcodes with ffmpeg; without it every upload would fail at its first job.
for (const tool of ['ffmpeg', 'ffprobe']) {
  if (spawnSync(tool, ['-version'], { stdio: 'ignore' }).status !== 0) {
    console.error(
      `✖ ${tool} is not installed, and the local platform transcodes uploads with it.\n` +
        '  Install it: apt-get install ffmpeg (Debian/Ubuntu) or brew install ffmpeg (macOS), then run npm start again.',
    );
    process.exit(1);
  }
}

let starting: Promise<RunningPlatform> | undefined;
let stopping = false;

/** Stops the platform and exits; a second signal while stopping exits at once. */
async function shutdown(reason: string, { signal = true } = {}): Promise<void> {
  if (stopping) {
    if (!signal) return;
    console.log(`\n${reason} again: leaving now.`);
    process.exit(130);
  }
  stopping = true;
  console.log(`\n${reason}: stopping the local platform …`);
  try {
    // A signal during start waits for the start to finish, so nothing it spawned is left behind.
    const platform = await starting?.catch(() => undefined);
    await platform?.stop();
    console.log('Stopped.');
    process.exit(0);
  } catch (error) {
    console.error('✖ Could not stop cleanly:', error);
    process.exit(1);
  }
}

// When the terminal or pipe we print to is gone, writing fails with EPIPE; that must not stop us from
// stopping what we started.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGHUP', () => void shutdown('SIGHUP'));

/** The parent of a process, where /proc tells (Linux); undefined elsewhere. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (command) state ppid …": the command may itself hold spaces and parentheses.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * `npm start` and `npx tsx` run us under npm, a shell and the tsx launcher. A SIGTERM sent to npm alone is
 * passed to the shell, which dies without passing it on, and the launcher is orphaned with us under it. So
 * watch the chain: when our parent or grandparent is replaced, whoever started us is gone; stop as if told to.
 */
function stopWhenLauncherGoes(): void {
  const parent = process.ppid;
  const grandparent = parentOf(parent);
  const timer = setInterval(() => {
    if (process.ppid !== parent || (grandparent !== undefined && parentOf(parent) !== grandparent)) {
      clearInterval(timer);
      void shutdown('The process that started us is gone', { signal: false });
    }
  }, 500);
  timer.unref();
}
stopWhenLauncherGoes();

async function main(): Promise<void> {
  console.log('Starting the local platform …');
  let platform: RunningPlatform;
  try {
    // A fresh clone has no web/dist, and an edited web/src makes it stale: build it first (a few seconds).
    ensureWebBuild((line) => console.log(line));
    starting = startPlatform({ port, rtmpPort });
    platform = await starting;
  } catch (error) {
    if (stopping) return; // shutdown() is already on its way out.
    console.error(
      `✖ The local platform did not start: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  }
  if (stopping) return;

  const { url, config } = platform;
  console.log(
    [
      '',
      `Skycast is running on ${url}`,
      '',
      `  web app        ${url}/`,
      `  API            ${config.apiUrl}`,
      `  config.json    ${url}${PATHS.config}`,
      `  openapi.json   ${url}${PATHS.openApi}`,
      `  Cognito API    ${config.cognitoEndpoint}`,
      `  media          ${config.mediaUrl}/<key> (with the cookies getVideo hands out)`,
      `  outbox         ${url}${PATHS.outbox}`,
      `  RTMP ingest    ${platform.ivs.ingestUrl} (OBS "Server"; the stream key comes from startStream)`,
      `  live HLS       ${url}/ivs/playback/<streamId>/master.m3u8`,
      `  AWS emulator   ${platform.motoEndpoint} (moto)`,
      '',
      'Verification codes are not e-mailed: they are printed here (✉) and listed in the outbox.',
      'Requests are logged below. Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  void platform.failure.then((error) => {
    if (stopping) return;
    stopping = true;
    console.error(`✖ ${error.message} The local platform cannot go on.`);
    void platform.stop().finally(() => process.exit(1));
  });
}

await main();
