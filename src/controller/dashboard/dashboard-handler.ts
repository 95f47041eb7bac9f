/**
 * Serves the read-only dashboard: the page at `/` and its stylesheet and script under `/ui/`. The page
 * holds no data and needs no token to load; it asks for a viewer token and reads /api/v1/ with it.
 *
 * The page and stylesheet are TypeScript string modules (dashboard-html.ts, dashboard-style.ts). The
 * script is TypeScript checked against the DOM lib (browser/dashboard.ts), which `npm run build`
 * compiles to dist/ui/dashboard.js; it is read from there, so an installed package serves exactly what
 * the tests served. Nothing is loaded from elsewhere (no CDN): the Content-Security-Policy allows only
 * this origin, and no inline script or style.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ControllerHttpServer } from '../http-server.js';
import { DASHBOARD_HTML } from './dashboard-html.js';
import { DASHBOARD_CSS_PATH, DASHBOARD_JS_PATH, DASHBOARD_PATH } from './dashboard-paths.js';
import { DASHBOARD_CSS } from './dashboard-style.js';

/** The compiled browser script: dist/ui/ below the package root, from src/ and from dist/ alike. */
const SCRIPT_FILE = fileURLToPath(new URL('../../../dist/ui/dashboard.js', import.meta.url));

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

function asset(content: string | Buffer, type: string): Asset {
  const body = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

function scriptAsset(): Asset {
  let body: Buffer;
  try {
    body = readFileSync(SCRIPT_FILE);
  } catch (error) {
    throw new Error(`the dashboard script ${SCRIPT_FILE} cannot be read (run npm run build): ${(error as Error).message}`, { cause: error });
  }
  return asset(body, 'text/javascript; charset=utf-8');
}

/** Mounts GET (and so HEAD) routes for the dashboard's files on the root surface; other methods get the router's 405. */
export function mountDashboard(http: Pick<ControllerHttpServer, 'addRoute'>): void {
  const assets: ReadonlyMap<string, Asset> = new Map([
    [DASHBOARD_PATH, asset(DASHBOARD_HTML, 'text/html; charset=utf-8')],
    ['/index.html', asset(DASHBOARD_HTML, 'text/html; charset=utf-8')],
    [DASHBOARD_CSS_PATH, asset(DASHBOARD_CSS, 'text/css; charset=utf-8')],
    [DASHBOARD_JS_PATH, scriptAsset()],
  ]);
  for (const [path, file] of assets) {
    http.addRoute('GET', path, (req, res) => {
      // Revalidated on every load (no-cache), so a new version shows at once; 304 when unchanged.
      const headers = { ...SECURITY_HEADERS, 'cache-control': 'no-cache', etag: file.etag };
      if (req.headers['if-none-match'] === file.etag) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      res.writeHead(200, { ...headers, 'content-type': file.type, 'content-length': file.body.length });
      res.end(req.method === 'HEAD' ? undefined : file.body);
    });
  }
}
