/**
 * The frame of every owner-action page: plain server-rendered HTML that reads well on a phone (viewport meta,
 * system fonts, one column), no script and nothing fetched from anywhere, every value escaped on the way in.
 */
import { escapeHtml } from '../text/html-escape';

/** Markup that is already safe (built by these modules from escaped parts); a plain string never is. */
interface SafeHtml {
  readonly html: string;
}

/**
 * A template tag that escapes every interpolated value unless it is {@link SafeHtml} (or a list of them).
 *
 * @example html`<p>${owner}</p>`.html // owner escaped
 */
function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += asHtml(value) + (strings[index + 1] ?? '');
  });
  return { html: out };
}

function asHtml(value: unknown): string {
  if (Array.isArray(value)) return value.map(asHtml).join('');
  if (typeof value === 'object' && value !== null && 'html' in value) return String((value as SafeHtml).html);
  return escapeHtml(value ?? '');
}

const STYLE = `
body{margin:0;background:#f4f5f7;color:#1d2330;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:34rem;margin:0 auto;padding:1.25rem}
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.35rem;margin:0 0 .75rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem .9rem;margin:1rem 0}
dt{color:#5b6472}dd{margin:0;overflow-wrap:anywhere}
.note{color:#5b6472;font-size:.9rem}
.banner{background:#fff4d6;border-radius:8px;padding:.6rem .8rem;margin:.75rem 0}
button{width:100%;font:inherit;font-weight:600;font-size:1.1rem;padding:.9rem;border:0;border-radius:10px;
color:#fff;background:#1f6feb;cursor:pointer}
button.stop{background:#c62828}
footer{color:#8a919c;font-size:.8rem;text-align:center;margin-top:1rem}`;

/**
 * A whole page: title, body, and the frame.
 *
 * @param title plain text (escaped here)
 */
function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${title} · gpu-reaper</title>
<style>${{ html: STYLE }}</style>
</head>
<body><main><div class="card">
<h1>${title}</h1>
${body}
</div><footer>gpu-reaper · stops GPU instances nobody uses</footer></main></body>
</html>
`.html;
}

/** A definition list of label → value rows; `null` values are left out. */
function facts(rows: readonly (readonly [string, string | null])[]): SafeHtml {
  const shown = rows.filter((row): row is readonly [string, string] => row[1] !== null);
  return html`<dl>${shown.map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>`;
}

export type { SafeHtml };
export { escapeHtml, facts, html, page };
