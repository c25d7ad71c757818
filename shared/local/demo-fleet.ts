/**
 * The demo's GPU fleet: the stories gpu-reaper exists for, each as an instance with tags, a GPU utilization curve
 * (per minute since launch) and its host's CPU and network as EC2 publishes them (5-minute periods, basic
 * monitoring). Seeded into a local endpoint through the real SDK.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { hostSeriesData, launchInstances, putGpuSeries, putMetricData, type SeriesPoint } from './seed-fleet';

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
  /** The host in the 5-minute period starting `minute` after launch (0 for the one launch falls in). */
  readonly host?: (minute: number) => HostLevel;
}

/** One period of host activity: CPU maximum (%) and network in + out (MiB per minute). */
interface HostLevel {
  readonly cpu: number;
  readonly mibPerMinute: number;
}

/** Deterministic jitter so curves look real but every run is the same. */
const wobble = (minute: number, spread: number) => Math.abs(Math.sin(minute * 12.9898) * 43758.5453) % spread;

/** Minutes per EC2 host-metric period with basic monitoring. */
const HOST_PERIOD_MINUTES = 5;

/** A host doing nothing: CPU about 1%, a trickle of network (well under 10% and 5 MiB/min). */
const quietHost = (minute: number): HostLevel => ({ cpu: 0.6 + wobble(minute, 0.8), mibPerMinute: 0.02 });
/** A host feeding busy GPUs: some CPU and network, as training loads batches and writes checkpoints. */
const workingHost =
  (cpu: number, mibPerMinute: number) =>
  (minute: number): HostLevel => ({ cpu: cpu + wobble(minute, 10), mibPerMinute });

const DEMO_FLEET: readonly DemoInstance[] = [
  {
    name: 'llm-finetune',
    story: 'an 8-GPU fine-tuning run, busy throughout',
    instanceType: 'p4d.24xlarge',
    owner: 'alice@example.com',
    gpu: (m) => Array.from({ length: 8 }, (_, g) => 84 + wobble(m + g, 14)),
    host: workingHost(45, 30),
  },
  {
    name: 'vision-train',
    story: 'one busy GPU of four, per-GPU metrics only',
    instanceType: 'g5.12xlarge',
    owner: 'bob@example.com',
    perGpuOnly: true,
    gpu: (m) => [72 + wobble(m, 20), 0, 0, 0],
    host: workingHost(30, 8),
  },
  {
    name: 'jupyter-notebook',
    story: 'a notebook used for 40 minutes, then left idle',
    instanceType: 'g5.xlarge',
    owner: 'carol@example.com',
    gpu: (m) => (m < 40 ? 35 + wobble(m, 40) : wobble(m, 2)),
    host: (m) => (m < 40 ? workingHost(12, 1)(m) : quietHost(m)),
  },
  {
    name: 'died-at-setup',
    story: 'a training job that died at setup: the GPU never did anything',
    instanceType: 'g5.2xlarge',
    owner: 'dave@example.com',
    gpu: () => 0,
    host: quietHost,
  },
  {
    name: 'dataset-download',
    story: 'a job that downloads for 45 minutes (CPU 60%, network 300 MiB/min, GPU 0%), then trains',
    instanceType: 'g6.xlarge',
    owner: 'oscar@example.com',
    gpu: (m) => (m < 45 ? 0 : 70 + wobble(m, 25)),
    host: (m) => (m < 45 ? { cpu: 60, mibPerMinute: 300 } : workingHost(35, 12)(m)),
  },
  {
    name: 'forgotten-run',
    story: 'a busy run with a 2h max-runtime tag: the dead man’s switch',
    instanceType: 'g6.xlarge',
    owner: 'erin@example.com',
    tags: { 'gpu-reaper:max-runtime': '2h' },
    gpu: (m) => 65 + wobble(m, 25),
    host: workingHost(30, 5),
  },
  {
    name: 'keep-me',
    story: 'idle, but opted out by its owner',
    instanceType: 'g5.xlarge',
    owner: 'frank@example.com',
    tags: { 'gpu-reaper:opt-out': 'true' },
    gpu: () => 0,
    host: quietHost,
  },
  {
    name: 'protected-box',
    story: 'never used, but stop protection is on',
    instanceType: 'g5.xlarge',
    owner: 'grace@example.com',
    stopProtection: true,
    gpu: (m) => wobble(m, 1.5),
    host: quietHost,
  },
  {
    name: 'bursty-eval',
    story: 'idle for 90 minutes, then busy again before its stop',
    instanceType: 'g6.xlarge',
    owner: 'heidi@example.com',
    gpu: (m) => (m < 30 || m >= 120 ? 55 + wobble(m, 30) : wobble(m, 3)),
    host: (m) => (m < 30 || m >= 120 ? workingHost(25, 6)(m) : quietHost(m)),
  },
  {
    name: 'asg-worker',
    story: 'an Auto Scaling group member (the group manages it)',
    instanceType: 'g5.xlarge',
    owner: 'platform@example.com',
    tags: { 'aws:autoscaling:groupName': 'inference-workers' },
    gpu: () => 0,
    host: quietHost,
  },
  {
    name: 'no-agent',
    story: 'no CloudWatch agent, so no GPU telemetry at all',
    instanceType: 'g4dn.xlarge',
    owner: 'ivan@example.com',
    gpu: null,
    host: quietHost,
  },
  {
    name: 'web-server',
    story: 'not a GPU instance: never looked at',
    instanceType: 'm5.large',
    owner: 'judy@example.com',
    gpu: () => 0,
    host: workingHost(20, 3),
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
      host: workingHost(40, 20),
    },
    {
      name: 'rs-notebook',
      story: 'a notebook used for 10 minutes, then left idle',
      instanceType: 'g5.xlarge',
      owner: 'lee@example.com',
      gpu: (m) => (m < 10 ? 30 + wobble(m, 40) : wobble(m, 2)),
      host: (m) => (m < 10 ? workingHost(12, 1)(m) : quietHost(m)),
    },
  ],
  platform: [
    {
      name: 'pf-inference',
      story: 'a busy inference server',
      instanceType: 'g6.xlarge',
      owner: 'mo@example.com',
      gpu: (m) => 45 + wobble(m, 40),
      host: workingHost(25, 15),
    },
    {
      name: 'pf-setup-fail',
      story: 'a job that died at setup: the GPU never did anything',
      instanceType: 'g5.2xlarge',
      owner: 'noor@example.com',
      gpu: () => 0,
      host: quietHost,
    },
  ],
} as const satisfies Readonly<Record<string, readonly DemoInstance[]>>;

/**
 * The cost-gating scene's fleet, in its own region: two expensive 8-GPU runs of team research (a p4d.24xlarge at
 * the 12h default runtime projects past the $200 approval threshold) and two 4-GPU runs of team vision, each
 * projected well under it, whose team spends through its small monthly budget. All four are busy, so only the gate
 * and the budget name their decisions.
 */
const GATING_FLEET: readonly DemoInstance[] = [
  {
    name: 'llm-pretrain',
    story: 'a pre-training run an approver approves',
    instanceType: 'p4d.24xlarge',
    owner: 'dana@example.com',
    tags: { Team: 'research' },
    gpu: (m) => Array.from({ length: 8 }, (_, g) => 86 + wobble(m + g, 12)),
    host: workingHost(45, 30),
  },
  {
    name: 'hpo-sweep',
    story: 'a hyperparameter sweep nobody approves',
    instanceType: 'p4d.24xlarge',
    owner: 'sam@example.com',
    tags: { Team: 'research' },
    gpu: (m) => Array.from({ length: 8 }, (_, g) => 80 + wobble(m + g, 18)),
    host: workingHost(40, 20),
  },
  {
    name: 'vision-a',
    story: 'a training run',
    instanceType: 'g5.12xlarge',
    owner: 'vic@example.com',
    tags: { Team: 'vision' },
    gpu: (m) => 75 + wobble(m, 20),
    host: workingHost(30, 10),
  },
  {
    name: 'vision-b',
    story: 'another training run',
    instanceType: 'g5.12xlarge',
    owner: 'wen@example.com',
    tags: { Team: 'vision' },
    gpu: (m) => 70 + wobble(m, 25),
    host: workingHost(30, 10),
  },
];

/**
 * Launches a fleet (the demo's by default) and publishes `minutes` of GPU telemetry and host metrics from `launch`
 * on.
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
  // EC2's host metrics, one datapoint per 5-minute period of the clock (:00, :05, …) as EC2 aligns them, the
  // whole fleet in as few calls as fit.
  const periodMs = HOST_PERIOD_MINUTES * 60_000;
  const first = Math.floor(launch / periodMs) * periodMs;
  const host = fleet.flatMap((spec) => {
    const level = spec.host;
    if (!level) return [];
    const periods = Array.from({ length: Math.ceil((launch + minutes * 60_000 - first) / periodMs) }, (_, p) => {
      const at = first + p * periodMs;
      return { at, ...level(Math.max(0, (at - launch) / 60_000)) };
    });
    return hostSeriesData(ids.get(spec.name)!, periods, HOST_PERIOD_MINUTES);
  });
  await putMetricData(cloudwatch, host, 'AWS/EC2');
  return ids;
}

export type { DemoInstance, HostLevel };
export { DEMO_FLEET, GATING_FLEET, MEMBER_FLEETS, seedDemoFleet };
