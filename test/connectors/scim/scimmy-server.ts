/**
 * A real third-party SCIM 2.0 implementation as the scim connector's peer: SCIMMY (npm `scimmy`) does the
 * protocol work — schema validation, filters, ListResponse paging, PatchOp application, error messages —
 * and this file only mounts its resources on a node:http server on 127.0.0.1, with a bearer token, an
 * in-memory store, userName uniqueness (409) and ETags (`ETag` / `If-Match` → 412), the parts SCIMMY leaves
 * to its host. Test-only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import SCIMMY from 'scimmy';

/** SCIMMY is a process-wide singleton: extend the User schema once per process. */
let extended = false;

type Stored = Record<string, unknown> & { id: string; meta: { version: string; created: string; lastModified: string } };

export interface ScimmyOptions {
  /** ServiceProviderConfig patch.supported; false makes the client fall back to PUT. */
  patch?: boolean;
  etag?: boolean;
}

export interface ScimRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly ifMatch?: string;
}

export class ScimmyServer {
  readonly token = `scim-${randomBytes(16).toString('hex')}`;
  url = '';
  readonly requests: ScimRequestRecord[] = [];
  readonly users = new Map<string, Stored>();
  readonly groups = new Map<string, Stored>();
  private server: Server | undefined;
  private counter = 0;
  /** Resource ids whose version changes right after the next GET (someone else edits them). */
  readonly changeAfterRead = new Set<string>();

  constructor(private options: ScimmyOptions = {}) {}

  configure(options: ScimmyOptions): void {
    this.options = { ...this.options, ...options };
    SCIMMY.Config.set({ patch: this.options.patch ?? true, etag: this.options.etag ?? true, filter: { supported: true, maxResults: 50 }, sort: false, bulk: false, changePassword: false });
  }

  async start(): Promise<this> {
    this.configure(this.options);
    const store = (map: Map<string, Stored>, kind: 'User' | 'Group') => ({
      ingress: (resource: { id?: string }, instance: unknown) => {
        const data = JSON.parse(JSON.stringify(instance)) as Record<string, unknown>;
        if (kind === 'User') {
          const userName = String(data.userName ?? '').toLowerCase();
          for (const other of map.values()) {
            // RFC 7643 §4.1: userName is unique and case-insensitive.
            if (other.id !== resource.id && String(other.userName ?? '').toLowerCase() === userName) throw new SCIMMY.Types.Error(409, 'uniqueness', `userName "${String(data.userName)}" is already in use`);
          }
        }
        const now = new Date().toISOString();
        const previous = resource.id ? map.get(resource.id) : undefined;
        if (resource.id && !previous) throw new SCIMMY.Types.Error(404, null!, `Resource ${resource.id} not found`);
        const id = resource.id ?? `${kind.toLowerCase()}-${++this.counter}`;
        const stored: Stored = { ...data, id, meta: { created: previous?.meta.created ?? now, lastModified: now, version: `W/"${++this.counter}"` } };
        map.set(id, stored);
        return stored;
      },
      egress: (resource: { id?: string; filter?: { match(values: unknown[]): unknown[] } }) => {
        if (resource.id) {
          const found = map.get(resource.id);
          if (!found) throw new SCIMMY.Types.Error(404, null!, `Resource ${resource.id} not found`);
          return found;
        }
        const all = [...map.values()];
        return resource.filter ? resource.filter.match(all) : all;
      },
      degress: (resource: { id?: string }) => {
        if (!resource.id || !map.delete(resource.id)) throw new SCIMMY.Types.Error(404, null!, `Resource ${resource.id} not found`);
      },
    });
    const users = store(this.users, 'User');
    const groups = store(this.groups, 'Group');
    SCIMMY.Resources.declare(SCIMMY.Resources.User).ingress(users.ingress as never).egress(users.egress as never).degress(users.degress as never);
    SCIMMY.Resources.declare(SCIMMY.Resources.Group).ingress(groups.ingress as never).egress(groups.egress as never).degress(groups.degress as never);
    if (!extended) {
      SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false);
      // RFC 7643 §7: canonicalValues are "suggested canonical values that MAY be used"; the core schema
      // lists none for roles.type (§8.7.1), which SCIMMY reads as "no value allowed". Roles carry a type
      // (structured role mappings), so this peer takes any, as the RFC does.
      (SCIMMY.Schemas.User.definition.attribute('roles.type') as { config: { canonicalValues: unknown } }).config.canonicalValues = false;
      extended = true;
    }
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/scim/v2`;
    SCIMMY.Resources.User.basepath(`${this.url}`);
    SCIMMY.Resources.Group.basepath(`${this.url}`);
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      return this.send(res, 400, new SCIMMY.Messages.ErrorResponse(new SCIMMY.Types.Error(400, 'invalidSyntax', 'Request body is not valid JSON')));
    }
    const ifMatch = typeof req.headers['if-match'] === 'string' ? req.headers['if-match'] : undefined;
    this.requests.push({ method, path: url.pathname + url.search, body, ...(ifMatch ? { ifMatch } : {}) });
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return this.send(res, 401, new SCIMMY.Messages.ErrorResponse(new SCIMMY.Types.Error(401, null!, 'Authorization failure. The authorization header is invalid or missing.')));
    }
    try {
      const path = url.pathname.replace(/^\/scim\/v2/, '');
      if (path === '/ServiceProviderConfig') return this.send(res, 200, await new SCIMMY.Resources.ServiceProviderConfig().read());
      if (path === '/ResourceTypes') return this.send(res, 200, await new SCIMMY.Resources.ResourceType().read());
      if (path === '/Schemas') return this.send(res, 200, await new SCIMMY.Resources.Schema().read());
      const m = /^\/(Users|Groups)(?:\/([^/]+))?$/.exec(path);
      if (!m) throw new SCIMMY.Types.Error(404, null!, `Endpoint ${path} not found`);
      const Resource = m[1] === 'Users' ? SCIMMY.Resources.User : SCIMMY.Resources.Group;
      const map = m[1] === 'Users' ? this.users : this.groups;
      const id = m[2] ? decodeURIComponent(m[2]) : undefined;
      const q = Object.fromEntries(url.searchParams);
      const config = {
        ...(q.filter ? { filter: q.filter } : {}),
        ...(q.attributes ? { attributes: q.attributes } : {}),
        ...(q.excludedAttributes ? { excludedAttributes: q.excludedAttributes } : {}),
        ...(q.startIndex ? { startIndex: Number(q.startIndex) } : {}),
        ...(q.count ? { count: Number(q.count) } : {}),
      };
      if (id && ifMatch && (this.options.etag ?? true) && method !== 'GET') {
        const current = map.get(id);
        if (current && current.meta.version !== ifMatch) throw new SCIMMY.Types.Error(412, null!, `Resource ${id} has changed (version ${current.meta.version}, If-Match ${ifMatch})`);
      }
      if (method === 'GET') {
        const result = (await new Resource(id, config).read()) as { meta?: { version?: string } };
        this.send(res, 200, result, id ? result.meta?.version : undefined);
        if (id && this.changeAfterRead.delete(id)) map.get(id)!.meta.version = `W/"${++this.counter}"`;
        return;
      }
      if (method === 'POST' && !id) {
        const created = (await new Resource(undefined, config).write(body)) as { meta?: { version?: string } };
        return this.send(res, 201, created, created.meta?.version);
      }
      if (method === 'PUT' && id) {
        const replaced = (await new Resource(id, config).write(body)) as { meta?: { version?: string } };
        return this.send(res, 200, replaced, replaced.meta?.version);
      }
      if (method === 'PATCH' && id) {
        if (!(this.options.patch ?? true)) throw new SCIMMY.Types.Error(501, null!, 'PATCH is not supported');
        const patched = (await new Resource(id, config).patch(body as never)) as { meta?: { version?: string } } | undefined;
        return patched ? this.send(res, 200, patched, patched.meta?.version) : this.send(res, 204, undefined);
      }
      if (method === 'DELETE' && id) {
        await new Resource(id).dispose();
        return this.send(res, 204, undefined);
      }
      throw new SCIMMY.Types.Error(405, null!, `${method} is not allowed on ${path}`);
    } catch (error) {
      const response = new SCIMMY.Messages.ErrorResponse(error as Error);
      return this.send(res, Number((response as unknown as { status: string }).status) || 500, response);
    }
  }

  private send(res: ServerResponse, status: number, body: unknown, etag?: string): void {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/scim+json';
    if (etag && (this.options.etag ?? true)) headers.ETag = etag;
    res.writeHead(status, headers);
    res.end(body === undefined ? '' : JSON.stringify(body));
  }
}
