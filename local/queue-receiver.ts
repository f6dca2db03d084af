import {
  type Message,
  type MessageSystemAttributeName,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** The system attributes Lambda passes on in an SQS event's `attributes` (FIFO queues add the last three). */
const SYSTEM_ATTRIBUTES: MessageSystemAttributeName[] = [
  'ApproximateReceiveCount',
  'SentTimestamp',
  'SenderId',
  'ApproximateFirstReceiveTimestamp',
  'AWSTraceHeader',
  'SequenceNumber',
  'MessageGroupId',
  'MessageDeduplicationId',
];

/** SQS's longest long poll, which Lambda's pollers use. */
export const MAX_WAIT_SECONDS = 20;

const delay = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolveDelay) => {
    if (signal.aborted) return resolveDelay();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolveDelay();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export interface QueueReceiverSettings {
  sqs: SQSClient;
  queueUrl: string;
  /** Reports a failed receive (once per run of failures, not at every retry). */
  onError?: (error: unknown) => void;
}

/**
 * Long-polls one queue on behalf of a poller loop: `receive` answers with what SQS handed out (possibly
 * nothing), or nothing at all once `stop` aborted the poll in flight. Failed receives are retried with a
 * growing pause, so a poller outlives an emulator that is busy or restarting.
 */
export function createQueueReceiver(settings: QueueReceiverSettings) {
  const abort = new AbortController();
  let failures = 0;

  async function receive(maxMessages: number, waitSeconds: number): Promise<Message[]> {
    while (!abort.signal.aborted) {
      try {
        const response = await settings.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: settings.queueUrl,
            MaxNumberOfMessages: maxMessages,
            WaitTimeSeconds: Math.max(0, Math.min(MAX_WAIT_SECONDS, Math.floor(waitSeconds))),
            MessageSystemAttributeNames: SYSTEM_ATTRIBUTES,
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        failures = 0;
        return response.Messages ?? [];
      } catch (error) {
        if (abort.signal.aborted) break;
        if (failures === 0) settings.onError?.(error);
        failures += 1;
        await delay(Math.min(5000, 250 * 2 ** failures), abort.signal);
      }
    }
    return [];
  }

  return {
    receive,
    get stopped() {
      return abort.signal.aborted;
    },
    /** Resolves after `ms`, or at once when the receiver stops. */
    pause: (ms: number) => delay(ms, abort.signal),
    stop() {
      abort.abort();
    },
  };
}
