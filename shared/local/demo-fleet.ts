/**
 * The demo's GPU fleet: the stories gpu-reaper exists for, each as an instance with tags and a GPU utilization
 * curve (per minute since launch). Seeded into a local endpoint through the real SDK.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { launchInstances, putGpuSeries, type SeriesPoint } from './seed-fleet';

/** One demo instance: who owns it, what it is, and what its GPUs do minute by minute (null: no agent). */
interface DemoInstance {
  readonly name: string;
  readonly story: string;
  readonly instanceType: string;
  readonly owner: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly stopProtection?: boolean;
  /** GPU utilization at `minute` after launch: one value for every GPU, or one per GPU; null for no telemetry. */
  readonly gpu: ((minute: number) => number | readonly number[]) | null;
  /** Publish per-GPU series only (no instance rollup), as an agent without the stack's config does. */
  readonly perGpuOnly?: boolean;
}

/** Deterministic jitter so curves look real but every run is the same. */
const wobble = (minute: number, spread: number) => Math.abs(Math.sin(minute * 12.9898) * 43758.5453) % spread;

const DEMO_FLEET: readonly DemoInstance[] = [
  {
    name: 'llm-finetune',
    story: 'an 8-GPU fine-tuning run, busy throughout',
    instanceType: 'p4d.24xlarge',
    owner: 'alice@example.com',
    gpu: (m) => Array.from({ length: 8 }, (_, g) => 84 + wobble(m + g, 14)),
  },
  {
    name: 'vision-train',
    story: 'one busy GPU of four, per-GPU metrics only',
    instanceType: 'g5.12xlarge',
    owner: 'bob@example.com',
    perGpuOnly: true,
    gpu: (m) => [72 + wobble(m, 20), 0, 0, 0],
  },
  {
    name: 'jupyter-notebook',
    story: 'a notebook used for 40 minutes, then left idle',
    instanceType: 'g5.xlarge',
    owner: 'carol@example.com',
    gpu: (m) => (m < 40 ? 35 + wobble(m, 40) : wobble(m, 2)),
  },
  {
    name: 'died-at-setup',
    story: 'a training job that died at setup: the GPU never did anything',
    instanceType: 'g5.2xlarge',
    owner: 'dave@example.com',
    gpu: () => 0,
  },
  {
    name: 'forgotten-run',
    story: 'a busy run with a 2h max-runtime tag: the dead man’s switch',
    instanceType: 'g6.xlarge',
    owner: 'erin@example.com',
    tags: { 'gpu-reaper:max-runtime': '2h' },
    gpu: (m) => 65 + wobble(m, 25),
  },
  {
    name: 'keep-me',
    story: 'idle, but opted out by its owner',
    instanceType: 'g5.xlarge',
    owner: 'frank@example.com',
    tags: { 'gpu-reaper:opt-out': 'true' },
    gpu: () => 0,
  },
  {
    name: 'protected-box',
    story: 'never used, but stop protection is on',
    instanceType: 'g5.xlarge',
    owner: 'grace@example.com',
    stopProtection: true,
    gpu: (m) => wobble(m, 1.5),
  },
  {
    name: 'bursty-eval',
    story: 'idle for 90 minutes, then busy again before its stop',
    instanceType: 'g6.xlarge',
    owner: 'heidi@example.com',
    gpu: (m) => (m < 30 || m >= 120 ? 55 + wobble(m, 30) : wobble(m, 3)),
  },
  {
    name: 'asg-worker',
    story: 'an Auto Scaling group member (the group manages it)',
    instanceType: 'g5.xlarge',
    owner: 'platform@example.com',
    tags: { 'aws:autoscaling:groupName': 'inference-workers' },
    gpu: () => 0,
  },
  {
    name: 'no-agent',
    story: 'no CloudWatch agent, so no GPU telemetry at all',
    instanceType: 'g4dn.xlarge',
    owner: 'ivan@example.com',
    gpu: null,
  },
  {
    name: 'web-server',
    story: 'not a GPU instance: never looked at',
    instanceType: 'm5.large',
    owner: 'judy@example.com',
    gpu: () => 0,
  },
];

/**
 * The member accounts of the demo's organization scene: two teams, each with one busy instance and one that wastes
 * money. The `research` account is put in enforce by an override; `platform` stays in the base config's dry-run.
 */
const MEMBER_FLEETS = {
  research: [
    {
      name: 'rs-train',
      story: 'a busy 4-GPU training run',
      instanceType: 'g5.12xlarge',
      owner: 'kim@example.com',
      gpu: (m) => 70 + wobble(m, 25),
    },
    {
      name: 'rs-notebook',
      story: 'a notebook used for 10 minutes, then left idle',
      instanceType: 'g5.xlarge',
      owner: 'lee@example.com',
      gpu: (m) => (m < 10 ? 30 + wobble(m, 40) : wobble(m, 2)),
    },
  ],
  platform: [
    {
      name: 'pf-inference',
      story: 'a busy inference server',
      instanceType: 'g6.xlarge',
      owner: 'mo@example.com',
      gpu: (m) => 45 + wobble(m, 40),
    },
    {
      name: 'pf-setup-fail',
      story: 'a job that died at setup: the GPU never did anything',
      instanceType: 'g5.2xlarge',
      owner: 'noor@example.com',
      gpu: () => 0,
    },
  ],
} as const satisfies Readonly<Record<string, readonly DemoInstance[]>>;

/**
 * Launches a fleet (the demo's by default) and publishes `minutes` of GPU telemetry from `launch` on.
 *
 * @param fleet what to launch @default DEMO_FLEET
 * @returns instance id by demo name
 */
async function seedDemoFleet(
  ec2: EC2Client,
  cloudwatch: CloudWatchClient,
  launch: number,
  minutes: number,
  fleet: readonly DemoInstance[] = DEMO_FLEET,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const spec of fleet) {
    const [id] = await launchInstances(ec2, {
      instanceType: spec.instanceType,
      tags: { Name: spec.name, Owner: spec.owner, ...spec.tags },
      stopProtection: spec.stopProtection ?? false,
    });
    ids.set(spec.name, id!);
    if (!spec.gpu) continue;
    const curve = spec.gpu;
    const points: SeriesPoint[] = Array.from({ length: minutes }, (_, m) => ({
      at: launch + m * 60_000,
      value: curve(m),
    }));
    await putGpuSeries(cloudwatch, id!, points, spec.perGpuOnly ? { rollup: false } : { rollup: true });
  }
  return ids;
}

export type { DemoInstance };
export { DEMO_FLEET, MEMBER_FLEETS, seedDemoFleet };
