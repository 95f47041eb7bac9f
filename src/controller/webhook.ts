/**
 * `POST /hooks/git`: a Git host says "something was pushed"; we only fetch sooner. The payload is
 * untrusted and never parsed — what we run is whatever the fetch finds.
 *
 * Authentication (when IMESH_WEBHOOK_SECRET is set; otherwise the route is not mounted → 404):
 * - GitHub: `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw body keyed with the
 *   secret (GitHub docs, "Validating webhook deliveries": hex digest, always prefixed `sha256=`,
 *   compared in constant time). The body is hashed as it streams, never buffered, and is capped.
 * - GitLab: `X-Gitlab-Token: <secret>`, the secret token itself (GitLab webhook docs, "Validate
 *   payloads by using a secret token"); checked before any body is read.
 * Comparisons are constant-time (`crypto.timingSafeEqual`; the token is compared through its SHA-256
 * so the secret's length does not leak either). Anything unsigned or wrongly signed gets 401.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpProblem } from '../shared/http-problem.js';
import type { Logger } from '../shared/logger.js';
import { readBody, sendJson, type RouteHandler } from './http-server.js';

/** GitHub caps deliveries at 25 MB; a push event is far smaller. Larger bodies get 413. */
export const MAX_WEBHOOK_BODY = 5 * 1024 * 1024;

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** `sha256=<hex>` as GitHub computes it, for tests and tools. */
export function githubSignature(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Constant-time equality of two strings of any length. */
export function tokenEquals(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export type WebhookResult = 'github' | 'gitlab' | 'unsigned' | 'bad-signature' | 'bad-token';

export interface WebhookOptions {
  readonly secret: string;
  /** Called once per accepted delivery. */
  readonly onPush: (source: 'github' | 'gitlab') => void;
  readonly log: Logger;
  readonly onResult?: (result: WebhookResult) => void;
}

export function gitWebhookHandler(options: WebhookOptions): RouteHandler {
  const { secret, log } = options;
  const reject = (result: WebhookResult, remote: string | undefined): HttpProblem => {
    options.onResult?.(result);
    log.warn({ event: 'webhook-rejected', reason: result, remote }, 'webhook rejected');
    // Whatever body is left unread is not worth reading: close the connection after answering.
    return new HttpProblem(401, 'Unauthenticated', 'unauthorized', { connection: 'close' });
  };
  return async (req, res) => {
    const remote = req.socket.remoteAddress;
    const signature = header(req, 'x-hub-signature-256');
    const token = header(req, 'x-gitlab-token');
    if (signature !== undefined) {
      const match = SIGNATURE.exec(signature.trim());
      const hmac = createHmac('sha256', secret);
      await readBody(req, MAX_WEBHOOK_BODY, (chunk) => hmac.update(chunk));
      const digest = hmac.digest();
      if (!match || !timingSafeEqual(Buffer.from(match[1]!, 'hex'), digest)) throw reject('bad-signature', remote);
      accept(res, 'github');
      return;
    }
    if (token !== undefined) {
      if (!tokenEquals(token, secret)) throw reject('bad-token', remote);
      await readBody(req, MAX_WEBHOOK_BODY, () => undefined);
      accept(res, 'gitlab');
      return;
    }
    throw reject('unsigned', remote);
  };

  function accept(res: ServerResponse, source: 'github' | 'gitlab'): void {
    options.onResult?.(source);
    log.info({ event: 'webhook', source }, 'webhook accepted; fetching');
    options.onPush(source);
    sendJson(res, 202, { accepted: true, action: 'fetch' });
  }
}
