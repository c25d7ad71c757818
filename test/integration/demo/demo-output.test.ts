/**
 * The demo as a new user first sees it (`npm run demo`): the whole story against its own local endpoint, every line
 * within a 100-column terminal, instants in reasons written as the headings are, a protected instance never
 * shown as about to be stopped, a job downloading its data on a busy host kept while its died-at-setup neighbour on
 * a quiet host is stopped, the organization scene (a hub and two member accounts, one in enforce) and the
 * cost-gating scene (an expensive run approved from the approvers' copy, one stopped, a team over its budget).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../../shared/local/demo-story';
import { consoleDemoPrinter } from '../../../shared/render/tables/demo-printer';

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping terminal colour codes is the point here.
const ANSI = /\x1b\[[0-9;]*m/g;

describe('npm run demo', () => {
  let lines: string[] = [];
  beforeAll(async () => {
    const written: string[] = [];
    await runDemo(consoleDemoPrinter((text) => written.push(text)));
    lines = written.join('\n').replace(ANSI, '').split('\n');
  }, 120_000);

  it('fits a 100-column terminal, every line of it', () => {
    const widest = Math.max(...lines.map((line) => Array.from(line).length));
    expect(widest).toBeLessThanOrEqual(100);
    expect(lines.filter((line) => Array.from(line).length > 100)).toEqual([]);
  });

  it('writes the instants of reasons as the headings do (14:57 UTC), never as raw ISO', () => {
    expect(lines.filter((line) => /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(/.test(line))).toEqual([]);
    expect(lines.some((line) => /━━ pass 1\/5 at launch \+ 0h35m \(\d\d:\d\d UTC\)/.test(line))).toBe(true);
    expect(lines.some((line) => /will stop at \d\d:\d\d UTC \(in 30m\)/.test(line))).toBe(true);
  });

  it('shows an owner opening the link of the WARNED email and pressing Keep 4h, then the SNOOZED event', () => {
    const scene = lines.findIndex((line) => /━━ carol@example\.com answers from the WARNED email/.test(line));
    expect(scene).toBeGreaterThan(0);
    const told = lines.slice(scene, scene + 10).join('\n');
    expect(told).toMatch(/GET {2}http:\/\/127\.0\.0\.1:\d+\/\?t=/);
    expect(told).toMatch(/→ 200: "Keep i-\w+ for 4h\?"/);
    expect(told).toMatch(/presses "Keep 4h": POST → 200: Done\. Kept until (\w{3} \d{1,2} )?\d\d:\d\d UTC/);
    expect(told).toMatch(/→ SNOOZED +jupyter-notebook +snoozed +by owner/);
    // The next pass leaves the notebook snoozed rather than stopping it.
    expect(lines.some((line) => /│ jupyter-notebook │ skip: snoozed/.test(line))).toBe(true);
    expect(lines.some((line) => /│ jupyter-notebook │ act/.test(line))).toBe(false);
  });

  /** Each pass's row for `name`: its decision and reason cells, each cell's wrapped lines joined. */
  const rowsOf = (name: string, passHeading = '━━ pass ') =>
    lines.flatMap((line, index) => {
      if (!line.startsWith(`│ ${name} `)) return [];
      const pass = lines.slice(0, index).findLast((heading) => heading.startsWith(passHeading));
      if (!pass) return [];
      const block: string[] = [];
      for (const next of lines.slice(index)) {
        if (!next.startsWith('│')) break;
        block.push(next);
      }
      const cell = (column: number) =>
        block
          .map((row) => row.split('│')[column]!.trim())
          .filter(Boolean)
          .join(' ');
      return [{ pass: /(gating )?pass \d+\/\d+/.exec(pass)![0], decision: cell(2), reason: cell(3) }];
    });

  it('keeps the job downloading its data on a busy host, then sees its GPU busy: never warned, still running', () => {
    const rows = rowsOf('dataset-download');
    expect(rows.map((row) => row.pass)).toEqual(['pass 1/5', 'pass 2/5', 'pass 3/5', 'pass 4/5', 'pass 5/5']);
    expect(rows[0]!.decision).toMatch(/^keep idle 35m, \$[\d.]+ burned$/);
    // 4 or 5 complete 5-minute periods after the agent's first 10m, as the launch falls in the clock's periods.
    expect(rows[0]!.reason).toMatch(
      new RegExp(
        '^GPU never used in 35m since launch \\(max 0%\\), but the host is busy: CPU max 60%, network up to 300 ' +
          'MiB/min; busy in ([45]) of \\1 5-minute periods; still setting up \\(a download, preprocessing\\?\\), ' +
          'not died at setup$',
      ),
    );
    for (const row of rows.slice(1)) {
      expect(row.decision).toMatch(/^keep /);
      expect(row.reason).toMatch(/^no rule applies: running \dh\d*m?, GPU busy/);
    }
    expect(lines.some((line) => /→ (WARNED|STOPPED) +dataset-download/.test(line))).toBe(false);
    expect(lines).toContain('dataset-download   running');
  });

  it('stops the job that died at setup, its host quiet, and reads every idle host: none unknown', () => {
    const rows = rowsOf('died-at-setup');
    expect(rows[0]!.decision).toMatch(/^warn: never-used stop at \d\d:\d\d UTC \(in 30m\)/);
    expect(rows[0]!.reason).toMatch(
      /host quiet \(CPU max 1(\.\d)?%, network up to 0\.02 MiB\/min; busy in 0 of [3-5] 5-minute periods\); will stop at/,
    );
    expect(rows[1]!.decision).toMatch(/^act ✓: never-used/);
    expect(rows[1]!.reason).toMatch(
      /host quiet \(CPU max 1(\.\d)?%, network up to 0\.02 MiB\/min; busy in 0 of 1[0-2] 5-minute/,
    );
    expect(lines.some((line) => /→ STOPPED +died-at-setup +never-used/.test(line))).toBe(true);
    expect(lines).toContain('died-at-setup      stopped');
    for (const name of ['jupyter-notebook', 'protected-box', 'bursty-eval']) {
      expect(rowsOf(name).some((row) => /host quiet \(CPU max 1\.\d%/.test(row.reason))).toBe(true);
    }
    expect(lines.filter((line) => line.includes('host activity unknown'))).toEqual([]);
    // The story is told before the first pass.
    const told = lines
      .slice(
        0,
        lines.findIndex((line) => line.startsWith('━━ pass 1/5')),
      )
      .join(' ');
    expect(told).toContain('dataset-download waits 45m for its data and is kept');
    expect(told).toContain('died-at-setup has a quiet host and is stopped');
  });

  it('shows no stop for the protected instance, only what happens', () => {
    const rows = lines.filter((line) => line.startsWith('│ protected-box'));
    const protectedRows = rows.filter((line) => line.includes('skip: protected'));
    expect(protectedRows.length).toBeGreaterThan(0);
    for (const [index, line] of lines.entries()) {
      if (!line.includes('skip: protected')) continue;
      expect(lines[index + 1]).toMatch(/│\s+│ none \(protected\)\s+│/);
    }
  });

  it('shows a hub and two member accounts: targets, decisions, audit items and report by account', () => {
    const scene = lines.findIndex((line) => line.startsWith('━━ many accounts: a hub and two member accounts'));
    expect(scene).toBeGreaterThan(0);
    const told = lines.slice(scene);
    const member = (name: string) =>
      told
        .map((line) => new RegExp(`│ (\\d{12}) +│ ${name} +│ arn:aws:sts::\\1:assumed-role/`).exec(line)?.[1])
        .find(Boolean)!;
    const research = member('research');
    const platform = member('platform');
    expect(research).toMatch(/^\d{12}$/);
    expect(platform).toMatch(/^\d{12}$/);
    expect(research).not.toBe(platform);
    // Each account × region is a target of its own, research in enforce by override, platform in dry-run.
    for (const region of ['us-east-1', 'us-west-2']) {
      expect(
        told.some((line) => new RegExp(`│ ${research} +│ research +│ ${region} +│ enforce +│ ok`).test(line)),
      ).toBe(true);
      expect(
        told.some((line) => new RegExp(`│ ${platform} +│ platform +│ ${region} +│ dry-run +│ ok`).test(line)),
      ).toBe(true);
    }
    // A member account's owner keeps an instance by link: the hub's endpoint acts through the spoke role.
    const answer = told.slice(told.findIndex((line) => line.startsWith("━━ a member account's owner answers by link")));
    expect(answer[0]).toBeDefined();
    expect(answer.join('\n')).toContain(`noor@example.com (account platform ${platform}) opens "Keep it for 4h"`);
    expect(answer.some((line) => /^ {2}GET {2}http:\/\/127\.0\.0\.1:\d+\/\?t=[A-Za-z0-9_-]{16}…$/.test(line))).toBe(
      true,
    );
    expect(answer.some((line) => /→ 200: "Keep i-[0-9a-f]+ for 4h\?"/.test(line))).toBe(true);
    expect(answer.some((line) => /POST → 200: Done\. Kept until \d\d:\d\d UTC\./.test(line))).toBe(true);
    expect(answer.join(' ')).toContain(`assumed GpuReaperSpoke in ${platform}`);
    expect(
      answer.some((line) => new RegExp(`→ SNOOZED +platform ${platform} +pf-setup-fail +by owner`).test(line)),
    ).toBe(true);
    // The hub's audit trail carries each event's accountId: a stop in research, the owner's keep in platform.
    const audit = told.slice(told.findIndex((line) => line.startsWith("━━ the hub's audit trail")));
    expect(audit.some((line) => new RegExp(`│ ${research} +│ research +│ STOPPED +│ rs-notebook`).test(line))).toBe(
      true,
    );
    for (const event of ['SNOOZED', 'CLEARED']) {
      const row = new RegExp(`│ ${platform} +│ platform +│ ${event} +│ pf-setup-fail .*│ owner +│`);
      expect(audit.some((line) => row.test(line))).toBe(true);
    }
    expect(audit.some((line) => new RegExp(`│ ${platform} +│ platform +│ (STOPPED|WOULD_STOP)`).test(line))).toBe(
      false,
    );
    // The report groups by account, and by owner within it.
    const report = told.slice(told.findIndex((line) => line.startsWith('━━ gpu-reaper report an hour later')));
    expect(report.some((line) => new RegExp(`│ ${research} +│ research +│ \\(all\\) +│ 2 +│ 1 `).test(line))).toBe(
      true,
    );
    expect(report.some((line) => new RegExp(`│ ${platform} +│ platform +│ \\(all\\) +│ 3 +│ 0 `).test(line))).toBe(
      true,
    );
    expect(report.some((line) => /│ +│ +│ lee@example\.com +│ 2 /.test(line))).toBe(true);
    expect(told).toContain('research   rs-notebook     stopped');
    expect(told).toContain('platform   pf-setup-fail   running');
  });

  describe('the cost-gating scene', () => {
    const scene = () => lines.slice(lines.findIndex((line) => line.startsWith('━━ Cost-gating: approval before')));
    const told = () => scene().join('\n');
    const gated = (name: string) => rowsOf(name, '━━ gating pass ');
    /** The lines of one message block: from its label to the next unindented line. */
    const block = (label: RegExp) => {
      const all = scene();
      const start = all.findIndex((line) => label.test(line));
      const end = all.findIndex((line, index) => index > start && !line.startsWith(' '));
      return all.slice(start, end).join('\n');
    };
    /** A heading's lines, up to the blank line that ends them. */
    const section = (heading: RegExp) => {
      const all = scene();
      const start = all.findIndex((line) => heading.test(line));
      return all.slice(start, all.indexOf('', start)).join('\n');
    };

    it('tells what the admin configured, and why', () => {
      expect(scene().length).toBeGreaterThan(1);
      expect(told()).toContain('No open-source tool gates a raw EC2 launch on its projected cost.');
      expect(told()).toContain('gating: { threshold: 200, approvers: ["ml-leads@example.com"], grace: "15m" }');
      expect(told()).toContain('budgets: { tag: "Team", monthlyUsd: { "vision": 7, "*": 20000 }, warnAt: 0.8 }');
    });

    it('warns the expensive runs, the owner without an approve link, the approvers with one', () => {
      const first = gated('llm-pretrain')[0]!;
      expect(first.pass).toBe('gating pass 1/8');
      expect(first.decision).toMatch(/^warn: unapproved stop at \d\d:\d\d UTC \(in 15m\)/);
      expect(first.reason).toContain(
        'projected cost $263.49 (p4d.24xlarge at $21.9576/h × 12h, maxRuntime.default) reaches the $200.00 ' +
          'approval threshold',
      );
      const owners = block(/^dana@example\.com's WARNED email about llm-pretrain/);
      expect(owners).toContain('Ask ml-leads@example.com to approve it');
      expect(owners).not.toContain('Approve for');
      const approvers = block(/^The approvers' copy to ml-leads@example\.com/);
      expect(approvers).toMatch(/Approval needed: GPU instance i-\w+ \(p4d\.24xlarge\)/);
      expect(approvers).toMatch(/Approve for 24h: i-\w+, and withdraw the planned stop/);
      expect(approvers).toMatch(/http:\/\/127\.0\.0\.1:\d+\/\?t=/);
    });

    it('shows the approval page, the POST approving it, APPROVED by the approver and the approval as deadline', () => {
      const approval = section(/^━━ ml-leads@example\.com approves llm-pretrain from the approvers' copy/);
      expect(approval).toMatch(/GET {2}http:\/\/127\.0\.0\.1:\d+\/\?t=/);
      expect(approval).toMatch(/→ 200: "Approve i-\w+ \(p4d\.24xlarge\) for 24h\?"/);
      expect(approval).toMatch(/presses "Approve for 24h": POST → 200: Done\. Approved until/);
      expect(approval).toMatch(/→ APPROVED +llm-pretrain +unapproved +by approver/);
      expect(told()).toMatch(/│ \d\d:\d\d │ APPROVED │ llm-pretrain │ unapproved │ approver │ dana@example\.com │/);
      const next = gated('llm-pretrain')[1]!;
      expect(next.pass).toBe('gating pass 2/8');
      expect(next.decision).toMatch(/^keep/);
      expect(next.reason).toMatch(
        /max-runtime deadline \w{3} \d{1,2} \d\d:\d\d UTC \(in 23h5\dm\) \(approved until then\)/,
      );
      expect(scene()).toContain('llm-pretrain   running');
    });

    it('stops the run nobody approves 15m after its warning, in enforce', () => {
      const rows = gated('hpo-sweep');
      expect(rows.map((row) => row.decision.split(' ')[0])).toEqual(['warn:', 'warn:', 'act']);
      expect(rows[2]!.decision).toMatch(/^act ✓: unapproved stop at \d\d:\d\d UTC \(now\)/);
      expect(told()).toMatch(/→ STOPPED +hpo-sweep +unapproved +sam@example\.com/);
      expect(scene()).toContain('hpo-sweep      stopped');
      expect(told()).toContain('hpo-sweep, never approved, was stopped 15m after its warning (mode enforce');
    });

    it('tells the team of its budget at 80% once, then gates every run of it at 100%', () => {
      const warnAt = scene().findIndex((line) =>
        /━━ gating pass 6\/8 .*team vision \$5\.67 of \$7\.00 \(81%\)/.test(line),
      );
      expect(warnAt).toBeGreaterThan(0);
      expect(told()).toContain('Team vision has spent $5.67 of its $7.00 monthly GPU budget (81%) this month.');
      expect(told()).toContain('Subject: [gpu-reaper] team vision at 81% of its monthly GPU budget');
      expect(told()).toMatch(/gating pass 7\/8 at .*: no decision changed, no transition; team vision \$6\.62/);
      for (const name of ['vision-a', 'vision-b']) {
        const rows = gated(name);
        expect(rows.slice(0, -1).every((row) => row.decision.startsWith('keep'))).toBe(true);
        expect(rows.at(-1)!.pass).toBe('gating pass 8/8');
        expect(rows.at(-1)!.decision).toMatch(/^warn: unapproved stop at \d\d:\d\d UTC \(in 15m\)/);
        expect(rows.at(-1)!.reason).toMatch(/^team "vision" is over its \$7\.00 monthly budget \(\$7\.56 spent/);
      }
      expect(told()).toContain('Subject: [gpu-reaper] team vision is over its monthly GPU budget');
      expect(told()).toContain('Told once this month to vic@example.com and wen@example.com, as the team reached 80%:');
      expect(told()).toContain(
        'Told once this month to vic@example.com and wen@example.com, as the team went over budget:',
      );
    });
  });
});
