/**
 * The uploading client of the upload benchmarks: `uploadFile` from scripts/uploader.ts in a process of its own,
 * so that its memory is its own. For one `upload` message it uploads the file and answers `uploaded` with
 * how long each step took and how much memory the process held:
 * - the resident set sampled every few milliseconds (`process.memoryUsage()`: rss, V8 heap, external and
 *   ArrayBuffer memory at the sampled peak), and the kernel's own high-water mark at the end
 *   (`process.resourceUsage().maxRSS`), which no sampling interval can miss;
 * - the same two figures before the upload started (Node, tsx and the uploader loaded), so the upload's own
 *   share can be told apart.
 * `fetch` is wrapped to time every request the uploader makes (part PUTs, API calls); the wrapper adds a
 * closure per request and nothing else. One upload per process: maxRSS never goes down.
 */
import { uploadFile } from '../../scripts/uploader.ts';
import { failToParent, sendToParent } from './child.ts';
import { type Distribution, distribution } from './stats.ts';

export interface UploadJob {
  apiUrl: string;
  accessToken: string;
  path: string;
  title: string;
  concurrency: number;
  /** How often to sample the resident set, ms. */
  sampleEveryMs: number;
}

interface MemoryFigures {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface UploadReport {
  type: 'uploaded';
  videoId: string;
  status: string;
  bytes: number;
  parts: number;
  /** Date.now() when uploadFile was called: the first byte of createUpload leaves right after. */
  startedAtEpochMs: number;
  /** From the start: createUpload answered (the uploader's first progress callback). */
  createdMs: number;
  /** From the start: the last part's PUT answered. */
  lastPartMs: number;
  /** From the start: completeUpload returned. */
  completedMs: number;
  /** Each part PUT, request sent until S3's response headers. */
  partPutMs: Distribution;
  /** The API calls (createUpload, listUploadParts pages, completeUpload), in order. */
  apiCalls: { call: string; startMs: number; ms: number }[];
  memory: {
    /** Before the upload: Node, tsx and the uploader loaded, nothing sent. */
    before: MemoryFigures & { maxRss: number };
    /** process.resourceUsage().maxRSS at the end, bytes: the kernel's high-water mark of the whole process. */
    maxRss: number;
    /** The highest sampled rss and the breakdown in that same sample. */
    peakSample: MemoryFigures;
    /** The highest of each figure over all samples (not necessarily in the same sample). */
    highest: MemoryFigures;
    samples: number;
    /** rss once a second, MiB, for the JSON. */
    rssTimelineMiB: number[];
  };
  /** CPU time of this process during the upload, ms. */
  cpu: { userMs: number; systemMs: number };
}

const figures = (): MemoryFigures => {
  const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapTotal, heapUsed, external, arrayBuffers };
};

async function upload(job: UploadJob): Promise<UploadReport> {
  const atStart = figures();
  const before = { ...atStart, maxRss: process.resourceUsage().maxRSS * 1024 };
  let peakSample = atStart;
  const highest = { ...atStart };
  const timeline: number[] = [];
  let samples = 0;
  const sample = () => {
    const now = figures();
    samples++;
    if (now.rss > peakSample.rss) peakSample = now;
    for (const key of Object.keys(highest) as (keyof MemoryFigures)[])
      highest[key] = Math.max(highest[key], now[key]);
  };
  const sampler = setInterval(sample, job.sampleEveryMs);
  const timelineTimer = setInterval(
    () => timeline.push(Math.round(process.memoryUsage.rss() / 2 ** 20)),
    1000,
  );

  const partPutMs: number[] = [];
  const apiCalls: UploadReport['apiCalls'] = [];
  const realFetch = globalThis.fetch;
  const start = performance.now();
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const sent = performance.now();
    const response = await realFetch(input, init);
    const ms = performance.now() - sent;
    // Only API calls go through fetch; part PUTs are timed by the uploader's onPart.
    const url = new URL(String(input));
    apiCalls.push({
      call: `${init?.method ?? 'GET'} ${url.pathname.replace(/.*\/uploads/, '/uploads')}${url.search}`,
      startMs: Math.round(sent - start),
      ms: Math.round(ms),
    });
    return response;
  };

  const cpuBefore = process.cpuUsage();
  const startedAtEpochMs = Date.now();
  let createdMs = Number.NaN;
  let lastPartMs = Number.NaN;
  let announced = false;
  const result = await uploadFile({ apiUrl: job.apiUrl, accessToken: job.accessToken }, job.path, {
    title: job.title,
    concurrency: job.concurrency,
    onPart: (part) => partPutMs.push(part.ms),
    onProgress: (progress) => {
      const at = performance.now() - start;
      if (progress.uploadedBytes === 0) {
        createdMs = at;
        if (!announced) sendToParent({ type: 'started', videoId: progress.videoId });
        announced = true;
      }
      if (progress.uploadedBytes === progress.totalBytes) {
        lastPartMs = at;
        sendToParent({ type: 'parts-uploaded' });
      }
    },
  });
  const completedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  sample();
  clearInterval(sampler);
  clearInterval(timelineTimer);
  globalThis.fetch = realFetch;
  const bytes = (await import('node:fs')).statSync(job.path).size;

  return {
    type: 'uploaded',
    videoId: result.videoId,
    status: result.status,
    bytes,
    parts: partPutMs.length,
    startedAtEpochMs,
    createdMs,
    lastPartMs,
    completedMs,
    partPutMs: distribution(partPutMs),
    apiCalls,
    memory: {
      before,
      maxRss: process.resourceUsage().maxRSS * 1024,
      peakSample,
      highest,
      samples,
      rssTimelineMiB: timeline,
    },
    cpu: { userMs: cpu.user / 1000, systemMs: cpu.system / 1000 },
  };
}

process.once('message', (message: { type: string; job: UploadJob }) => {
  if (message.type !== 'upload') return;
  upload(message.job).then(
    (report) => {
      sendToParent({ ...report });
      process.disconnect();
    },
    (error) => failToParent(error),
  );
});
