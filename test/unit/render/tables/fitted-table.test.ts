/**
 * Tables that fit 100 columns: each column as wide as its content, the columns that may give way narrowed (wrapped
 * at word boundaries, long words cut) when the whole is too wide, and the others kept whole.
 */
import { describe, expect, it } from 'vitest';
import { fittedTable, TABLE_WIDTH } from '../../../../shared/render/tables/fitted-table';
import { columns } from '../../../../shared/render/tables/terminal-wrap';

const widest = (text: string) => Math.max(...text.split('\n').map(columns));

describe('fittedTable', () => {
  it('keeps a narrow table as narrow as its content', () => {
    const text = fittedTable(['rule', 'events'], [['idle', 3]]);
    expect(text.split('\n')[0]).toBe('┌──────┬────────┐');
    expect(text).toContain('│ idle │ 3      │');
  });

  it('fits 100 columns however long the cells, wrapping the columns that may give way', () => {
    const reason = 'GPU max 2% < 5% for every minute of the last 1h (60/60 min, coverage 100%) '.repeat(8);
    const rows = Array.from({ length: 25 }, (_, i) => [`i-0aaaaaaaaaaaaaa${String(i).padStart(2, '0')}`, reason]);
    const text = fittedTable(['Instance', 'Reason'], rows, { shrink: { 1: 20 } });
    expect(TABLE_WIDTH).toBe(100);
    expect(widest(text)).toBeLessThanOrEqual(100);
    // The id column did not give way: every id is whole.
    for (const [id] of rows) expect(text).toContain(`│ ${id} │`);
    expect(text).toContain('coverage 100%)');
  });

  it('never narrows a column below its floor', () => {
    const text = fittedTable(['Instance', 'Owner'], [['i-0aaaaaaaaaaaaaa01 (training-job-7)', 'x'.repeat(200)]], {
      shrink: { 0: 19, 1: 20 },
    });
    expect(widest(text)).toBe(100);
    expect(text).toContain('i-0aaaaaaaaaaaaaa01');
    expect(text).toMatch(/x…/);
  });
});
