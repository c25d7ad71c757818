/**
 * The GPU instance types right-sizing may suggest, with how many GPUs each has, bundled beside the prices so a
 * suggestion needs no network call. Fractional-GPU types (g6f, gr6f: a share of one GPU) are left out: they are not
 * a whole number of GPUs, and nvidia-smi in them does not speak for a GPU of its own.
 *
 * Source: AWS's "Accelerated computing" instance type pages (aws.amazon.com/ec2/instance-types/, each family's
 * page: P3, P4, P5, P6, G4, G5, G5g, G6, G6e), as listed on 2025-08-01; the `GpuInfo.Gpus[].Count` that EC2's
 * DescribeInstanceTypes gives for the same types.
 */

/** GPUs per instance type. */
const GPU_COUNTS: Readonly<Record<string, number>> = {
  'p3.2xlarge': 1,
  'p3.8xlarge': 4,
  'p3.16xlarge': 8,
  'p3dn.24xlarge': 8,
  'p4d.24xlarge': 8,
  'p4de.24xlarge': 8,
  'p5.4xlarge': 1,
  'p5.48xlarge': 8,
  'p5e.48xlarge': 8,
  'p5en.48xlarge': 8,
  'p6-b200.48xlarge': 8,
  'g4dn.xlarge': 1,
  'g4dn.2xlarge': 1,
  'g4dn.4xlarge': 1,
  'g4dn.8xlarge': 1,
  'g4dn.16xlarge': 1,
  'g4dn.12xlarge': 4,
  'g4dn.metal': 8,
  'g4ad.xlarge': 1,
  'g4ad.2xlarge': 1,
  'g4ad.4xlarge': 1,
  'g4ad.8xlarge': 2,
  'g4ad.16xlarge': 4,
  'g5.xlarge': 1,
  'g5.2xlarge': 1,
  'g5.4xlarge': 1,
  'g5.8xlarge': 1,
  'g5.16xlarge': 1,
  'g5.12xlarge': 4,
  'g5.24xlarge': 4,
  'g5.48xlarge': 8,
  'g5g.xlarge': 1,
  'g5g.2xlarge': 1,
  'g5g.4xlarge': 1,
  'g5g.8xlarge': 1,
  'g5g.16xlarge': 2,
  'g5g.metal': 2,
  'g6.xlarge': 1,
  'g6.2xlarge': 1,
  'g6.4xlarge': 1,
  'g6.8xlarge': 1,
  'g6.16xlarge': 1,
  'g6.12xlarge': 4,
  'g6.24xlarge': 4,
  'g6.48xlarge': 8,
  'g6e.xlarge': 1,
  'g6e.2xlarge': 1,
  'g6e.4xlarge': 1,
  'g6e.8xlarge': 1,
  'g6e.16xlarge': 1,
  'g6e.12xlarge': 4,
  'g6e.24xlarge': 4,
  'g6e.48xlarge': 8,
  'gr6.4xlarge': 1,
  'gr6.8xlarge': 1,
};

/** The GPUs of an instance type, or `null` when the catalog does not know it. */
function gpuCountOf(instanceType: string): number | null {
  return GPU_COUNTS[instanceType] ?? null;
}

/** An instance type's family: the part before the dot (`g5.12xlarge` → `g5`, `p6-b200.48xlarge` → `p6-b200`). */
function familyOf(instanceType: string): string {
  return instanceType.split('.')[0] ?? instanceType;
}

/** The catalog's types of one family, with their GPU counts. */
function typesOfFamily(family: string): { readonly instanceType: string; readonly gpus: number }[] {
  return Object.entries(GPU_COUNTS)
    .filter(([instanceType]) => familyOf(instanceType) === family)
    .map(([instanceType, gpus]) => ({ instanceType, gpus }));
}

export { familyOf, GPU_COUNTS, gpuCountOf, typesOfFamily };
