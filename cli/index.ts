/**
 * The `gpu-reaper` command: parses flags with commander, runs one verb, maps errors to the documented exit codes.
 * Each verb lives in its own module and stays thin: the pass itself is in shared/.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { backtestCommand } from './backtest';
import { demoCommand } from './demo';
import { ExitCode, errorLine, exitCodeFor } from './exit-codes';
import { planCommand } from './plan';
import { reportCommand } from './report';
import { runCommand } from './run';
import { serveLinksCommand } from './serve-links';

const collect = (value: string, previous: string[]) => [...previous, value];

/** The package's version, as `npm` and `--version` know it. */
const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/**
 * Commander's own messages (`error: unknown option '--bogus'`) in the voice of every other error of the command:
 * one line that starts with `gpu-reaper:`.
 */
const OUTPUT = {
  outputError: (text: string, write: (text: string) => void) => write(text.replace(/^error:\s*/, 'gpu-reaper: ')),
};

function buildProgram(run: (verb: () => Promise<number>) => Promise<void>): Command {
  const program = new Command('gpu-reaper')
    .description('Finds idle, never-used and over-time GPU instances; warns their owners, then stops them.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--debug', 'print stack traces of unexpected errors')
    // Before the verbs are added: each verb inherits these settings.
    .configureOutput(OUTPUT)
    .exitOverride()
    .showHelpAfterError(false);

  program
    .command('plan')
    .description('one read-only pass: what the reaper would do now (writes nothing)')
    .option('--config <file>', 'JSON config file (every key optional: defaults fill the rest)')
    .option('--region <region>', 'region to scan (repeatable)', collect, [])
    .option('--account <id>', 'only this member account (repeatable; needs "accounts" in the config)', collect, [])
    .option('--now <iso>', 'evaluation clock, ISO-8601 (default: now)')
    .option('--json', 'print one JSON document on stdout')
    .action((flags) => run(() => planCommand(flags)));

  program
    .command('run')
    .description('one full pass: warn, then stop or terminate (dry-run unless mode is enforce), notify, audit')
    .option('--config <file>', 'JSON config file')
    .option('--region <region>', 'region to scan (repeatable)', collect, [])
    .option('--account <id>', 'only this member account (repeatable; needs "accounts" in the config)', collect, [])
    .option('--now <iso>', 'evaluation clock, ISO-8601 (default: now)')
    .option('--json', 'print one JSON document on stdout')
    .option('--table <name>', 'DynamoDB table for warning state and the audit trail (default: auditTable)')
    .option('--topic <arn>', 'SNS topic for notifications (default: topicArn; none: printed)')
    .action((flags) => run(() => runCommand(flags)));

  program
    .command('report')
    .description('what the reaper did over a period, from the audit trail')
    .option('--config <file>', 'JSON config file')
    .option('--since <when>', 'a duration back from now (7d) or an ISO instant', '7d')
    .option('--table <name>', 'the audit table (default: auditTable)')
    .option('--region <region>', 'region of the audit table (default: AWS_REGION, else the first of "regions")')
    .option('--now <iso>', 'end of the period, ISO-8601 (default: now)')
    .option('--json', 'print one JSON document on stdout')
    .option('--html <file>', 'also write the fleet audit as a self-contained HTML page with charts')
    .action((flags) => run(() => reportCommand(flags)));

  program
    .command('backtest')
    .description('replays the policy over N days of CloudWatch GPU history: spend, waste, what it would have done')
    .option('--days <n>', 'how many days of history, ending at --now (1 to 63)')
    .option('--config <file>', 'JSON config file')
    .option('--region <region>', 'region to read (repeatable)', collect, [])
    .option('--now <iso>', 'end of the history, ISO-8601 (default: now)')
    .option('--json', 'print one JSON document on stdout')
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .option('--sweep', 'also try a grid of idle.threshold and idle.window values')
    .action((flags) => run(() => backtestCommand(flags)));

  program
    .command('serve-links')
    .description('serves the owner-action endpoint on 127.0.0.1: the links run signs (GPU_REAPER_LINK_KEY_ID)')
    .option('--config <file>', 'JSON config file')
    .option('--port <port>', 'port on 127.0.0.1 (0: any free port)', '8787')
    .option('--table <name>', 'the warning-state and audit table (default: auditTable)')
    .action((flags) => run(() => serveLinksCommand(flags)));

  program
    .command('demo')
    .description('the whole story on a local AWS endpoint (moto): a GPU fleet, passes over simulated hours')
    .action(() => run(() => demoCommand()));

  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = ExitCode.Done;
  const program = buildProgram(async (verb) => {
    exitCode = await verb();
  });
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version end with code 0; everything else commander rejects is bad usage.
      return error.exitCode === 0 ? ExitCode.Done : ExitCode.Usage;
    }
    process.stderr.write(`${errorLine(error, argv.includes('--debug'))}\n`);
    return exitCodeFor(error);
  }
}

process.exitCode = await main(process.argv);

export { buildProgram, main };
