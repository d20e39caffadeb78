import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ServerResponse } from 'node:http';
import { PAGE_CSS } from './page/page-css.js';
import { PAGE_HTML } from './page/page-html.js';
import { PAGE_SCRIPT } from './page/page-script.js';

/** A file the page loads; every one comes from Ferry's own package, none from the internet. */
interface Asset {
  type: string;
  body: () => Buffer;
}

const require = createRequire(import.meta.url);

function once(read: () => string | Buffer): () => Buffer {
  let cached: Buffer | undefined;
  return () => (cached ??= Buffer.from(read()));
}

const fromPackage = (file: string) => once(() => readFileSync(require.resolve(file)));

/** The console's files by path: its page, script and style, and uPlot from its npm package. */
export const ASSETS: Record<string, Asset> = {
  '/': { type: 'text/html; charset=utf-8', body: once(() => PAGE_HTML) },
  '/console/assets/console.js': { type: 'text/javascript; charset=utf-8', body: once(() => PAGE_SCRIPT) },
  '/console/assets/console.css': { type: 'text/css; charset=utf-8', body: once(() => PAGE_CSS) },
  '/console/assets/uplot.js': { type: 'text/javascript; charset=utf-8', body: fromPackage('uplot/dist/uPlot.iife.min.js') },
  '/console/assets/uplot.css': { type: 'text/css; charset=utf-8', body: fromPackage('uplot/dist/uPlot.min.css') },
};

// The page may load and call only its own origin; no inline script or style, no framing, no referrer (a token
// given as ?token= on first load is in the address until the page removes it).
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/** Serves one asset with headers that keep a browser from reading it as anything else. */
export function sendAsset(res: ServerResponse, asset: Asset): void {
  const body = asset.body();
  res.writeHead(200, {
    'content-type': asset.type, 'content-length': body.length, 'cache-control': 'no-cache',
    'content-security-policy': CONTENT_SECURITY_POLICY, 'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY',
  });
  res.end(body);
}
