/**
 * Just enough of GitLab for the planner job of samples/ci/gitlab: the REST calls it makes (a project,
 * its open merge requests, commit statuses, merge request notes), recorded, and the project's
 * repository over smart HTTP (git http-backend as a CGI), so `git fetch refs/merge-requests/IID/head`
 * works as against gitlab.com.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface MergeRequest {
  readonly iid: number;
  readonly sha: string;
}

export interface FakeGitLab {
  readonly api: string;
  readonly projectId: number;
  readonly notes: { iid: number; body: string }[];
  readonly statuses: { sha: string; state: string; name: string }[];
  /** Authorization headers seen on API calls (PRIVATE-TOKEN). */
  readonly tokens: string[];
  close(): Promise<void>;
}

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Serves `<gitRoot>/<name>.git` through git http-backend. */
async function gitHttp(req: IncomingMessage, res: ServerResponse, gitRoot: string, url: URL): Promise<void> {
  const input = await body(req);
  const cgi = spawn('git', ['http-backend'], {
    env: {
      ...process.env,
      GIT_PROJECT_ROOT: gitRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: url.pathname.replace(/^\/git/, ''),
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      CONTENT_LENGTH: String(input.length),
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      REMOTE_ADDR: '127.0.0.1',
    },
  });
  cgi.stdin.end(input);
  const out: Buffer[] = [];
  cgi.stdout.on('data', (c: Buffer) => out.push(c));
  await new Promise((r) => cgi.on('close', r));
  const raw = Buffer.concat(out);
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, split).toString('utf8').split('\r\n');
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of head) {
    const [name, ...rest] = line.split(':');
    const value = rest.join(':').trim();
    if (name!.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
    else headers[name!] = value;
  }
  res.writeHead(status, headers);
  res.end(raw.subarray(split + 4));
}

export async function startFakeGitLab(options: { gitRoot: string; repo: string; mergeRequests: readonly MergeRequest[] }): Promise<FakeGitLab> {
  const projectId = 42;
  const notes: FakeGitLab['notes'] = [];
  const statuses: FakeGitLab['statuses'] = [];
  const tokens: string[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://gitlab.invalid');
      if (url.pathname.startsWith('/git/')) return gitHttp(req, res, options.gitRoot, url);
      tokens.push(String(req.headers['private-token'] ?? ''));
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const prefix = `/api/v4/projects/${projectId}`;
      const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : undefined;
      const sent = req.method === 'POST' || req.method === 'PUT' ? (JSON.parse((await body(req)).toString('utf8') || '{}') as Record<string, string>) : {};
      let m: RegExpExecArray | null;
      if (path === '') return json(200, { id: projectId, http_url_to_repo: `${base}/git/${options.repo}.git` });
      if (path === '/merge_requests' && url.searchParams.get('state') === 'opened') return json(200, options.mergeRequests);
      if (path && (m = /^\/repository\/commits\/(\w+)\/statuses$/.exec(path))) return json(200, statuses.filter((s) => s.sha === m![1] && s.name === url.searchParams.get('name')).map((s) => ({ sha: s.sha, name: s.name, status: s.state }))); // GitLab answers `status`; a POST sends `state`
      if (path && (m = /^\/merge_requests\/(\d+)\/notes$/.exec(path))) {
        if (req.method === 'POST') {
          notes.push({ iid: Number(m[1]), body: sent.body! });
          return json(201, { id: notes.length });
        }
        return json(200, []);
      }
      if (path && (m = /^\/statuses\/(\w+)$/.exec(path)) && req.method === 'POST') {
        statuses.push({ sha: m[1]!, state: sent.state!, name: sent.name! });
        return json(201, {});
      }
      json(404, { message: '404 Not Found' });
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  // GitLab keeps idle connections longer than Node's 5 s default; a plan takes longer than that between calls.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    api: `${base}/api/v4`,
    projectId,
    notes,
    statuses,
    tokens,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
