/**
 * One target's pass (account × region): its own config (overrides merged), the spoke role's credentials, its own
 * EC2 and CloudWatch clients, and the hub's table and topics. Never throws: a target whose config does not hold,
 * whose role cannot be assumed or whose region cannot be scanned (throttled, off) is an `error` result for that
 * target alone, and in `run` its region-level `ERROR` is audited with the account id like any other.
 */
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { toAwsError } from '../../adapters/aws/aws-errors';
import type { CallCounter, ClientFactoryOptions } from '../../adapters/aws/clients';
import type { Config } from '../../config';
import { ReaperError } from '../../errors';
import { composeOwnerLinks } from '../../owner-actions/compose';
import { composePrices, composePublisher, composeRegions, composeTable, type PassEdges } from '../compose';
import { composeChat } from '../compose-chat';
import { mapWithConcurrency } from '../concurrency';
import { planPass } from '../plan-pass';
import { type RunPassResult, runPass } from '../run-pass';
import type { TimeBudget } from '../time-budget';
import type { PassResult, RegionActor, RegionReader } from '../types';
import type { Target } from './target';
import { targetConfig } from './target-config';
import { spokeCredentials } from './target-credentials';

/** The hub's side of every target pass: the base config, the clock, the table and topics, the client settings. */
interface TargetEdges {
  /** The base config, `accounts` set. */
  readonly config: Config;
  readonly now: Date;
  /** The hub's region: table, topics and STS. */
  readonly homeRegion: string;
  /** The state and audit table; required by `run`, read (pending warnings) by `plan` when set. */
  readonly table: string | null;
  readonly topicArn: string | null;
  readonly adminTopicArn?: string | null;
  /** The chat topic (AWS Chatbot): every event is posted there too, with its Keep button. @default no chat */
  readonly chatTopicArn?: string | null;
  /**
   * The hub's link key and the endpoint's URL (else `notifications.links.baseUrl`): WARNED messages of every
   * target carry the owner's signed links, and the approvers' copy its approve links, as in one account; the hub's
   * endpoint answers them through the account's spoke role. @default no key: tag instructions only
   */
  readonly links?: { readonly keyId: string | null | undefined; readonly baseUrl?: string | null };
  /** Counts every AWS call, when given. @default no counting */
  readonly counter?: CallCounter;
  /** Settings and layers of every client (tests: a fault injector). @default the project's defaults */
  readonly clients?: ClientFactoryOptions;
  readonly stateTable?: PassEdges['stateTable'];
  /** Told of every failure a pass absorbed, with the target. @default ignored */
  readonly onProblem?: (target: Target, message: string, error: unknown) => void;
  /** Time left (the worker Lambda's): past its reserve no new instance is started. @default no limit */
  readonly budget?: TimeBudget;
  /**
   * The credentials of a target's account.
   * @default the spoke role (`accounts.roleName`, `accounts.externalId`) assumed from the SDK's credentials
   */
  readonly credentialsFor?: (target: Target) => AwsCredentialIdentityProvider;
}

/** How one target's pass went; `result` is absent only when no pass could start (its config did not hold). */
interface TargetResult<R extends PassResult = PassResult | RunPassResult> {
  readonly target: Target;
  readonly status: 'ok' | 'error';
  /** What went wrong, for `status: 'error'`: one line. */
  readonly error?: string;
  readonly result?: R;
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');

/** A region that cannot be read because the account's role could not be assumed. */
function unreachable(region: string, error: unknown): { reader: RegionReader; actor: RegionActor } {
  const fail = async (): Promise<never> => {
    throw error;
  };
  return {
    reader: { region, scanGpuInstances: fail, readGpuTelemetry: fail },
    actor: { region, describeForAction: fail, stop: fail, terminate: fail, setTags: fail, removeTags: fail },
  };
}

/** The error of an AssumeRole that failed, in words that name the role. */
function assumeRoleError(target: Target, config: Config, homeRegion: string, error: unknown): ReaperError {
  const wrapped = toAwsError(error, 'AssumeRole', homeRegion);
  const role = config.accounts?.roleName ?? 'the spoke role';
  return new ReaperError(
    wrapped.code,
    `role ${role} in account ${target.accountId} could not be assumed: ${oneLine(wrapped.message)}`,
    { cause: error },
  );
}

/**
 * Runs the pass of one target: `plan` (read only) or `run` (warn, act, notify, audit). Never throws.
 *
 * @example
 * const outcome = await runTargetPass({ accountId: '111111111111', region: 'us-east-1', ouPath: [] }, edges, 'run');
 * if (outcome.status === 'error') logger.error(outcome.error);
 */
async function runTargetPass(target: Target, edges: TargetEdges, mode: 'plan'): Promise<TargetResult<PassResult>>;
async function runTargetPass(target: Target, edges: TargetEdges, mode: 'run'): Promise<TargetResult<RunPassResult>>;
async function runTargetPass(target: Target, edges: TargetEdges, mode: 'plan' | 'run'): Promise<TargetResult>;
async function runTargetPass(target: Target, edges: TargetEdges, mode: 'plan' | 'run'): Promise<TargetResult> {
  try {
    const config = targetConfig(edges.config, target);
    const accounts = edges.config.accounts;
    const credentials =
      edges.credentialsFor?.(target) ??
      spokeCredentials({
        accountId: target.accountId,
        roleName: accounts?.roleName ?? 'GpuReaperSpoke',
        externalId: accounts?.externalId ?? null,
        homeRegion: edges.homeRegion,
        ...(edges.clients ? { clients: edges.clients } : {}),
      });
    // Assumed once up front: a role that cannot be assumed is one clear error, not one per call.
    const refused = await credentials().then(
      () => null,
      (error: unknown) => assumeRoleError(target, edges.config, edges.homeRegion, error),
    );
    const passEdges: PassEdges = {
      config,
      regions: [target.region],
      homeRegion: edges.homeRegion,
      table: edges.table,
      topicArn: edges.topicArn,
      ...(edges.adminTopicArn !== undefined ? { adminTopicArn: edges.adminTopicArn } : {}),
      ...(edges.counter ? { counter: edges.counter } : {}),
      ...(edges.clients ? { clients: edges.clients } : {}),
      ...(edges.stateTable ? { stateTable: edges.stateTable } : {}),
      target: { accountId: target.accountId, credentials },
    };
    const { readers, actorFor } = refused ? failingRegion(target.region, refused) : composeRegions(passEdges);
    const onProblem = (message: string, error: unknown) => edges.onProblem?.(target, message, error);
    const livePrices = composePrices(passEdges, onProblem);
    const result =
      mode === 'plan'
        ? await planPass({
            config,
            now: edges.now,
            readers,
            ...(edges.table ? { store: composeTable(passEdges, edges.table).store } : {}),
            livePrices,
            onProblem,
          })
        : await runPass({
            config,
            now: edges.now,
            readers,
            actorFor,
            ...composeTable(passEdges, requiredTable(edges.table)),
            publisher: targetPublisher(passEdges, edges, onProblem),
            livePrices,
            onProblem,
            accountId: target.accountId,
            ...(edges.budget ? { budget: edges.budget } : {}),
          });
    const failures = result.regionFailures.map((failure) => `${oneLine(failure.message)} (${failure.code})`);
    return failures.length > 0
      ? { target, status: 'error', error: failures.join('; '), result }
      : { target, status: 'ok', result };
  } catch (error) {
    return { target, status: 'error', error: oneLine((error as Error).message ?? String(error)) };
  }
}

/**
 * The target's publisher, exactly as the single-account reaper's: the hub's topic (and chat topic), with the
 * owner's signed links in WARNED messages and the approvers' copy of an unapproved run (its approve links when
 * there is a key), each signed for the target's account and made with the target's own config.
 */
function targetPublisher(passEdges: PassEdges, edges: TargetEdges, onProblem: (m: string, e: unknown) => void) {
  const clients = edges.clients ? { clients: edges.clients } : {};
  const chat = { chatTopicArn: edges.chatTopicArn, homeRegion: edges.homeRegion, ...clients, onProblem };
  return composeOwnerLinks(composeChat(composePublisher(passEdges), chat), {
    config: passEdges.config,
    homeRegion: edges.homeRegion,
    keyId: edges.links?.keyId,
    baseUrl: edges.links?.baseUrl,
    ...clients,
    onProblem,
  });
}

function failingRegion(region: string, error: unknown) {
  const { reader, actor } = unreachable(region, error);
  return { readers: [reader], actorFor: () => actor };
}

function requiredTable(table: string | null): string {
  if (!table) throw new Error('a run pass needs the state and audit table');
  return table;
}

/**
 * Runs the passes of many targets, at most `concurrency` at once, in the order given. Never throws.
 *
 * @param concurrency targets in flight at once (each is one account × region) @default 4
 */
async function runTargetPasses(
  targets: readonly Target[],
  edges: TargetEdges,
  mode: 'plan' | 'run',
  concurrency = 4,
): Promise<TargetResult[]> {
  return mapWithConcurrency(targets, concurrency, (target) => runTargetPass(target, edges, mode));
}

export type { TargetEdges, TargetResult };
export { runTargetPass, runTargetPasses };
