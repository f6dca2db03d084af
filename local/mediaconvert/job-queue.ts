/**
 * The emulator's one queue (MediaConvert's "Default"): jobs wait in priority order (higher first, then
 * oldest first) and at most `concurrency` run at once, so a few uploads do not make ffmpeg processes fight
 * over the same cores.
 */

export interface QueuedJob {
  id: string;
  priority: number;
  /** Order of submission, for ties in priority. */
  sequence: number;
}

export class JobQueue<T extends QueuedJob> {
  private readonly waiting: T[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly concurrency: number,
    private readonly run: (job: T) => Promise<void>,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new Error(`concurrency must be a whole number of at least 1, not ${concurrency}`);
    }
  }

  enqueue(job: T): void {
    if (this.stopped) throw new Error('The job queue has stopped');
    this.waiting.push(job);
    this.waiting.sort((a, b) => b.priority - a.priority || a.sequence - b.sequence);
    this.next();
  }

  /** Takes a job that has not started out of the queue; false if it is not waiting. */
  remove(id: string): boolean {
    const index = this.waiting.findIndex((job) => job.id === id);
    if (index < 0) return false;
    this.waiting.splice(index, 1);
    return true;
  }

  private next(): void {
    while (!this.stopped && this.running.size < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift() as T;
      const done = this.run(job)
        .catch(() => {
          // The runner records its own failures on the job; nothing may escape into the queue.
        })
        .finally(() => {
          this.running.delete(job.id);
          this.next();
        });
      this.running.set(job.id, done);
    }
  }

  /** Starts nothing more; resolves once the running jobs have settled (the caller aborts them). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.waiting.length = 0;
    await Promise.all(this.running.values());
  }
}
