/**
 * Instance types as EC2 describes them: DescribeInstanceTypes' accelerator fields for the types the tests name,
 * copied from moto 5.2.1's catalog (`moto/ec2/resources/instance_types.json.gz`, scraped from EC2), and the
 * families that catalog gives a `GpuInfo` or a `NeuronInfo`, each with its smallest type.
 */
import type { InstanceTypeInfo } from '@aws-sdk/client-ec2';

/** DescribeInstanceTypes' answers (accelerator fields only), as moto returns them. */
const DESCRIBED_TYPES = {
  'g4ad.xlarge': {
    InstanceType: 'g4ad.xlarge',
    GpuInfo: {
      Gpus: [
        {
          Count: 1,
          GpuPartitionSize: 1.0,
          LogicalGpuCount: 1,
          Manufacturer: 'AMD',
          MemoryInfo: { SizeInMiB: 8192 },
          Name: 'Radeon Pro V520',
          Workloads: ['ml-ai', 'graphics'],
        },
      ],
      TotalGpuMemoryInMiB: 8192,
    },
  },
  'dl1.24xlarge': {
    InstanceType: 'dl1.24xlarge',
    GpuInfo: {
      Gpus: [
        {
          Count: 8,
          GpuPartitionSize: 1.0,
          LogicalGpuCount: 8,
          Manufacturer: 'Habana',
          MemoryInfo: { SizeInMiB: 32768 },
          Name: 'Gaudi HL-205',
          Workloads: ['ml-ai'],
        },
      ],
      TotalGpuMemoryInMiB: 262144,
    },
  },
  'g6f.large': {
    InstanceType: 'g6f.large',
    GpuInfo: {
      Gpus: [
        {
          Count: 0,
          GpuPartitionSize: 0.125,
          LogicalGpuCount: 1,
          Manufacturer: 'NVIDIA',
          MemoryInfo: { SizeInMiB: 2861 },
          Name: 'L4',
          Workloads: ['ml-ai', 'graphics'],
        },
      ],
      TotalGpuMemoryInMiB: 2861,
    },
  },
  'gr6f.4xlarge': {
    InstanceType: 'gr6f.4xlarge',
    GpuInfo: {
      Gpus: [
        {
          Count: 0,
          GpuPartitionSize: 0.5,
          LogicalGpuCount: 1,
          Manufacturer: 'NVIDIA',
          MemoryInfo: { SizeInMiB: 11444 },
          Name: 'L4',
          Workloads: ['ml-ai', 'graphics'],
        },
      ],
      TotalGpuMemoryInMiB: 11444,
    },
  },
  'p4d.24xlarge': {
    InstanceType: 'p4d.24xlarge',
    GpuInfo: {
      Gpus: [
        {
          Count: 8,
          GpuPartitionSize: 1.0,
          LogicalGpuCount: 8,
          Manufacturer: 'NVIDIA',
          MemoryInfo: { SizeInMiB: 40960 },
          Name: 'A100',
          Workloads: ['ml-ai'],
        },
      ],
      TotalGpuMemoryInMiB: 327680,
    },
  },
  'g5.12xlarge': {
    InstanceType: 'g5.12xlarge',
    GpuInfo: {
      Gpus: [
        {
          Count: 4,
          GpuPartitionSize: 1.0,
          LogicalGpuCount: 4,
          Manufacturer: 'NVIDIA',
          MemoryInfo: { SizeInMiB: 22888 },
          Name: 'A10G',
          Workloads: ['ml-ai', 'graphics'],
        },
      ],
      TotalGpuMemoryInMiB: 91552,
    },
  },
  'trn1.2xlarge': {
    InstanceType: 'trn1.2xlarge',
    NeuronInfo: {
      NeuronDevices: [
        { CoreInfo: { Count: 2, Version: 2 }, Count: 1, MemoryInfo: { SizeInMiB: 32768 }, Name: 'Trainium' },
      ],
      TotalNeuronDeviceMemoryInMiB: 32768,
    },
  },
  'inf2.xlarge': {
    InstanceType: 'inf2.xlarge',
    NeuronInfo: {
      NeuronDevices: [
        { CoreInfo: { Count: 2, Version: 2 }, Count: 1, MemoryInfo: { SizeInMiB: 32768 }, Name: 'Inferentia2' },
      ],
      TotalNeuronDeviceMemoryInMiB: 32768,
    },
    InferenceAcceleratorInfo: {
      Accelerators: [{ Count: 1, Manufacturer: 'AWS', MemoryInfo: { SizeInMiB: 32768 }, Name: 'Inferentia2' }],
      TotalInferenceMemoryInMiB: 32768,
    },
  },
  'dl2q.24xlarge': {
    InstanceType: 'dl2q.24xlarge',
    InferenceAcceleratorInfo: {
      Accelerators: [{ Count: 8, Manufacturer: 'Qualcomm', MemoryInfo: { SizeInMiB: 16000 }, Name: 'Qualcomm AI100' }],
      TotalInferenceMemoryInMiB: 128000,
    },
  },
} satisfies Record<string, InstanceTypeInfo>;

/** Every family with a `GpuInfo` in the catalog → its smallest type. `dl2q` is absent: no GpuInfo (Qualcomm AI100). */
const GPU_FAMILIES: Readonly<Record<string, string>> = {
  dl1: 'dl1.24xlarge',
  g4ad: 'g4ad.xlarge',
  g4dn: 'g4dn.xlarge',
  g5: 'g5.xlarge',
  g5g: 'g5g.xlarge',
  g6: 'g6.xlarge',
  g6e: 'g6e.xlarge',
  g6f: 'g6f.large',
  g7e: 'g7e.2xlarge',
  gr6: 'gr6.4xlarge',
  gr6f: 'gr6f.4xlarge',
  p3dn: 'p3dn.24xlarge',
  p4d: 'p4d.24xlarge',
  p4de: 'p4de.24xlarge',
  p5: 'p5.4xlarge',
  p5e: 'p5e.48xlarge',
  p5en: 'p5en.48xlarge',
  'p6-b200': 'p6-b200.48xlarge',
  'p6-b300': 'p6-b300.48xlarge',
};

/** Every family with a `NeuronInfo` (Trainium, Inferentia) → its smallest type. */
const NEURON_FAMILIES: Readonly<Record<string, string>> = {
  inf1: 'inf1.xlarge',
  inf2: 'inf2.xlarge',
  trn1: 'trn1.2xlarge',
  trn1n: 'trn1n.32xlarge',
  trn2: 'trn2.3xlarge',
};

export { DESCRIBED_TYPES, GPU_FAMILIES, NEURON_FAMILIES };
