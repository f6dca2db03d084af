/**
 * Simulated viewers reacting to one live stream, in a process of their own: each is a signed-in user of its
 * own (its own access token, so the per-viewer limit applies to each) sending one reaction a second through
 * `sendReaction` for the job's duration, over a keep-alive connection of its own. Sends `done` with each
 * request's latency, every accepted reaction's `acceptedAt` and reaction, and every refusal or error.
 */
import { Agent, request as httpRequest } from 'node:http';
import { REACTIONS } from '../../lambdas/contract/interactivity.ts';
import { failToParent, sendToParent } from './child.ts';

export interface ReactorsJob {
  type: 'start';
  apiUrl: string;
  streamId: string;
  /** One access token per simulated viewer. */
  accessTokens: string[];
  seconds: number;
}

export interface ReactorsReport {
  type: 'done';
  /** Every request's latency, accepted or not. */
  latencyMs: number[];
  /** The accepted ones: when the API says it accepted each (epoch ms) and which reaction. */
  accepted: { at: number; reaction: string }[];
  /** Answers other than 202, by status (429 is the per-viewer limit). */
  refused: Record<string, number>;
  errors: string[];
  /** Reactions the viewers tried to send. */
  attempted: number;
}

async function main(job: ReactorsJob): Promise<ReactorsReport> {
  const viewers = job.accessTokens.length;
  const agent = new Agent({ keepAlive: true, maxSockets: viewers, maxFreeSockets: viewers });
  const report: ReactorsReport = {
    type: 'done',
    latencyMs: [],
    accepted: [],
    refused: {},
    errors: [],
    attempted: 0,
  };
  const url = new URL(`${job.apiUrl.replace(/\/$/, '')}/streams/${job.streamId}/reactions`);
  const until = Date.now() + job.seconds * 1000;

  const post = (token: string, body: string): Promise<{ status: number; text: string; ms: number }> =>
    new Promise((resolvePost, reject) => {
      const began = performance.now();
      const sent = httpRequest(
        url,
        {
          method: 'POST',
          agent,
          timeout: 10_000,
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolvePost({
              status: response.statusCode ?? 0,
              text: Buffer.concat(chunks).toString(),
              ms: performance.now() - began,
            }),
          );
          response.on('error', reject);
        },
      );
      sent.on('timeout', () => sent.destroy(new Error('timed out after 10 s')));
      sent.on('error', reject);
      sent.end(body);
    });

  const viewer = async (index: number) => {
    const token = job.accessTokens[index] as string;
    // Spread the viewers over the first second: an audience does not tap in lockstep.
    await new Promise((resolveWait) => setTimeout(resolveWait, (index / viewers) * 1000));
    let round = 0;
    while (Date.now() < until) {
      const dueAt = Date.now();
      const reaction = REACTIONS[(index + round) % REACTIONS.length] as string;
      round += 1;
      report.attempted += 1;
      try {
        const answer = await post(token, JSON.stringify({ reaction }));
        report.latencyMs.push(answer.ms);
        if (answer.status === 202) {
          const body = JSON.parse(answer.text) as { acceptedAt: string; reaction: string };
          report.accepted.push({ at: Date.parse(body.acceptedAt), reaction: body.reaction });
        } else {
          report.refused[answer.status] = (report.refused[answer.status] ?? 0) + 1;
        }
      } catch (error) {
        report.errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      }
      const wait = 1000 - (Date.now() - dueAt);
      if (wait > 0) await new Promise((resolveWait) => setTimeout(resolveWait, wait));
    }
  };
  await Promise.all(Array.from({ length: viewers }, (_, index) => viewer(index)));
  agent.destroy();
  return report;
}

process.once('message', (job: ReactorsJob) => {
  main(job).then((report) => sendToParent(report as unknown as { type: string }), failToParent);
});
