import * as path from 'node:path';
import { portTakenMessage } from '@pedigree/host';
import { DEFAULT_PORTS, servicePort } from '@pedigree/platform';
import { createWebServer, DEFAULT_WEB_SERVICES, WebService } from './server';

/** `node dist/apps/web/src/main.js`: the pages on PORT, else 4000 + PEDIGREE_PORT_OFFSET. */
const staticDir = process.env.WEB_STATIC_DIR ?? path.resolve(__dirname, '../../../web');
const port = servicePort('web');
const host = process.env.HOST ?? '127.0.0.1';
/**
 * PEDIGREE_WEB_SERVICES (JSON: [{name, app, label, url}], which `npm start` writes from
 * infra/consortium.yaml), else the first three organisations and forecast, each at
 * PEDIGREE_<SERVICE>_URL or its default port shifted by PEDIGREE_PORT_OFFSET (not PORT: that is the
 * web server's own).
 */
function webServices(): WebService[] {
  if (process.env.PEDIGREE_WEB_SERVICES) return JSON.parse(process.env.PEDIGREE_WEB_SERVICES) as WebService[];
  return DEFAULT_WEB_SERVICES.map((s) => ({
    ...s, url: process.env[`PEDIGREE_${s.name.toUpperCase()}_URL`] ?? `http://127.0.0.1:${(DEFAULT_PORTS[s.name] ?? 4000) + Number(process.env.PEDIGREE_PORT_OFFSET ?? 0)}`,
  }));
}

const server = createWebServer({ staticDir, services: webServices() });
// A port already taken is the user's to fix: one line naming who holds it, not an unhandled 'error' event.
server.once('error', (err: NodeJS.ErrnoException) => {
  console.error(`web: ${err.code === 'EADDRINUSE' ? portTakenMessage(port, 'web screens') : err.message}`);
  process.exit(1);
});
server.listen(port, host, () => console.log(`web: listening on http://${host}:${port}/`));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
