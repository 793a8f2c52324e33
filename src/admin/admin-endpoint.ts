// The running server's admin endpoint for commands on the same machine: while a server holds an embedded data
// folder, it writes stakazo-ml.admin.json there (mode 0600): its pid, the URL of its HTTP side and a random token
// for the admin routes. Whoever can read the data folder (and so the data) can ask the server for a backup.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_FILE } from '../db/folder-lock.js';

/** Where and how to reach a running server's admin routes. */
export interface AdminEndpoint {
  pid: number;
  /** The HTTP side's base URL, e.g. http://127.0.0.1:9464. */
  url: string;
  token: string;
  /** The gRPC address, e.g. 127.0.0.1:50051 (for messages that point a user to an RPC). */
  grpcAddress?: string;
}

/** A new random admin token (64 hex characters). */
export function newAdminToken(): string {
  return randomBytes(32).toString('hex');
}

/** Writes the admin file of a server whose HTTP side listens on `host:port`; returns how to remove it. */
export function publishAdminEndpoint(dataDir: string, host: string, port: number, token: string, grpcPort?: number): { remove(): void } {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  const hostPart = reachable.includes(':') ? `[${reachable}]` : reachable;
  const endpoint: AdminEndpoint = {
    pid: process.pid,
    url: `http://${hostPart}:${port}`,
    token,
    grpcAddress: grpcPort === undefined ? undefined : `${hostPart}:${grpcPort}`,
  };
  const path = join(dataDir, ADMIN_FILE);
  writeFileSync(path, JSON.stringify(endpoint), { mode: 0o600 });
  return { remove: () => rmSync(path, { force: true }) };
}

/** The admin endpoint of the server holding `dataDir`, if one wrote it and its process is alive. */
export function readAdminEndpoint(dataDir: string): AdminEndpoint | undefined {
  let endpoint: AdminEndpoint;
  try {
    endpoint = JSON.parse(readFileSync(join(dataDir, ADMIN_FILE), 'utf8')) as AdminEndpoint;
  } catch {
    return undefined;
  }
  try {
    process.kill(endpoint.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return endpoint;
}

/** Whether an Authorization header carries the admin token (compared in constant time). */
export function isAdmin(authorization: string | undefined, token: string): boolean {
  const sent = Buffer.from(/^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return expected.length > 0 && sent.length === expected.length && timingSafeEqual(sent, expected);
}
