/**
 * The reaper Lambda: one pass per EventBridge schedule tick, and (with cost-gating or budgets) one pass of a region
 * when an instance there starts running. Reads like the pass itself: load config → choose the regions (every one for
 * a tick, the event's for a launch) → lease the account and region → build adapters → scan → read metrics → decide →
 * act → notify → audit → publish metrics. The lease (the fan-out's target lease, in the state table) keeps passes
 * from overlapping with no reserved concurrency: a tick that finds it held (an EventBridge retry, a tick during a slow
 * pass) logs and returns, the next tick covers it; a launch that finds it held throws, so that Lambda's asynchronous
 * retry delivers the event again a minute later and the launch is not left to the next tick. The state table's
 * conditional writes keep a retried invocation from repeating a transition.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { clientOptions } from '../shared/adapters/aws/clients';
import { leaseKey, TargetLeases } from '../shared/adapters/dynamodb/target-leases';
import { configFromEnvironment, EnvName, ReaperMetrics, requiredEnv } from '../shared/config';
import { summarize } from '../shared/engine';
import { PassBusyError } from '../shared/errors';
import { composeOwnerLinks } from '../shared/owner-actions/compose';
import { composePrices, composePublisher, composeRegions, composeTable } from '../shared/pass/compose';
import { composeChat } from '../shared/pass/compose-chat';
import { passRequest } from '../shared/pass/launch-event';
import { runLeased } from '../shared/pass/pass-lease';
import { runPass } from '../shared/pass/run-pass';

const logger = new Logger({ serviceName: ReaperMetrics.service });
const metrics = new Metrics({ namespace: ReaperMetrics.namespace, serviceName: ReaperMetrics.service });

/** The longest a Lambda runs (its timeout cap): the lease's length when no context tells the time left. */
const LONGEST_RUN_MS = 15 * 60_000;

/** The account of this function, from its ARN (`arn:aws:lambda:<region>:<account>:function:<name>`). */
const accountOf = (context?: Context) => context?.invokedFunctionArn.split(':')[4];

/**
 * Runs one pass (a schedule tick, or a launch: EC2's state-change event) and returns its summary.
 * @throws PassBusyError on a launch while another pass holds the lease (Lambda retries the event)
 */
export const handler = async (event: EventBridgeEvent<string, unknown>, context?: Context) => {
  const started = Date.now();
  const config = configFromEnvironment((error) => logger.error('invalid configuration', { error }));
  const homeRegion = requiredEnv('AWS_REGION');
  const table = process.env[EnvName.Table] ?? config.auditTable;
  if (!table) throw new Error(`no table: set ${EnvName.Table} or auditTable`);
  logger.appendKeys({ requestId: context?.awsRequestId, mode: config.mode });
  const request = passRequest(event, { configured: config.regions, homeRegion });
  if (request.trigger === 'ignored') {
    logger.info('state change ignored: no pass', { ...request });
    return { ignored: true, reason: request.reason, mode: config.mode };
  }
  logger.appendKeys({ trigger: request.trigger });
  const edges = {
    config,
    regions: request.regions,
    homeRegion,
    table,
    topicArn: process.env[EnvName.TopicArn] ?? config.topicArn,
    adminTopicArn: process.env[EnvName.AdminTopicArn] ?? null,
  };

  const onProblem = (message: string, error: unknown) => logger.warn(message, { error: (error as Error).message });
  const now = new Date();
  // One lease for every pass of this account, tick or launch: this account and the stack's region.
  const target = { accountId: accountOf(context) ?? 'self', region: homeRegion };
  const leases = new TargetLeases(
    DynamoDBDocumentClient.from(new DynamoDBClient(clientOptions(homeRegion))),
    table,
    homeRegion,
  );
  const leaseOptions = {
    now,
    durationMs: context?.getRemainingTimeInMillis() ?? LONGEST_RUN_MS,
    onReleaseFailed: (error: unknown) => onProblem('releasing the pass lease failed (it expires on its own)', error),
  };
  const run = await runLeased(leases, target, leaseOptions, () =>
    runPass({
      config,
      now,
      ...composeRegions(edges),
      ...composeTable(edges, table),
      // WARNED messages carry the owner's signed links when the stack gives a key and the endpoint's URL.
      // With a chat topic every event is also posted to chat (inside: the links are signed before both posts).
      publisher: composeOwnerLinks(
        composeChat(composePublisher(edges), {
          chatTopicArn: process.env[EnvName.ChatTopicArn],
          homeRegion,
          onProblem,
        }),
        {
          config,
          homeRegion,
          keyId: process.env[EnvName.LinkKeyId],
          baseUrl: process.env[EnvName.OwnerActionUrl],
          onProblem,
        },
      ),
      livePrices: composePrices(edges, onProblem),
      onProblem,
      // Stop starting new instances 30 s before the timeout: what is left waits for the next tick, never half-done.
      ...(context ? { budget: { remainingMs: () => context.getRemainingTimeInMillis(), reserveMs: 30_000 } } : {}),
    }),
  );
  if (!run.ran) {
    const lease = leaseKey(target).pk;
    logger.warn('another pass of this account and region is still running: this invocation backs off', { lease });
    metrics.addMetric(ReaperMetrics.targetsBusy, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
    if (request.trigger === 'launch') {
      const launched = `${request.instanceId ?? 'an instance'} (${request.regions[0]})`;
      throw new PassBusyError(lease, `a pass holds the lease ${lease}: the launch of ${launched} is retried by Lambda`);
    }
    return { skipped: true, lease, mode: config.mode };
  }
  const result = run.result;

  const summary = summarize(result.decisions, result.regionFailures.length);
  metrics.addMetric(ReaperMetrics.instancesScanned, MetricUnit.Count, summary.scanned);
  metrics.addMetric(ReaperMetrics.warned, MetricUnit.Count, summary.warned);
  metrics.addMetric(ReaperMetrics.acted, MetricUnit.Count, summary.acted);
  metrics.addMetric(ReaperMetrics.notified, MetricUnit.Count, summary.notified);
  // Every failure the pass absorbed (failed calls, unscanned regions, unread telemetry), each counted once.
  metrics.addMetric(ReaperMetrics.errors, MetricUnit.Count, result.errors);
  metrics.addMetric(ReaperMetrics.passDuration, MetricUnit.Milliseconds, Date.now() - started);
  metrics.addMetric(ReaperMetrics.passCompleted, MetricUnit.Count, 1);
  metrics.addMetric(ReaperMetrics.deferred, MetricUnit.Count, result.deferred.length);
  for (const decision of result.decisions.filter((d) => d.outcome === 'act')) {
    metrics
      .singleMetric()
      .addDimension('Rule', decision.rule ?? 'none')
      .addMetric(ReaperMetrics.acted, MetricUnit.Count, 1);
  }
  metrics.publishStoredMetrics();

  for (const failure of result.regionFailures) logger.error('region not scanned', { ...failure });
  logger.info('pass done', {
    passId: result.passId,
    summary,
    events: result.events.length,
    recovered: result.recovered,
    deferred: result.deferred.length,
    // Listed GPU series that named no scanned instance: a misconfigured agent fleet shows here.
    unmatchedSeries: result.unmatchedSeries ?? 0,
    // GetMetricData calls that timed out or were throttled and were split in halves and retried.
    telemetrySplits: result.telemetrySplits ?? 0,
  });
  if (result.deferred.length > 0) {
    logger.warn('ran short of time: instances deferred to the next pass', { deferred: result.deferred });
  }
  return {
    passId: result.passId,
    mode: result.mode,
    summary,
    events: result.events.length,
    deferred: result.deferred.length,
  };
};
