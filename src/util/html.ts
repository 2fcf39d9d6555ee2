// HTML for the pages the loopback listener shows in the browser. Everything that did not come from
// rdp itself (a provider's error text) is escaped.

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A small self-contained page (no scripts, no external resources). `bodyHtml` must be escaped already. */
export function htmlPage(title: string, bodyHtml: string, tone: 'ok' | 'error' | 'info' = 'info'): string {
  const colour = tone === 'ok' ? '#1a7f37' : tone === 'error' ? '#cf222e' : '#57606a';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.4rem;color:${colour}}code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}</style>
</head><body><h1>${escapeHtml(title)}</h1>${bodyHtml}</body></html>
`;
}

/**
 * Text from HTML-escaped text: named entities for & < > " ' and numeric ones. (Zotero sends its
 * `failed[].message` through htmlspecialchars.)
 */
export function unescapeHtml(s: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ent: string) => {
    if (ent[0] === '#') {
      const code = ent[1] === 'x' || ent[1] === 'X' ? Number.parseInt(ent.slice(2), 16) : Number.parseInt(ent.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return named[ent.toLowerCase()] ?? whole;
  });
}
