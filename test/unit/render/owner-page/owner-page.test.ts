/**
 * The owner-action pages: every value escaped (owner tags and Name tags are anyone's text), readable on a phone,
 * nothing fetched and no script, and a confirmation page that only a button's POST goes past.
 */
import { describe, expect, it } from 'vitest';
import { renderConfirmPage, renderNotKeptPage } from '../../../../shared/render/owner-page/confirm-page';
import { escapeHtml, html } from '../../../../shared/render/owner-page/html';
import { renderOutcomePage, renderRefusedPage } from '../../../../shared/render/owner-page/outcome-page';

const HOSTILE = `<script>alert(1)</script>"'&`;
const view = {
  instanceId: 'i-0123456789abcdef0',
  region: 'us-east-1',
  instanceType: 'g5.xlarge',
  state: 'running',
  owner: HOSTILE,
  name: `"><img src=x onerror=alert(1)>`,
  warning: { rule: 'idle', action: 'stop', actAt: new Date('2026-11-21T13:30:00.000Z') },
};
const base = {
  token: 'abc.def',
  view,
  mode: 'enforce' as const,
  tagPrefix: 'gpu-reaper:',
  expiresAt: new Date('2026-11-22T13:30:00.000Z'),
};

describe('escapeHtml', () => {
  it('escapes the five characters that matter and nothing else', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(escapeHtml('plain text, 100% ok')).toBe('plain text, 100% ok');
    expect(escapeHtml(42)).toBe('42');
  });

  it('escapes every value of a template, lists too, but not markup built the same way', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${HOSTILE}${[inner, '<u>']}</p>`.html).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;<b>&lt;i&gt;</b>&lt;u&gt;</p>',
    );
  });
});

describe('the confirmation page', () => {
  const page = renderConfirmPage({
    ...base,
    ask: { kind: 'keep', duration: '4h', until: new Date('2026-11-21T17:00:00.000Z'), capped: false },
  });

  it('escapes the owner and the Name tag', () => {
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
  });

  it('reads well on a phone and loads nothing: viewport, system fonts, no script, no external URL', () => {
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).toContain('system-ui');
    const plain = renderConfirmPage({
      ...base,
      view: { ...view, owner: 'carol@example.com', name: null },
      ask: { kind: 'stop' },
    });
    expect(plain).not.toMatch(/<script|<link|<img|src=|https?:\/\//);
  });

  it('names the instance, the owner, what happens and until when, with a POST form carrying the token', () => {
    expect(page).toContain('Keep i-0123456789abcdef0 for 4h?');
    expect(page).toContain('2026-11-21 17:00 UTC');
    expect(page).toContain('stop at 2026-11-21 13:30 UTC (rule idle)');
    expect(page).toMatch(
      /<form method="post">\s*<input type="hidden" name="t" value="abc.def">\s*<button type="submit">Keep 4h<\/button>/,
    );
    expect(page).toContain('opening this page does nothing');
  });

  it('says a dry-run stop leaves the instance running', () => {
    const stop = renderConfirmPage({ ...base, mode: 'dry-run', ask: { kind: 'stop' } });
    expect(stop).toContain('Stop i-0123456789abcdef0 now?');
    expect(stop).toContain('dry-run mode');
    expect(stop).toContain('class="stop">Stop it now</button>');
  });
});

describe('the outcome and refusal pages', () => {
  it('say what was done, escaped', () => {
    const page = renderOutcomePage({ done: true, summary: `Kept ${HOSTILE}`, view, dryRunStop: false });
    expect(page).toContain('<h1>Done</h1>');
    expect(page).not.toContain('<script>alert');
  });

  it.each([
    ['forged', 'This link is not valid'],
    ['expired', 'This link has expired'],
    ['used', 'This link was used already'],
    ['stale', 'This warning is no longer pending'],
    ['outdated', 'This link is out of date'],
  ] as const)('say plainly why a %s link changed nothing', (reason, title) => {
    const page = renderRefusedPage(reason);
    expect(page).toContain(`<h1>${title}</h1>`);
    expect(page).toMatch(/[Nn]othing (more )?was changed/);
  });

  it('say a refused POST that changed nothing left the link unused, and only then', () => {
    const refused = { done: false, summary: 'It is stopped: there is nothing to keep.', view, dryRunStop: false };
    expect(renderOutcomePage({ ...refused, stillWorks: true })).toContain('this link was not used up');
    expect(renderOutcomePage(refused)).not.toContain('not used up');
  });

  it('offer no keep for a warning a snooze does not hold back, and name the tag that would', () => {
    const maxRuntime = { ...view, warning: { rule: 'max-runtime', action: 'stop', actAt: view.warning.actAt } };
    const page = renderNotKeptPage({ view: maxRuntime, tagPrefix: 'gpu-reaper:' });
    expect(page).toContain('A snooze does not hold back a <strong>max-runtime</strong> warning');
    expect(page).toContain('Nothing was changed.');
    expect(page).toContain('raise its <code>gpu-reaper:max-runtime</code> tag');
    expect(page).not.toContain('<form');
    const expired = renderNotKeptPage({
      view: { ...maxRuntime, warning: { ...maxRuntime.warning, rule: 'expired' } },
      tagPrefix: 'x:',
    });
    expect(expired).toContain('move its <code>x:expires-at</code> tag');
  });
});
