/**
 * One IAM policy simulation (@cloud-copilot/iam-simulate) of a synthesized role: moto does not evaluate IAM, so
 * these are the tests that catch a policy or trust mistake.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';

type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** What one simulated request asks, and the policies that decide it. */
interface SimulatedRequest {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly identityPolicy: unknown;
  /** The resource's own policy (a KMS key policy, a role's trust policy). @default none */
  readonly resourcePolicy?: unknown;
  readonly context?: Record<string, string | string[]>;
}

/** Whether IAM allows the request; a policy the simulator cannot read fails the test. */
async function simulate(request: SimulatedRequest): Promise<Decision> {
  const response = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount },
        contextVariables: request.context ?? {},
      },
      identityPolicies: [{ name: 'identity', policy: request.identityPolicy }],
      ...(request.resourcePolicy === undefined ? {} : { resourcePolicy: request.resourcePolicy }),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (response.resultType === 'error') throw new Error(JSON.stringify(response.errors));
  return response.overallResult as Decision;
}

export type { Decision, SimulatedRequest };
export { simulate };
