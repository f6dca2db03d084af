/**
 * The studio's uploader: the real Uppy (@uppy/core 5) and S3 multipart plugin (@uppy/aws-s3 5) with our adapter,
 * against an uploads API kept in memory and a stand-in for the browser's XMLHttpRequest that records every part PUT.
 */
import assert from 'node:assert/strict';
import { afterEach, before, beforeEach, describe, it } from 'node:test';
import { MiB, planParts } from '#contract/part-plan.ts';

// ---- the browser globals the uploader touches, in place before it loads -------------------------------------

const storage = new Map<string, string>();
const browser = {
  navigator: { onLine: true },
  localStorage: {
    getItem: (key: string) => storage.get(key) ?? null,
    setItem: (key: string, value: string) => void storage.set(key, String(value)),
    removeItem: (key: string) => void storage.delete(key),
  },
};
const fakeWindow = Object.assign(new EventTarget(), browser);

interface Put {
  partNumber: number;
  url: string;
  start: number;
  end: number;
}

/** PUTs answer 200 with an ETag, unless `FakeXhr.failures` says a part's next PUT answers another status. */
class FakeXhr extends EventTarget {
  static puts: Put[] = [];
  static failures = new Map<number, number>();
  readonly upload = new EventTarget();
  status = 0;
  responseText = '';
  responseType = '';
  timeout = 0;
  private url = '';
  open(_method: string, url: string) {
    this.url = url;
  }
  setRequestHeader() {}
  abort() {
    this.dispatchEvent(new Event('abort'));
  }
  getAllResponseHeaders() {
    return `etag: "etag-${this.partNumber}"\r\ncontent-length: 0`;
  }
  private get partNumber() {
    return Number(new URL(this.url).searchParams.get('partNumber'));
  }
  send(body: Blob) {
    // A one-part file goes whole, unsliced.
    const { start, end } = body instanceof RangeBlob ? body : { start: 0, end: body.size };
    setTimeout(() => {
      FakeXhr.puts.push({ partNumber: this.partNumber, url: this.url, start, end });
      const failure = FakeXhr.failures.get(this.partNumber);
      FakeXhr.failures.delete(this.partNumber);
      this.status = failure ?? 200;
      if (!failure) server.received.set(this.partNumber, end - start);
      this.dispatchEvent(new Event('load'));
    }, 1);
  }
}

Object.assign(globalThis, {
  window: fakeWindow,
  XMLHttpRequest: FakeXhr,
  localStorage: browser.localStorage,
});
Object.defineProperty(globalThis, 'navigator', { value: browser.navigator, configurable: true });

/** A slice of a file that is never read: its range is what a part PUT sends. */
class RangeBlob extends Blob {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {
    super([]);
  }
  override get size() {
    return this.end - this.start;
  }
}

/** A file of any size without its bytes in memory. */
class SparseFile extends File {
  readonly #length: number;
  constructor(name: string, length: number) {
    super([], name, { type: 'video/mp4', lastModified: 1_700_000_000_000 });
    this.#length = length;
  }
  override get size() {
    return this.#length;
  }
  override slice(start = 0, end = this.#length) {
    return new RangeBlob(start, Math.min(end, this.#length));
  }
}

// ---- the uploads API, in memory ------------------------------------------------------------------------------

const server = {
  videoId: 'v-new',
  size: 0,
  partSize: 0,
  partCount: 0,
  /** Part number → bytes received. */
  received: new Map<number, number>(),
  urlsIssued: 0,
  gone: false,
  calls: [] as { operationId: string; options: Record<string, unknown> }[],
  completedParts: undefined as { partNumber: number; etag: string }[] | undefined,
};

function urlPage(fromPart: number, count: number) {
  const parts = [];
  for (let n = fromPart; n <= server.partCount && parts.length < count; n++) {
    if (!server.received.has(n))
      parts.push({ partNumber: n, url: `https://s3.test/up?partNumber=${n}&sig=${++server.urlsIssued}` });
  }
  return { expiresAt: new Date(Date.now() + 3_600_000).toISOString(), parts };
}

let api: typeof import('../../../web/src/api.ts');
const fakeCall = async (operationId: string, options: Record<string, unknown> = {}): Promise<never> => {
  server.calls.push({ operationId, options });
  const plan = {
    videoId: server.videoId,
    size: server.size,
    partSize: server.partSize,
    partCount: server.partCount,
  };
  const answer = (value: unknown) => value as never;
  switch (operationId) {
    case 'createUpload': {
      const { size } = options.body as { size: number };
      Object.assign(server, { videoId: 'v-new', ...planParts(size), gone: false });
      server.received.clear();
      return answer({ videoId: 'v-new', ...planParts(size), ...urlPage(1, 100) });
    }
    case 'listUploadParts': {
      if (server.gone) throw new api.ApiError(404, { code: 'NOT_FOUND', message: 'No such upload.' });
      const { fromPart, urlCount } = options.query as { fromPart: number; urlCount: number };
      const uploadedParts = [...server.received].map(([partNumber, size]) => ({
        partNumber,
        size,
        etag: `"etag-${partNumber}"`,
      }));
      return answer({ ...plan, uploadedParts, ...urlPage(fromPart, urlCount) });
    }
    case 'completeUpload':
      server.completedParts = (options.body as { parts: { partNumber: number; etag: string }[] }).parts;
      return answer({ videoId: server.videoId, title: 'A film', status: 'UPLOADED' });
    case 'abortUpload':
      return answer(undefined);
    default:
      throw new Error(`unexpected ${operationId}`);
  }
};

let uploader: typeof import('../../../web/src/studio/skycast-upload.ts');
let Uppy: typeof import('@uppy/core').default;

before(async () => {
  api = await import('../../../web/src/api.ts');
  uploader = await import('../../../web/src/studio/skycast-upload.ts');
  ({ default: Uppy } = await import('@uppy/core'));
});

let close: (() => void) | undefined;
afterEach(() => close?.());
beforeEach(() => {
  storage.clear();
  FakeXhr.puts = [];
  FakeXhr.failures.clear();
  Object.assign(server, { calls: [], completedParts: undefined, urlsIssued: 0, gone: false });
  server.received.clear();
});

async function upload(file: File) {
  const uppy = new Uppy<import('../../../web/src/studio/skycast-upload.ts').UploadMeta, never>({
    autoProceed: false,
  });
  close = uploader.installUploader(uppy, { call: fakeCall as typeof api.call });
  const errors: string[] = [];
  uppy.on('upload-error', (_file, error) => errors.push(error.message));
  uppy.addFile({
    name: file.name,
    type: file.type,
    data: file,
    meta: { title: 'A film', visibility: 'private' },
  });
  const result = await uppy.upload();
  assert.deepEqual(errors, []);
  return result;
}

const expectedRanges = (size: number, partSize: number, from = 1) =>
  Array.from({ length: Math.ceil(size / partSize) - from + 1 }, (_, i) => {
    const start = (from - 1 + i) * partSize;
    return { partNumber: from + i, start, end: Math.min(start + partSize, size) };
  });

const putRanges = () =>
  FakeXhr.puts
    .map(({ partNumber, start, end }) => ({ partNumber, start, end }))
    .sort((a, b) => a.partNumber - b.partNumber);

describe('the studio uploader', () => {
  it('cuts the parts as the server plans them, signs them page by page and completes with every ETag', async () => {
    const size = 150 * 5 * MiB + 123; // 151 parts: two pages of URLs
    const result = await upload(new SparseFile('big.mp4', size));

    assert.equal(result?.successful?.length, 1);
    assert.deepEqual(putRanges(), expectedRanges(size, 5 * MiB));
    const pages = server.calls.filter((call) => call.operationId === 'listUploadParts');
    assert.deepEqual(
      pages.map((call) => (call.options.query as { fromPart: number }).fromPart),
      [101],
      'one request for the second page, whichever parts were waiting for it',
    );
    assert.deepEqual(
      server.completedParts,
      Array.from({ length: 151 }, (_, i) => ({ partNumber: i + 1, etag: `"etag-${i + 1}"` })),
    );
    assert.deepEqual(uploader.savedUploads(), {}, 'a finished upload is forgotten');
  });

  it('sends a 1-byte file as a multipart upload of one part', async () => {
    await upload(new SparseFile('tiny.mp4', 1));

    assert.deepEqual(putRanges(), [{ partNumber: 1, start: 0, end: 1 }]);
    assert.deepEqual(server.completedParts, [{ partNumber: 1, etag: '"etag-1"' }]);
  });

  it('sends a part whose PUT failed again, with a fresh URL', async () => {
    FakeXhr.failures.set(2, 500);
    await upload(new SparseFile('film.mp4', 3 * 5 * MiB));

    const part2 = FakeXhr.puts.filter((put) => put.partNumber === 2);
    assert.equal(part2.length, 2);
    assert.notEqual(part2[0]?.url, part2[1]?.url);
    assert.equal(server.completedParts?.length, 3);
  });

  it('resumes a saved upload: only the missing parts, cut by the part size the server planned', async () => {
    const file = new SparseFile('saved.mp4', 6 * 6 * MiB - 10);
    // Started with 6 MiB parts (another rule than today's 5 MiB): parts 1–3 arrived.
    Object.assign(server, { videoId: 'v-saved', size: file.size, partSize: 6 * MiB, partCount: 6 });
    for (const n of [1, 2, 3]) server.received.set(n, 6 * MiB);
    const saved = {
      videoId: 'v-saved',
      fileName: file.name,
      size: file.size,
      lastModified: file.lastModified,
    };
    storage.set(
      'skycast.uploads',
      JSON.stringify({ [uploader.fingerprint(file)]: { ...saved, title: 'A film' } }),
    );

    await upload(file);

    assert.deepEqual(putRanges(), expectedRanges(file.size, 6 * MiB, 4));
    assert.ok(!server.calls.some((call) => call.operationId === 'createUpload'));
    assert.deepEqual(
      server.completedParts?.map((part) => part.partNumber),
      [1, 2, 3, 4, 5, 6],
    );
  });

  it('starts over when the server no longer has the saved upload', async () => {
    const file = new SparseFile('expired.mp4', 2 * 5 * MiB);
    server.gone = true;
    const saved = {
      videoId: 'v-expired',
      fileName: file.name,
      size: file.size,
      lastModified: file.lastModified,
    };
    storage.set(
      'skycast.uploads',
      JSON.stringify({ [uploader.fingerprint(file)]: { ...saved, title: 'A film' } }),
    );

    await upload(file);

    assert.ok(server.calls.some((call) => call.operationId === 'createUpload'));
    assert.deepEqual(putRanges(), expectedRanges(file.size, 5 * MiB));
  });
});
