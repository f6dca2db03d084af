/**
 * Simulated HLS viewers of one live stream, in a process of their own: each polls its rendition's live
 * playlist every target duration, as a player does, and fetches every segment it has not fetched yet
 * (starting at the live edge). Sends `done` with per-request latencies and every error.
 */
import { Agent, get as httpGet } from 'node:http';
import { failToParent, sendToParent } from './child.ts';

export interface ViewersJob {
  type: 'start';
  /** The multivariant playlist. */
  playbackUrl: string;
  viewers: number;
  seconds: number;
}

export interface ViewersReport {
  type: 'done';
  playlistMs: number[];
  segmentMs: number[];
  segmentBytes: number;
  errors: string[];
}

async function main(job: ViewersJob): Promise<ViewersReport> {
  // One connection per viewer, as separate players would have.
  const agent = new Agent({ keepAlive: true, maxSockets: job.viewers, maxFreeSockets: job.viewers });
  const base = job.playbackUrl.replace(/master\.m3u8.*$/, '');
  const renditions = ['720p30', '360p30'];
  const report: ViewersReport = { type: 'done', playlistMs: [], segmentMs: [], segmentBytes: 0, errors: [] };
  const until = Date.now() + job.seconds * 1000;

  const get = (url: string): Promise<{ status: number; body: Buffer; ms: number }> =>
    new Promise((resolveGet, reject) => {
      const began = performance.now();
      const sent = httpGet(url, { agent, timeout: 10_000 }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolveGet({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks),
            ms: performance.now() - began,
          }),
        );
        response.on('error', reject);
      });
      sent.on('timeout', () => sent.destroy(new Error('timed out after 10 s')));
      sent.on('error', reject);
    });

  const viewer = async (index: number) => {
    const playlistUrl = `${base}${renditions[index % renditions.length]}/playlist.m3u8`;
    const fetched = new Set<string>();
    let first = true;
    // Spread the viewers over the first second, as people do not all press play at once.
    await new Promise((resolveWait) => setTimeout(resolveWait, (index / job.viewers) * 1000));
    while (Date.now() < until) {
      const pollAt = Date.now();
      try {
        const playlist = await get(playlistUrl);
        if (playlist.status !== 200) report.errors.push(`playlist ${playlist.status}`);
        else {
          report.playlistMs.push(playlist.ms);
          const segments = playlist.body
            .toString()
            .split('\n')
            .filter((line) => line && !line.startsWith('#'));
          // A player joins near the live edge: the last segment first, then each new one.
          const wanted = first ? segments.slice(-1) : segments.filter((uri) => !fetched.has(uri));
          first = false;
          for (const uri of wanted) {
            fetched.add(uri);
            const segment = await get(`${base}${renditions[index % renditions.length]}/${uri}`);
            if (segment.status !== 200) report.errors.push(`segment ${segment.status}`);
            else {
              report.segmentMs.push(segment.ms);
              report.segmentBytes += segment.body.length;
            }
          }
        }
      } catch (error) {
        report.errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      }
      const wait = 1000 - (Date.now() - pollAt);
      if (wait > 0) await new Promise((resolveWait) => setTimeout(resolveWait, wait));
    }
  };
  await Promise.all(Array.from({ length: job.viewers }, (_, index) => viewer(index)));
  agent.destroy();
  return report;
}

process.once('message', (job: ViewersJob) => {
  main(job).then((report) => sendToParent(report as unknown as { type: string }), failToParent);
});
