import { createHash } from 'node:crypto';

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const style = 'body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}'
  + 'h1{font-size:1.4rem}.msg{border:1px solid #ccc;border-radius:6px;padding:.5rem .75rem;margin:.5rem 0}.out{background:#eef4ff}'
  + '.ok{color:#0a6b2d}.bad{color:#a3151b}label{display:block;margin:.75rem 0 .25rem}input,textarea{font:inherit;width:100%;padding:.4rem}'
  + 'button{font:inherit;margin-top:.75rem;padding:.4rem 1rem}small{color:#555}'
  + 'input[type=radio]{width:auto;margin-right:.5rem}.choice label{display:inline}fieldset{border:1px solid #ccc;border-radius:6px}';

const styleHash = createHash('sha256').update(style).digest('base64');

/** No script at all; the one inline style block is allowed by its hash; forms post only to this origin. */
export const publicPageCsp = `default-src 'none'; style-src 'sha256-${styleHash}'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

/** A whole page: `body` must already be escaped HTML. */
export const renderPage = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title><style>${style}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
