/**
 * The one HTML escaping of the project: text made safe for HTML and SVG element content and for double- or
 * single-quoted attribute values. Every string that comes from an instance (ids, owners, tags, types) or a token
 * goes through here before it lands in a page.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes `value` (`null`/`undefined` as the empty string).
 *
 * @example escapeHtml('<b title="x">') // '&lt;b title=&quot;x&quot;&gt;'
 */
function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

export { escapeHtml };
