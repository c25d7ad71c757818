/**
 * Pass identifiers: sortable by time, unique across overlapping passes (`20261121T130500Z-3f9c2a`).
 */
import { randomBytes } from 'node:crypto';

/** A new pass id for a pass evaluated at `now`. */
function newPassId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export { newPassId };
