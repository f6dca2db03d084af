/**
 * The tags IAM sees on the resource a request acts on (`aws:ResourceTag/<key>`), for the resource types whose
 * grants Skycast conditions on them: IVS channels and stream keys. The gateway asks the local IVS for them on
 * every request that names one (no cache: a tag changed or a channel deleted a moment ago counts at once), with
 * the platform's own credentials, never the calling function's. A resource without tags, or one that does not
 * exist, gives no `aws:ResourceTag/*` keys, so a grant that asks for one does not apply, as in AWS.
 */
import { IvsClient, ListTagsForResourceCommand, ResourceNotFoundException } from '@aws-sdk/client-ivs';
import { emulatorClientConfig } from '../emulator-clients.ts';
import type { AuthorizationCheck } from './authorization.ts';

/** The tags of the resource with this ARN; undefined when there is no such resource. */
export type ResourceTagLookup = (arn: string) => Promise<Record<string, string> | undefined>;

/** An IVS channel or stream key named by its own ARN (not a pattern such as `channel/*` for one being created). */
const TAGGED_IVS_RESOURCE = /^arn:aws[a-z-]*:ivs:[^:]*:[0-9]*:(channel|stream-key)\/[^*/]+$/;

/** Is `arn` a resource whose tags the gateway looks up? */
export const hasLookedUpTags = (arn: string): boolean => TAGGED_IVS_RESOURCE.test(arn);

/** The checks with `aws:ResourceTag/<key>` added for each tag of the resource they act on, where it has tags. */
export async function withResourceTags(
  checks: readonly AuthorizationCheck[],
  lookup: ResourceTagLookup,
): Promise<AuthorizationCheck[]> {
  return Promise.all(
    checks.map(async (check) => {
      if (!hasLookedUpTags(check.resource)) return check;
      const tags = Object.entries((await lookup(check.resource)) ?? {});
      if (tags.length === 0) return check;
      return {
        ...check,
        context: {
          ...check.context,
          ...Object.fromEntries(tags.map(([key, value]) => [`aws:ResourceTag/${key}`, value])),
        },
      };
    }),
  );
}

/** Looks tags up with ListTagsForResource at the local IVS. */
export function localIvsTags(target: { endpoint: string; region: string }): {
  lookup: ResourceTagLookup;
  close(): void;
} {
  const ivs = new IvsClient(emulatorClientConfig(target));
  return {
    async lookup(resourceArn) {
      try {
        const { tags } = await ivs.send(new ListTagsForResourceCommand({ resourceArn }));
        return tags ?? {};
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return undefined;
        throw error;
      }
    },
    close: () => ivs.destroy(),
  };
}
