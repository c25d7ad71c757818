/**
 * Completing what DescribeInstances told into the engine's `InstanceFacts`: tags of instances whose answer had no
 * `Tags` key, and the request type (one-time or persistent) of Spot instances, each in batched look-ups (one call
 * per 200 instances, never one per instance).
 */
import {
  type EC2Client,
  type Instance,
  paginateDescribeSpotInstanceRequests,
  paginateDescribeTags,
  type Tag,
} from '@aws-sdk/client-ec2';
import type { GpuInfo, InstanceFacts } from '../../engine/types';
import { toAwsError } from '../aws/aws-errors';

/** EC2 accepts up to 200 values in one filter. */
const IDS_PER_FILTER = 200;

/** The type of a Spot request, as the engine knows it. */
type SpotRequestType = 'one-time' | 'persistent';

/** One instance of a DescribeInstances answer, with its reservation's owner (the account). */
interface DescribedInstance {
  readonly instance: Instance;
  readonly ownerId: string | undefined;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

/** EC2's tag list as a record; a tag without a value is the empty string, as the console shows it. */
function tagRecord(tags: readonly Pick<Tag, 'Key' | 'Value'>[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? '';
  return record;
}

/** Whether DescribeInstances left the tags out (no `Tags` key), which is not the same as "no tags". */
function lacksTagsKey(instance: Instance): boolean {
  return instance.Tags === undefined;
}

/**
 * The tags of `instanceIds` from DescribeTags (`resource-id` filter, 200 ids a call); every id gets a record,
 * empty when it truly has no tags.
 *
 * @throws AwsError when DescribeTags fails: the caller must not mistake unknown tags for no opt-out tag
 */
async function fetchTags(
  client: EC2Client,
  instanceIds: readonly string[],
  region: string,
): Promise<Map<string, Record<string, string>>> {
  const tags = new Map(instanceIds.map((id) => [id, {} as Record<string, string>]));
  try {
    for (const batch of chunks(instanceIds, IDS_PER_FILTER)) {
      const input = { Filters: [{ Name: 'resource-id', Values: batch }] };
      for await (const page of paginateDescribeTags({ client, pageSize: 1000 }, input)) {
        for (const tag of page.Tags ?? []) {
          const record = tag.ResourceId ? tags.get(tag.ResourceId) : undefined;
          if (record && tag.Key !== undefined) record[tag.Key] = tag.Value ?? '';
        }
      }
    }
  } catch (error) {
    throw toAwsError(error, 'DescribeTags', region);
  }
  return tags;
}

/**
 * The Spot request type of each of `instanceIds` (DescribeSpotInstanceRequests, `instance-id` filter, 200 ids a
 * call). Ids with no request found are absent. A failure yields an empty map: the type stays `unknown`, which the
 * engine treats with care, rather than failing the pass.
 */
async function fetchSpotRequestTypes(
  client: EC2Client,
  instanceIds: readonly string[],
): Promise<Map<string, SpotRequestType>> {
  const types = new Map<string, SpotRequestType>();
  try {
    for (const batch of chunks(instanceIds, IDS_PER_FILTER)) {
      const input = { Filters: [{ Name: 'instance-id', Values: batch }] };
      for await (const page of paginateDescribeSpotInstanceRequests({ client, pageSize: 1000 }, input)) {
        for (const request of page.SpotInstanceRequests ?? []) {
          if (request.InstanceId && (request.Type === 'one-time' || request.Type === 'persistent')) {
            types.set(request.InstanceId, request.Type);
          }
        }
      }
    }
  } catch {
    return new Map();
  }
  return types;
}

/**
 * The engine's facts for described instances (each with an id, a type and a launch time): tags re-fetched where
 * the key was missing, Spot types looked up, GPU facts from `gpuOf`.
 *
 * @throws AwsError when the tags cannot be re-fetched
 */
async function completeFacts(
  client: EC2Client,
  region: string,
  entries: readonly DescribedInstance[],
  gpuOf: (entry: DescribedInstance) => GpuInfo,
): Promise<InstanceFacts[]> {
  const idsOf = (list: readonly DescribedInstance[]) => list.map(({ instance }) => instance.InstanceId!);
  const untagged = idsOf(entries.filter(({ instance }) => lacksTagsKey(instance)));
  const spot = idsOf(entries.filter(({ instance }) => instance.InstanceLifecycle === 'spot'));
  const [fetchedTags, spotTypes] = await Promise.all([
    untagged.length > 0 ? fetchTags(client, untagged, region) : new Map<string, Record<string, string>>(),
    spot.length > 0 ? fetchSpotRequestTypes(client, spot) : new Map<string, SpotRequestType>(),
  ]);
  return entries.map((entry) => {
    const { instance } = entry;
    const id = instance.InstanceId!;
    return {
      instanceId: id,
      region,
      accountId: entry.ownerId ?? null,
      instanceType: instance.InstanceType!,
      state: instance.State?.Name ?? 'unknown',
      launchTime: instance.LaunchTime!,
      tags: fetchedTags.get(id) ?? tagRecord(instance.Tags),
      gpu: gpuOf(entry),
      rootDeviceType: instance.RootDeviceType === 'instance-store' ? 'instance-store' : 'ebs',
      spot: instance.InstanceLifecycle === 'spot' ? { requestType: spotTypes.get(id) ?? 'unknown' } : null,
      hibernation: instance.HibernationOptions?.Configured === true,
      ...(instance.PrivateDnsName ? { privateDnsName: instance.PrivateDnsName } : {}),
    };
  });
}

export type { DescribedInstance, SpotRequestType };
export { chunks, completeFacts, fetchSpotRequestTypes, fetchTags, lacksTagsKey, tagRecord };
