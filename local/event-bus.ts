import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type AwsTarget, emulatorClientConfig } from './emulator-clients.ts';

/** An event in EventBridge's envelope, as AWS services emit them (`id`, `account`, … are optional here). */
export interface BusEvent {
  source: string;
  'detail-type': string;
  detail: unknown;
  resources?: readonly string[];
  /** ISO 8601; EventBridge sets the time of receipt when it is missing. */
  time?: string;
}

export interface EventPublisher {
  /** Puts one event on the default bus, where the rules match it; rejects when EventBridge refuses it. */
  publish(event: BusEvent): Promise<void>;
  destroy(): void;
}

/**
 * Publishes events on the emulator's default event bus as an AWS service would emit them, so the rules'
 * patterns decide which function gets them. (In AWS, `aws.*` sources are reserved to AWS services; the
 * emulator lets the local stand-ins of those services use them.)
 */
export function createEventPublisher(target: AwsTarget): EventPublisher {
  const client = new EventBridgeClient(emulatorClientConfig(target));
  return {
    async publish(event) {
      const response = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: event.source,
              DetailType: event['detail-type'],
              Detail: JSON.stringify(event.detail),
              Resources: [...(event.resources ?? [])],
              ...(event.time ? { Time: new Date(event.time) } : {}),
            },
          ],
        }),
      );
      const entry = response.Entries?.[0];
      if (response.FailedEntryCount || !entry?.EventId) {
        throw new Error(
          `EventBridge refused the ${event['detail-type']} event: ${entry?.ErrorCode ?? 'no event id'} ${entry?.ErrorMessage ?? ''}`.trim(),
        );
      }
    },
    destroy: () => client.destroy(),
  };
}
