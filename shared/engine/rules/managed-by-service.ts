/** Rule 2, `managed-by-service`: instances that EKS, Batch, ParallelCluster or SageMaker HyperPod run are theirs. */
import type { Rule } from './context';

/**
 * Tag keys that mark an instance as run by another service; a key ending in `/` matches as a prefix
 * (`kubernetes.io/cluster/<name>`).
 */
const SERVICE_TAG_KEYS = [
  'eks:cluster-name',
  'eks:nodegroup-name',
  'aws:eks:cluster-name',
  'kubernetes.io/cluster/',
  'karpenter.sh/nodepool',
  'karpenter.sh/provisioner-name',
  'aws:batch:compute-environment',
  'AWSBatchServiceTag',
  'parallelcluster:cluster-name',
  'parallelcluster:node-type',
  'sagemaker:cluster-name',
  'aws:sagemaker:cluster-name',
] as const;

/**
 * The first tag key of `tags` that marks a managing service, or `undefined`.
 *
 * @example serviceTagKey({ 'kubernetes.io/cluster/ml': 'owned' }) // 'kubernetes.io/cluster/ml'
 */
function serviceTagKey(tags: Readonly<Record<string, string>>): string | undefined {
  return Object.keys(tags).find((key) =>
    SERVICE_TAG_KEYS.some((marker) => (marker.endsWith('/') ? key.startsWith(marker) : key === marker)),
  );
}

/** Skips an instance that another service manages: stopping it would fight that service. */
const managedByService: Rule = ({ instance }) => {
  const key = serviceTagKey(instance.tags);
  if (key === undefined) return null;
  return {
    rule: 'managed-by-service',
    verdict: 'skip',
    reason: `managed by another service (tag ${key})`,
    evidence: { managedByTag: key },
  };
};

export { managedByService, SERVICE_TAG_KEYS, serviceTagKey };
