/**
 * The EC2 adapter: scans a region's running GPU instances into `InstanceFacts`, lists the warned ones that stopped
 * without the reaper, re-describes one right before acting, and carries out the stop, terminate and tag calls.
 * Every SDK failure leaves as an `AwsError`.
 */
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  type EC2Client,
  type Filter,
  paginateDescribeInstances,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { type Accelerator, isAcceleratedFor } from '../../engine/gpu-count';
import type { InstanceFacts } from '../../engine/types';
import { AwsError, ErrorCode } from '../../errors';
import { awsErrorCode, toAwsError } from '../aws/aws-errors';
import { completeFacts, type DescribedInstance } from './ec2-lookups';
import { GpuTypeCatalog } from './gpu-types';

/** What a scan found: the GPU instances in scope, and what was left out or guessed. */
interface ScanResult {
  readonly instances: InstanceFacts[];
  /** Running in-scope instances whose type has no accelerator the scan looks at (left out). */
  readonly nonGpu: number;
  /** Types DescribeInstanceTypes did not know; their GPU status came from the family name. */
  readonly unknownTypes: string[];
  /** Failures the scan went on without (DescribeInstanceTypes failing: the family name decided). */
  readonly problems: AwsError[];
}

/** Which instances a scan looks at. */
interface ScanScope {
  /** `scope.tags`: every key must carry one of its values. Empty: every running GPU instance. */
  readonly scopeTags: Readonly<Record<string, readonly string[]>>;
  /**
   * `scope.accelerators`: `gpu` keeps the types with a GPU, `neuron` the Trainium and Inferentia types.
   * @default ['gpu']
   */
  readonly accelerators?: readonly Accelerator[];
}

/** An instance the reaper had tagged as warned, found no longer running. */
interface StoppedWarned {
  readonly instance: InstanceFacts;
  /** When it was stopped or terminated, from EC2's `StateTransitionReason`; `null` when that does not say. */
  readonly stoppedAt: Date | null;
}

/** How to stop an instance. */
interface StopOptions {
  /** Hibernate rather than plainly stop (StopInstances `Hibernate: true`). @default false */
  readonly hibernate?: boolean;
}

/** Options of the EC2 adapter. */
interface Ec2InstancesOptions {
  /** A catalog to share across passes (a Lambda container). @default a new one for this adapter */
  readonly catalog?: GpuTypeCatalog;
  /** DescribeInstances page size (5–1000). @default 1000 */
  readonly pageSize?: number;
}

/** States in which the instance is, or is about to be, gone. */
const GONE_STATES = new Set(['shutting-down', 'terminated']);
/** States of an instance that was stopped or terminated, or is on its way there. */
const NOT_RUNNING_STATES = ['stopping', 'stopped', 'shutting-down', 'terminated'];

/** The time in `User initiated (2030-01-01 09:00:00 GMT)`, EC2's reason for a stop or terminate by a caller. */
function transitionTime(reason: string | undefined): Date | null {
  const found = /\((\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) (?:GMT|UTC)\)/.exec(reason ?? '');
  if (!found) return null;
  const at = new Date(`${found[1]}T${found[2]}Z`);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** The EC2 calls of one region. */
class Ec2Instances {
  readonly #client: EC2Client;
  readonly #region: string;
  readonly #pageSize: number;
  /** GPU facts per instance type, shared by every scan of this adapter. */
  readonly catalog: GpuTypeCatalog;

  constructor(client: EC2Client, region: string, options: Ec2InstancesOptions = {}) {
    this.#client = client;
    this.#region = region;
    this.#pageSize = options.pageSize ?? 1000;
    this.catalog = options.catalog ?? new GpuTypeCatalog(client, region);
  }

  /**
   * Running instances in scope (server-side filters), narrowed to the types that have a GPU (and, with `neuron` in
   * `accelerators`, Trainium and Inferentia). Instances whose answer had no `Tags` key get their tags from
   * DescribeTags before being returned.
   *
   * @throws AwsError when the region cannot be scanned
   */
  async scanGpuInstances({ scopeTags, accelerators }: ScanScope): Promise<ScanResult> {
    const described = await this.#describeRunning(scopeTags);
    const gpuByType = await this.catalog.resolve(described.map(({ instance }) => instance.InstanceType ?? ''));
    const gpuOf = (entry: DescribedInstance) => gpuByType.get(entry.instance.InstanceType ?? '');
    const withGpu = described.filter((entry) => {
      const gpu = gpuOf(entry);
      return gpu !== undefined && isAcceleratedFor(gpu, accelerators);
    });
    const facts = await completeFacts(this.#client, this.#region, withGpu, (entry) => gpuOf(entry)!);
    const unknownTypes = [...gpuByType].filter(([type, gpu]) => type && gpu.source === 'family-fallback');
    return {
      instances: facts,
      nonGpu: described.length - withGpu.length,
      unknownTypes: unknownTypes.map(([type]) => type).sort(),
      problems: this.catalog.takeFailures(),
    };
  }

  /**
   * Instances that carry the `warned` tag but are stopping, stopped, shutting down or terminated (server-side
   * filters on the tag key and the state): someone stopped them during the grace, or the reaper's own action did.
   *
   * @param warnedTag the exact key the reaper writes (`${tagPrefix}warned`)
   * @throws AwsError when the region cannot be listed
   */
  async listWarnedNotRunning(warnedTag: string): Promise<StoppedWarned[]> {
    const filters: Filter[] = [
      { Name: 'instance-state-name', Values: NOT_RUNNING_STATES },
      { Name: 'tag-key', Values: [warnedTag] },
    ];
    const described = await this.#describe(filters);
    const gpuByType = await this.catalog.resolve(described.map(({ instance }) => instance.InstanceType ?? ''));
    const facts = await completeFacts(this.#client, this.#region, described, (entry) => {
      return gpuByType.get(entry.instance.InstanceType ?? '')!;
    });
    const reasons = new Map(described.map(({ instance }) => [instance.InstanceId, instance.StateTransitionReason]));
    return facts.map((instance) => ({
      instance,
      stoppedAt: transitionTime(reasons.get(instance.instanceId)),
    }));
  }

  /**
   * Fresh facts of one instance right before acting: state, tags, Spot type, and stop/termination protection.
   *
   * @returns `null` when the instance no longer exists or is terminating
   * @throws AwsError when EC2 cannot answer
   */
  async describeForAction(instanceId: string): Promise<InstanceFacts | null> {
    try {
      const page = await this.#client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      const reservation = page.Reservations?.find((candidate) => candidate.Instances?.length);
      const instance = reservation?.Instances?.[0];
      if (!instance || GONE_STATES.has(instance.State?.Name ?? '')) return null;
      // Acting on a guess is worse than not acting: an answer without these fields fails the re-describe.
      if (!instance.State?.Name || !instance.LaunchTime || !instance.InstanceType) {
        throw new AwsError(ErrorCode.AwsCall, 'DescribeInstances', 'malformed answer: no state, launch time or type', {
          region: this.#region,
        });
      }
      const [protection, gpuByType] = await Promise.all([
        this.#protection(instanceId),
        this.catalog.resolve([instance.InstanceType ?? '']),
      ]);
      const gpu = gpuByType.get(instance.InstanceType ?? '')!;
      const [facts] = await completeFacts(
        this.#client,
        this.#region,
        [{ instance, ownerId: reservation?.OwnerId }],
        () => gpu,
      );
      return facts ? { ...facts, protection } : null;
    } catch (error) {
      // Gone between the scan and now (possibly between two of these calls): nothing to act on.
      if (awsErrorCode(error instanceof AwsError ? error.cause : error) === 'InvalidInstanceID.NotFound') return null;
      throw toAwsError(error, 'DescribeInstances', this.#region);
    }
  }

  /**
   * Stops the instance; with `hibernate`, hibernates it (its memory is saved to the EBS root volume and restored on
   * start). EC2 refuses a hibernating stop of an instance not set up for it, so ask only when `hibernation` is true.
   *
   * @throws AwsError
   */
  async stop(instanceId: string, options: StopOptions = {}): Promise<void> {
    const command = new StopInstancesCommand({
      InstanceIds: [instanceId],
      ...(options.hibernate ? { Hibernate: true } : {}),
    });
    await this.#call('StopInstances', () => this.#client.send(command));
  }

  /** Terminates the instance. @throws AwsError */
  async terminate(instanceId: string): Promise<void> {
    const command = new TerminateInstancesCommand({ InstanceIds: [instanceId] });
    await this.#call('TerminateInstances', () => this.#client.send(command));
  }

  /** Creates or overwrites these tags on the instance; nothing to set, no call. @throws AwsError */
  async setTags(instanceId: string, tags: Readonly<Record<string, string>>): Promise<void> {
    const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    if (list.length === 0) return;
    const command = new CreateTagsCommand({ Resources: [instanceId], Tags: list });
    await this.#call('CreateTags', () => this.#client.send(command));
  }

  /** Removes these tag keys, whatever their values; nothing to remove, no call. @throws AwsError */
  async removeTags(instanceId: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const command = new DeleteTagsCommand({ Resources: [instanceId], Tags: keys.map((Key) => ({ Key })) });
    await this.#call('DeleteTags', () => this.#client.send(command));
  }

  async #describeRunning(scopeTags: ScanScope['scopeTags']): Promise<DescribedInstance[]> {
    const filters: Filter[] = [{ Name: 'instance-state-name', Values: ['running'] }];
    for (const [key, values] of Object.entries(scopeTags)) {
      if (values.length > 0) filters.push({ Name: `tag:${key}`, Values: [...values] });
    }
    return this.#describe(filters);
  }

  /** Every instance matching `filters`, all pages; those without id, type or launch time are left out. */
  async #describe(filters: Filter[]): Promise<DescribedInstance[]> {
    const described: DescribedInstance[] = [];
    try {
      const pages = paginateDescribeInstances({ client: this.#client, pageSize: this.#pageSize }, { Filters: filters });
      for await (const page of pages) {
        for (const reservation of page.Reservations ?? []) {
          for (const instance of reservation.Instances ?? [])
            described.push({ instance, ownerId: reservation.OwnerId });
        }
      }
    } catch (error) {
      throw toAwsError(error, 'DescribeInstances', this.#region);
    }
    // An answer without id, type or launch time cannot be reasoned about; EC2 always sends them.
    return described.filter(({ instance }) => instance.InstanceId && instance.InstanceType && instance.LaunchTime);
  }

  async #protection(instanceId: string): Promise<{ stop: boolean; termination: boolean }> {
    const read = (Attribute: 'disableApiStop' | 'disableApiTermination') =>
      this.#client.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute }));
    const [stop, termination] = await Promise.all([read('disableApiStop'), read('disableApiTermination')]).catch(
      (error: unknown) => {
        throw toAwsError(error, 'DescribeInstanceAttribute', this.#region);
      },
    );
    const values = [stop.DisableApiStop?.Value, termination.DisableApiTermination?.Value];
    // Unknown protection is not "no protection": a malformed answer means no action.
    if (values.some((value) => typeof value !== 'boolean')) {
      throw new AwsError(ErrorCode.AwsCall, 'DescribeInstanceAttribute', 'malformed answer: protection not stated', {
        region: this.#region,
      });
    }
    return { stop: values[0] === true, termination: values[1] === true };
  }

  async #call(operation: string, send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (error) {
      throw toAwsError(error, operation, this.#region);
    }
  }
}

export type { Ec2InstancesOptions, ScanResult, ScanScope, StopOptions, StoppedWarned };
export { Ec2Instances, transitionTime };
