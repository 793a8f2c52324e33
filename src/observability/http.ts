// The plain HTTP side of the service: /metrics (Prometheus), /healthz (for load balancers), and extra routes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { ServiceMetrics } from './prometheus.js';

/** An extra route: returns the answer, or undefined for 404. */
export type Route = (
  url: URL,
  req: IncomingMessage,
) => Promise<{ contentType: string; body: string | Uint8Array; status?: number; headers?: Record<string, string> } | undefined>;

export interface HttpOptions {
  host: string;
  port: number;
  metrics: ServiceMetrics;
  /** True while the gRPC side serves (after migrations, before shutdown). */
  isServing: () => boolean;
  /** By path for GET (`/report`), by method and path for others (`POST /report/sign-in`). */
  routes?: Record<string, Route>;
  log: Logger;
}

/** Starts the HTTP server; resolves with it and its port. */
export async function startHttp(options: HttpOptions): Promise<{ server: Server; port: number }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reply = (status: number, contentType: string, body: string | Uint8Array, headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...headers, 'content-type': contentType });
      res.end(body);
    };
    (async () => {
      const route = options.routes?.[req.method === 'GET' ? url.pathname : `${req.method} ${url.pathname}`];
      if (req.method !== 'GET' && !route) return reply(405, 'text/plain', 'only GET\n');
      if (url.pathname === '/healthz') {
        return options.isServing() ? reply(200, 'text/plain', 'SERVING\n') : reply(503, 'text/plain', 'NOT_SERVING\n');
      }
      if (url.pathname === '/metrics') {
        return reply(200, options.metrics.registry.contentType, await options.metrics.registry.metrics());
      }
      const result = route ? await route(url, req) : undefined;
      if (!result) return reply(404, 'text/plain', `no route ${url.pathname}\n`);
      return reply(result.status ?? 200, result.contentType, result.body, result.headers);
    })().catch((err: unknown) => {
      options.log.error({ err, path: url.pathname }, 'http handler failed');
      if (!res.headersSent) reply(500, 'text/plain', 'internal error; it has been logged\n');
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`cannot listen on ${options.host}:${options.port} (HTTP_PORT): ${err.message}`)));
    server.listen(options.port, options.host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : options.port);
    });
  });
  return { server, port };
}
