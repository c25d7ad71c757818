/**
 * One gpu-reaper Lambda: bundled by the local esbuild (ESM, arm64, source maps, no Docker), its own role and log
 * group, failed async invokes kept in a dead-letter queue. No reserved concurrency unless asked: an account whose
 * concurrency quota is still the new-account 10 can reserve none (AWS keeps 10 unreserved), so a default that
 * reserves would not deploy there; passes keep from overlapping with a lease in the state table instead. The reaper
 * is one instance; the weekly digest (functions/digest.ts, see weekly-digest.ts) is a second, with its own entry,
 * schedule and grants.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The repository root, where `functions/`, `package-lock.json` and `tsconfig.json` live. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The entry of a Lambda under `functions/` at the repository root. */
function functionEntry(name: string): string {
  return join(REPO_ROOT, 'functions', `${name}.ts`);
}

/** Props of {@link GpuReaperFunction}. */
interface GpuReaperFunctionProps {
  /** The TypeScript entry file exporting `handler`. */
  readonly entry: string;
  /** What the function does, shown in the console. */
  readonly description: string;
  /** Environment variables (names from `EnvName`). */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * Where async invokes go once retries are spent or they grew older than `maxEventAge`.
   * @default none: a function fed by an SQS event source has its queue's own dead-letter queue instead
   */
  readonly deadLetterQueue?: IQueue;
  /** Memory in MB. @default 512 */
  readonly memorySize?: number;
  /** Longest run. @default Duration.minutes(5) */
  readonly timeout?: Duration;
  /** Log retention. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** Oldest async invoke still worth running. @default Duration.hours(1) */
  readonly maxEventAge?: Duration;
  /** Reserved concurrency (it also caps the function's runs at once). @default none (the account's unreserved pool) */
  readonly reservedConcurrentExecutions?: number;
}

/** A gpu-reaper Lambda function with its role, log group and dead-letter queue wiring. */
class GpuReaperFunction extends Construct {
  /** The function. */
  readonly function: NodejsFunction;
  /** Its execution role: logs only until grants add to it. */
  readonly role: iam.Role;
  /** Its log group. */
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: GpuReaperFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      // Diagnostics only: the audit trail lives in the table, which is retained.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // An own role instead of AWSLambdaBasicExecutionRole: logs go to this log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.minutes(5),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // Source maps only help stack traces when Node is told to use them.
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      ...(props.deadLetterQueue
        ? {
            deadLetterQueue: props.deadLetterQueue,
            retryAttempts: 1,
            maxEventAge: props.maxEventAge ?? Duration.hours(1),
          }
        : {}),
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        tsconfig: join(REPO_ROOT, 'tsconfig.json'),
        // Some dependencies still call require(); ESM bundles need it defined.
        banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        forceDockerBundling: false,
      },
    });
    // CDK makes the function depend on its role and the role's policy; the role half repeats the GetAtt, which
    // cfn-lint reports (W3005). The policy half is needed: the function must not run before its grants exist.
    const cfnFunction = this.function.node.defaultChild as lambda.CfnFunction;
    cfnFunction.addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
  }
}

export type { GpuReaperFunctionProps };
export { functionEntry, GpuReaperFunction, REPO_ROOT };
