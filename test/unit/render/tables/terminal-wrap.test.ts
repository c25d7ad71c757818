/**
 * Long lines fit the terminal: prose wraps on words with its indent kept, and a shell command is continued with
 * ` \` so it still pastes.
 */
import { describe, expect, it } from 'vitest';
import { columns, wrapText } from '../../../../shared/render/tables/terminal-wrap';

describe('wrapping text to the terminal', () => {
  it('leaves short lines alone', () => {
    expect(wrapText('short\n  also short', 20)).toBe('short\n  also short');
  });

  it('wraps an indented line on words, continuing two spaces further in', () => {
    expect(wrapText('  Reason: one two three four five', 20)).toBe('  Reason: one two\n    three four five');
  });

  it('continues a shell command with a backslash, every piece within the width', () => {
    const command =
      '      aws ec2 create-tags --resources i-0abc --tags Key=gpu-reaper:opt-out,Value=true --region us-east-1';
    const wrapped = wrapText(command, 60).split('\n');
    expect(wrapped.length).toBeGreaterThan(1);
    for (const line of wrapped) expect(columns(line)).toBeLessThanOrEqual(60);
    expect(wrapped.slice(0, -1).every((line) => line.endsWith(' \\'))).toBe(true);
    expect(wrapped.join(' ').replace(/ \\ +/g, ' ').trim()).toBe(command.trim());
  });

  it('keeps a word longer than the width whole rather than cutting it', () => {
    expect(wrapText(`x ${'y'.repeat(30)}`, 10)).toBe(`x\n${'y'.repeat(30)}`);
  });

  it('counts box drawing and arrows as one column each', () => {
    expect(columns('━━ → ✓')).toBe(6);
  });
});
