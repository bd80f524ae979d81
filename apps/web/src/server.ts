import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

/**
 * The web front end's server: the built pages (Vite's output) and a same-origin proxy to each
 * service's GraphQL endpoint at /api/<service>/graphql, so the browser never needs CORS and the
 * services stay unchanged. Plain node:http: it does nothing a framework would help with, and it
 * imports nothing of NestJS, so tests load it in-process.
 */
/** The kinds of service behind the screens: a partner service of a role, or the planners' forecast. */
export type WebApp = 'manufacturer' | 'distributor' | 'dispenser' | 'forecast';

/** One service the screens reach at /api/<name>/graphql: one per member organisation, and forecast. */
export interface WebService {
  /** Lower-case name in the URL and in demo keys (`demo-<name>-<role>`). */
  readonly name: string;
  readonly app: WebApp;
  /** Who it is, as a user recognises it: the organisation's legal name. */
  readonly label: string;
  /** Base URL, e.g. http://127.0.0.1:4003. */
  readonly url: string;
}

/** The first three organisations' services on their default ports: what runs without configuration. */
export const DEFAULT_WEB_SERVICES: readonly Omit<WebService, 'url'>[] = [
  { name: 'manufacturer', app: 'manufacturer', label: 'Manufacturer' },
  { name: 'distributor', app: 'distributor', label: 'Distributor' },
  { name: 'dispenser', app: 'dispenser', label: 'Pharmacy' },
  { name: 'forecast', app: 'forecast', label: 'Forecast (planners)' },
];

export interface WebServerOptions {
  /** Folder holding index.html and assets (dist/web). */
  staticDir: string;
  services: readonly WebService[];
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.ico': 'image/x-icon', '.wasm': 'application/wasm',
};
/** Headers worth passing to a service: identity and content negotiation, nothing hop-by-hop. */
const FORWARDED = ['content-type', 'accept', 'x-api-key', 'authorization', 'x-request-id'];
const MAX_BODY = 5 * 1024 * 1024;

export function createWebServer(options: WebServerOptions): http.Server {
  const root = path.resolve(options.staticDir);
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (url.pathname === '/api/services') {
      // Names, kinds and labels only: where the services run is the server's business.
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify(options.services.map(({ name, app, label }) => ({ name, app, label }))));
      return;
    }
    const api = url.pathname.match(/^\/api\/([a-z][a-z0-9]*)\/graphql$/);
    const handled = api ? proxy(api[1], req, res, options) : serveStatic(root, url.pathname, res);
    handled.catch((err: Error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: `web: ${err.message}`, extensions: { code: 'UPSTREAM_UNAVAILABLE' } }] }));
    });
  });
}

async function proxy(service: string, req: http.IncomingMessage, res: http.ServerResponse, options: WebServerOptions): Promise<void> {
  const target = options.services.find((s) => s.name === service);
  if (!target) {
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: `no service ${service}` }] }));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      res.writeHead(413).end();
      return;
    }
    chunks.push(chunk as Buffer);
  }
  const headers: Record<string, string> = {};
  for (const h of FORWARDED) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  const method = req.method ?? 'GET';
  const upstream = await fetch(`${target.url}/graphql`, {
    method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : Buffer.concat(chunks),
    // Retraining and ledger writes answer after commit: seconds, not minutes.
    signal: AbortSignal.timeout(120_000),
  });
  res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json', 'cache-control': 'no-store' });
  res.end(Buffer.from(await upstream.arrayBuffer()));
}

async function serveStatic(root: string, pathname: string, res: http.ServerResponse): Promise<void> {
  let file = path.resolve(root, `.${decodeURIComponent(pathname)}`);
  // Outside the folder, a folder, or missing: the single page (routes are in the hash).
  if (!file.startsWith(root + path.sep) || !(await fs.promises.stat(file).then((s) => s.isFile(), () => false))) file = path.join(root, 'index.html');
  const body = await fs.promises.readFile(file).catch(() => null);
  if (!body) {
    res.writeHead(503, { 'content-type': 'text/plain' }).end('the web front end is not built: run npm run build');
    return;
  }
  // Vite fingerprints assets: cache those for good; index.html must always be fresh.
  const immutable = file.includes(`${path.sep}assets${path.sep}`);
  res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' });
  res.end(body);
}
