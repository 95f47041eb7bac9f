/**
 * The dashboard's script, compiled with the DOM lib (tsconfig.json here) to dist/ui/dashboard.js and
 * served as a file of its own (the page's Content-Security-Policy allows no inline script). No
 * framework: it asks for a viewer token (kept in sessionStorage for the tab's lifetime), reads /api/v1/
 * with it, renders with textContent only (never HTML from data), and refreshes the current view every
 * 10 s while the tab is visible. A script, not a module: it declares nothing global (one IIFE).
 *
 * Views (URL fragment): `#/` overview, `#/jobs/ID`, `#/connectors/NAME`, `#/objects/TYPE/KEY`. "Sync
 * now" posts a connector's sync with the same token (an operator token; a viewer's gets a notice).
 * The interfaces below are the fields of /api/v1/ this page reads (the API's OpenAPI document has all).
 */
(function () {
  'use strict';

  type Counter = 'imported' | 'created' | 'updated' | 'moved' | 'disabled' | 'deleted' | 'retried' | 'givenUp' | 'conflicts' | 'errors';
  type Counts = Partial<Record<string, number>>;
  interface Problem { file: string; line: number; column: number; message: string }
  interface Gate { connector: string; type: string; message?: string; heldBack?: number; pendingApproval?: number | null }
  interface JobRef { id: number; status: string; kind: string; finishedAt: string | null }
  interface Status {
    mesh: string | null;
    role: string;
    configInvalid: boolean;
    configProblems: Problem[];
    lastAppliedRevision: string | null;
    lastAttemptedRevision: string | null;
    gates: Gate[];
    meshTypes: string[];
    meshObjects: Record<string, number>;
    lastJob: JobRef | null;
    queuedJob: JobRef | null;
    pendingExports: number;
  }
  interface LastRun { jobId: number; counts: Counts | null }
  interface TypeStats { count: number; watermark: string | null; lastImport: string | null; lastExport: string | null }
  interface Condition { type: string; status: string; reason: string; message: string }
  interface Connector {
    name: string;
    type: string;
    health: string;
    healthReason?: string;
    healthMessage?: string;
    /** When `health` last changed: the "since" of a Failed or Degraded connector. */
    healthLastTransitionTime?: string | null;
    suspended: boolean;
    objectTypes: Record<string, TypeStats>;
    lastImport: string | null;
    lastExport: string | null;
    lastRun: LastRun | null;
    lastError?: string | null;
    unmanaged?: number;
    flowRules: string[];
    projections: string[];
    conditions: Condition[];
  }
  interface Job {
    id: number;
    status: string;
    kind: string;
    trigger: string;
    requestedBy: string[];
    requests: number;
    /** A sync request asked the run to send every failed export again. */
    retryFailed?: boolean;
    connectors?: string[] | null;
    /** The connectors the run covered; null: the whole mesh. */
    scope?: string[] | null;
    triggeredBy?: string | null;
    objectCounts?: Record<string, Counts>;
    revision: string | null;
    requestedAt: string | null;
    startedAt: string | null;
    finishedAt: string | null;
    durationMs: number | null;
    totals: Record<Counter | 'failed', number>;
    counts: Record<string, Counts>;
    errors: string[];
    /** Approvals the run used (applied or refused). */
    approvals?: Approval[];
  }
  interface HeldObject { gate: string; objectType: string; externalId: string; op: string; object: string; since?: string | null }
  interface Approval {
    id: number;
    connector: string;
    allowDeletes: number;
    allowClears: number | null;
    allowLimits: number | null;
    reason: string;
    approvedBy: string;
    approvedAt: string;
    expiresAt: string;
    state: string;
    objects: HeldObject[];
    jobId: number | null;
    letThrough: HeldObject[];
    note: string | null;
  }
  interface Approvals { held: HeldObject[]; heldTotal: number; pending: Approval | null; items: Approval[]; total: number }
  interface Page<T> { items: T[]; total: number }
  interface ConflictItem { kind: string; meshType: string; object: string; attribute?: string | null; reason: string }
  type Scalar = string | number | boolean;
  type ValueOf = Scalar | Scalar[] | null | undefined;
  interface DriftItem { projection: string; connector: string; object: string; attribute: string; desired: ValueOf; actual: ValueOf; action: string }
  interface Provenance { connector: string; externalId: string; rule: string; confidence: number }
  interface MeshObjectView {
    id: string;
    deleted: boolean;
    keys: Record<string, ValueOf>;
    attributes: { name: string; value: ValueOf; winner: Provenance; losers: (Provenance & { value: ValueOf })[] }[];
    sources: { connector: string; objectType: string; externalId: string; rule: string; how: string }[];
    targets: { projection: string; item?: string | null; connector: string; dn?: string | null; externalId?: string | null; state: string }[];
  }
  interface ValueChangeView { attribute: string; value: ValueOf; withheld: boolean; connector: string | null; rule: string | null; externalId: string | null; confidence: number | null; revision: string | null; run: number; at: string }
  type Written = ValueOf | { add: Scalar[]; remove: Scalar[] };
  interface ExportView { projection: string; connector: string; objectType: string; object: string; item: string; op: string; attributes: Record<string, Written> | null; result: string; error: string | null; revision: string | null; run: number; at: string }
  interface HistoryView { retain: string; values: ValueChangeView[]; exports: ExportView[] }
  type Route = { view: 'overview' } | { view: 'job'; id: string } | { view: 'connector'; name: string } | { view: 'object'; type: string; key: string };

  const TOKEN_KEY = 'identity-mesh.viewer-token';
  const REFRESH_MS = 10000;
  const API = '/api/v1';
  // retried: failed exports sent again this run; givenUp: those it stopped sending after exportRetry.maxAttempts.
  const COUNTERS: readonly Counter[] = ['imported', 'created', 'updated', 'moved', 'disabled', 'deleted', 'retried', 'givenUp', 'conflicts', 'errors'];
  const state: { token: string | null; timer: number | null; loading: boolean; generation: number; meshTypes: string } = { token: null, timer: null, loading: false, generation: 0, meshTypes: '' };

  function $(id: string): HTMLElement {
    const el = document.getElementById(id);
    if (!el) throw new Error(`the page has no #${id}`);
    return el;
  }

  function field<T extends HTMLInputElement | HTMLSelectElement>(id: string, kind: { new (): T; prototype: T }): T {
    const el = $(id);
    if (!(el instanceof kind)) throw new Error(`#${id} is not a form field`);
    return el;
  }

  type Child = Node | string | number | null | undefined | false;
  type Children = Child | readonly Child[];
  type Attrs = Record<string, string | number | boolean | null | undefined>;

  function h(tag: string, attrs?: Attrs | null, children?: Children): HTMLElement {
    const el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        const v = attrs[k];
        if (v === undefined || v === null || v === false) return;
        if (k === 'text') el.textContent = String(v);
        else if (k === 'class') el.className = String(v);
        else el.setAttribute(k, v === true ? '' : String(v));
      });
    }
    append(el, children);
    return el;
  }

  function append(el: Node, children: Children): void {
    if (children === undefined || children === null) return;
    const list: readonly Child[] = Array.isArray(children) ? children : [children as Child];
    list.forEach(function (c) {
      if (c === undefined || c === null || c === false) return;
      el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    });
  }

  class ApiError extends Error {
    readonly code: string | undefined;
    constructor(
      readonly status: number,
      body: { code?: string; error?: string } | null,
    ) {
      super((body && body.error) || 'HTTP ' + status);
      this.code = body ? body.code : undefined;
    }
  }

  function api<T>(path: string, post?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: 'Bearer ' + state.token, accept: 'application/json' };
    if (post !== undefined) headers['content-type'] = 'application/json';
    const init: RequestInit = { headers: headers, cache: 'no-store', signal: AbortSignal.timeout(15000) };
    if (post !== undefined) {
      init.method = 'POST';
      init.body = JSON.stringify(post);
    }
    return fetch(API + path, init).then(function (res) {
      return res
        .json()
        .catch(function () {
          return null;
        })
        .then(function (body) {
          if (!res.ok) throw new ApiError(res.status, body);
          return body as T;
        });
    });
  }

  // ── formatting ──────────────────────────────────────────────────────────────────────────────
  function when(iso: string | null | undefined): HTMLElement {
    if (!iso) return h('span', { class: 'muted', text: 'never' });
    const t = new Date(iso);
    const s = Math.round((Date.now() - t.getTime()) / 1000);
    const rel = s < 5 ? 'just now' : s < 60 ? s + ' s ago' : s < 3600 ? Math.round(s / 60) + ' min ago' : s < 86400 ? Math.round(s / 3600) + ' h ago' : Math.round(s / 86400) + ' d ago';
    return h('time', { datetime: iso, title: t.toLocaleString() }, rel);
  }

  function duration(ms: number | null | undefined): string {
    if (ms === null || ms === undefined) return '';
    if (ms < 1000) return ms + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
    return Math.floor(ms / 60000) + ' min ' + Math.round((ms % 60000) / 1000) + ' s';
  }

  function revision(rev: string | null | undefined): string {
    if (!rev) return 'none';
    const m = /^([0-9a-f]{40})(-dirty)?$/.exec(rev);
    return m && m[1] ? m[1].slice(0, 12) + (m[2] || '') : rev;
  }

  function value(v: ValueOf): string {
    if (v === null || v === undefined) return '';
    if (Array.isArray(v)) return v.join('; ');
    return String(v);
  }

  const HEALTH: Record<string, string> = { Healthy: 'ok', Degraded: 'warn', Failed: 'bad', Unknown: 'none' };
  const STATUS: Record<string, string> = { succeeded: 'ok', running: 'none', queued: 'none', blocked: 'warn', interrupted: 'warn', failed: 'bad' };
  function badge(text: string, cls: string | undefined): HTMLElement {
    return h('span', { class: 'badge ' + (cls || 'none'), text: text });
  }
  function health(x: string): HTMLElement {
    return badge(x, HEALTH[x]);
  }
  /** `Failed since 5 min ago`: the time the health last changed, with its reason and message as a tooltip. */
  function healthSince(c: Connector): Child[] {
    const why = [c.healthReason, c.healthMessage].filter(Boolean).join(': ');
    const out: Child[] = [why ? h('span', { title: why }, health(c.health)) : health(c.health)];
    if (c.health !== 'Unknown' && c.healthLastTransitionTime) out.push(h('span', { class: 'since' }, [' since ', when(c.healthLastTransitionTime)]));
    if (c.suspended) out.push(' ', badge('suspended', 'warn'));
    return out;
  }
  /** The connectors a job covered: `all` for a whole-mesh run. */
  function scopeText(j: Job): string {
    const scope = j.scope !== undefined && j.scope !== null ? j.scope : j.status === 'queued' ? j.connectors : null;
    return scope ? scope.join(', ') : 'all';
  }
  const TRIGGERS: Record<string, string> = { schedule: 'schedule', revision: 'new revision', scim: 'SCIM push', cli: 'CLI' };
  /** What started a job: the schedule, a new revision, a SCIM push, the CLI, or API tokens by name. */
  function triggerText(j: Job): string {
    if (j.triggeredBy === 'api' || (!j.triggeredBy && j.trigger === 'api')) return 'API (' + j.requestedBy.join(', ') + ')';
    return (j.triggeredBy && TRIGGERS[j.triggeredBy]) || 'controller';
  }
  function jobStatus(x: string): HTMLElement {
    return badge(x, STATUS[x]);
  }

  function num(n: number | undefined): HTMLElement {
    return h('td', { class: 'num' + (n ? '' : ' zero'), text: String(n || 0) });
  }

  function link(href: string, text: string, key?: string): HTMLElement {
    return h('a', { href: href, 'data-key': key || href, text: text });
  }
  /**
   * A conflict's object as the CLI names it: `person/E1005` (the join key the report carries), linked
   * to its explanation. A report may also carry a bare mesh id; an ambiguous join names a source object,
   * which has no mesh explanation to link to.
   */
  function conflictObject(c: ConflictItem): HTMLElement {
    const prefix = c.meshType + '/';
    const key = c.object.indexOf(prefix) === 0 ? c.object.slice(prefix.length) : c.kind === 'attribute' ? c.object : null;
    if (key === null) return h('span', { class: 'mono', text: c.object });
    return link('#/objects/' + encodeURIComponent(c.meshType) + '/' + encodeURIComponent(key), prefix + key);
  }
  function jobHref(id: number): string {
    return '#/jobs/' + id;
  }
  function connectorHref(name: string): string {
    return '#/connectors/' + encodeURIComponent(name);
  }

  function table(caption: string | null, headers: readonly string[], rows: readonly HTMLElement[], empty: string): HTMLElement {
    if (rows.length === 0) return h('p', { class: 'muted', text: empty });
    const head = h(
      'tr',
      null,
      headers.map(function (x) {
        const numeric = x.charAt(0) === '#';
        return h('th', { scope: 'col', class: numeric ? 'num' : null, text: numeric ? x.slice(1) : x });
      }),
    );
    return h('div', { class: 'wrap' }, h('table', null, [caption ? h('caption', { class: 'visually-hidden', text: caption }) : null, h('thead', null, head), h('tbody', null, rows)]));
  }

  type Pair = readonly [string, Children] | null;

  function dl(pairs: readonly Pair[]): HTMLElement {
    return h(
      'dl',
      { class: 'summary' },
      pairs.filter((p): p is readonly [string, Children] => Boolean(p)).map(function (p) {
        return h('div', null, [h('dt', { text: p[0] }), h('dd', null, p[1])]);
      }),
    );
  }

  function card(title: string, id: string, children: Children, cls?: string | null): HTMLElement {
    return h('section', { class: 'card' + (cls ? ' ' + cls : ''), 'aria-labelledby': id }, ([h('h2', { id: id, text: title })] as Child[]).concat(children));
  }

  function countsText(c: Counts | null | undefined): string {
    if (!c) return 'no run yet';
    const parts = COUNTERS.filter(function (k) {
      return c[k];
    }).map(function (k) {
      return c[k] + ' ' + k;
    });
    return parts.length ? parts.join(', ') : 'no changes';
  }

  // ── shared pieces ───────────────────────────────────────────────────────────────────────────
  function banners(status: Status): HTMLElement[] {
    const out: HTMLElement[] = [];
    if (status.configInvalid) {
      out.push(
        h('section', { class: 'card alert', 'aria-labelledby': 'ci-title', id: 'config-invalid' }, [
          h('h2', { id: 'ci-title', text: 'ConfigInvalid: revision ' + revision(status.lastAttemptedRevision) + ' was not applied' }),
          h('p', { text: status.lastAppliedRevision ? 'Still running the last good revision ' + revision(status.lastAppliedRevision) + '. Fix these problems and push again:' : 'No valid revision has been applied yet. Fix these problems and push again:' }),
          h(
            'ul',
            null,
            status.configProblems.map(function (p) {
              return h('li', { class: 'mono', text: p.file + ':' + p.line + ':' + p.column + ': ' + p.message });
            }),
          ),
        ]),
      );
    }
    if (status.gates.length) {
      out.push(
        h('section', { class: 'card alert warn', 'aria-labelledby': 'gates-title', id: 'gates' }, [
          h('h2', { id: 'gates-title', text: 'Safety gates tripped' }),
          h('p', {
            text: 'Exports to these connectors were blocked in the last cycle; nothing was deleted or disabled there. To let exactly the held-back objects through once, open the connector and approve them (an operator token: POST /api/v1/connectors/NAME/approvals), or rerun with --allow-deletes N.',
          }),
          h(
            'ul',
            null,
            status.gates.map(function (g) {
              const held: Child[] = g.heldBack
                ? [' (', link(connectorHref(g.connector), g.heldBack + ' held back: see them and approve', 'gate-' + g.connector + '-' + g.type), g.pendingApproval ? '; approval #' + g.pendingApproval + ' pending' : '', ')']
                : [];
              return h('li', null, ([link(connectorHref(g.connector), g.connector), ' ', g.type + (g.message ? ': ' + g.message : '')] as Child[]).concat(held));
            }),
          ),
        ]),
      );
    }
    return out;
  }

  function header(status: Status): void {
    const meta = $('meta');
    meta.textContent = '';
    append(meta, [status.mesh ? 'Mesh ' + status.mesh + ' · ' : '', 'revision ', h('span', { class: 'mono', title: status.lastAppliedRevision || '', text: revision(status.lastAppliedRevision) }), ' · ' + status.role]);
    const types = status.meshTypes.join(',');
    if (types !== state.meshTypes) {
      state.meshTypes = types;
      const select = field('search-type', HTMLSelectElement);
      const previous = select.value;
      select.textContent = '';
      status.meshTypes.forEach(function (t) {
        select.appendChild(h('option', { value: t, text: t }));
      });
      if (previous && status.meshTypes.indexOf(previous) >= 0) select.value = previous;
    }
  }

  // ── views ───────────────────────────────────────────────────────────────────────────────────
  function connectorRows(items: readonly Connector[]): HTMLElement[] {
    return items.map(function (c) {
      const types = Object.keys(c.objectTypes)
        .map(function (t) {
          return t + ': ' + c.objectTypes[t]!.count;
        })
        .join(', ');
      return h('tr', null, [
        h('th', { scope: 'row' }, link(connectorHref(c.name), c.name)),
        h('td', { text: c.type }),
        h('td', null, healthSince(c)),
        h('td', { text: types }),
        h('td', null, when(c.lastImport)),
        h('td', null, when(c.lastExport)),
        h('td', null, c.lastRun ? [link(jobHref(c.lastRun.jobId), 'job ' + c.lastRun.jobId, 'c-' + c.name + '-job'), ': ' + countsText(c.lastRun.counts)] : h('span', { class: 'muted', text: 'no run yet' })),
        h('td', null, syncButton(c)),
      ]);
    });
  }

  /**
   * Sync now for one connector (POST /connectors/{name}/sync, an operator token), then its job's page.
   * A viewer token gets 403: the notice says an operator token is needed.
   */
  function syncButton(c: Connector): HTMLElement {
    const button = h('button', { type: 'button', class: 'small', 'data-key': 'sync-' + c.name, 'aria-label': 'Sync now: ' + c.name, disabled: c.suspended, title: c.suspended ? 'suspended (spec.suspend): its runs are stopped' : null }, 'Sync now');
    button.addEventListener('click', function () {
      button.setAttribute('disabled', '');
      api<{ jobId: number }>('/connectors/' + encodeURIComponent(c.name) + '/sync', { mode: 'delta' })
        .then(function (r) {
          location.hash = jobHref(r.jobId);
        })
        .catch(function (error: unknown) {
          button.removeAttribute('disabled');
          $('notice').textContent =
            error instanceof ApiError && error.status === 403
              ? 'Sync now needs an operator token; this one is a viewer\'s. Sign out and open the dashboard with an operator token.'
              : 'Sync now for ' + c.name + ' failed: ' + (error instanceof Error ? error.message : String(error));
        });
    });
    return button;
  }

  function jobRows(items: readonly Job[]): HTMLElement[] {
    const rows: HTMLElement[] = [];
    items.forEach(function (j) {
      const t = j.totals;
      rows.push(
        h(
          'tr',
          null,
          ([
            h('th', { scope: 'row' }, link(jobHref(j.id), String(j.id))),
            h('td', null, jobStatus(j.status)),
            h('td', { text: j.kind }),
            h('td', { text: scopeText(j) }),
            h('td', { text: triggerText(j) }),
            h('td', null, when(j.startedAt || j.requestedAt)),
            h('td', { text: duration(j.durationMs) }),
            // Errors here: connector failures and objects whose export failed (retried next cycle).
          ] as Child[]).concat(
            COUNTERS.map(function (k) {
              return num(k === 'errors' ? t.errors + t.failed : t[k]);
            }),
          ),
        ),
      );
      if (j.errors.length)
        rows.push(
          h(
            'tr',
            { class: 'errors-row' },
            h(
              'td',
              { colspan: 7 + COUNTERS.length },
              h(
                'ul',
                { class: 'errors' },
                j.errors.map(function (e) {
                  return h('li', { text: e });
                }),
              ),
            ),
          ),
        );
    });
    return rows;
  }

  const JOB_HEADERS = ['Job', 'Status', 'Kind', 'Scope', 'Trigger', 'Started', 'Duration'].concat(
    COUNTERS.map(function (k) {
      return k === 'givenUp' ? '#Given up' : '#' + k.charAt(0).toUpperCase() + k.slice(1);
    }),
  );

  function overview(status: Status): Promise<Child[]> {
    return Promise.all([api<Page<Connector>>('/connectors'), api<Page<Job>>('/jobs?pageSize=10'), api<Page<ConflictItem>>('/conflicts?pageSize=15'), api<Page<DriftItem>>('/drift?pageSize=15')]).then(function (r) {
      const connectors = r[0].items,
        jobs = r[1],
        conflicts = r[2],
        drift = r[3];
      const meshObjects =
        Object.keys(status.meshObjects)
          .map(function (t) {
            return t + ': ' + status.meshObjects[t];
          })
          .join(', ') || 'none';
      const last = status.lastJob;
      return ([h('h1', { tabindex: '-1', text: 'Overview' })] as Child[]).concat(banners(status), [
        card(
          'Status',
          'status-title',
          dl([
            ['Revision applied', h('span', { class: 'mono', title: status.lastAppliedRevision || '', text: revision(status.lastAppliedRevision) })],
            status.lastAttemptedRevision !== status.lastAppliedRevision ? ['Newest revision', h('span', { class: 'mono', text: revision(status.lastAttemptedRevision) })] : null,
            ['Last job', last ? [link(jobHref(last.id), 'job ' + last.id, 'last-job'), ' ', jobStatus(last.status), ' ', when(last.finishedAt)] : 'none yet'],
            ['Waiting', status.queuedJob ? link(jobHref(status.queuedJob.id), 'job ' + status.queuedJob.id + ' (' + status.queuedJob.kind + ')') : 'nothing'],
            ['Mesh objects', meshObjects],
            ['Exports to retry', String(status.pendingExports)],
            ['Replica', status.role],
          ]),
        ),
        card('Connectors', 'connectors-title', table('Connectors', ['Connector', 'Type', 'Health', 'Objects', 'Last import', 'Last export', 'Last run', 'Run'], connectorRows(connectors), 'No connectors: no valid revision is running.'), null),
        card('Latest jobs', 'jobs-title', [table('Latest jobs', JOB_HEADERS, jobRows(jobs.items), 'No jobs yet.'), jobs.total > jobs.items.length ? h('p', { class: 'muted', text: 'Showing ' + jobs.items.length + ' of ' + jobs.total + ' jobs.' }) : null]),
        h('div', { class: 'grid' }, [
          card('Open conflicts (' + conflicts.total + ')', 'conflicts-title', [
            table(
              'Open conflicts',
              ['Kind', 'Object', 'Attribute', 'Reason'],
              conflicts.items.map(function (c) {
                return h('tr', null, [h('td', { text: c.kind }), h('td', null, conflictObject(c)), h('td', { text: c.attribute || '' }), h('td', { text: c.reason })]);
              }),
              'No open conflicts.',
            ),
            conflicts.total > conflicts.items.length ? h('p', { class: 'muted', text: 'Showing ' + conflicts.items.length + ' of ' + conflicts.total + '; conflicts.md on the reports branch lists all.' }) : null,
          ]),
          card('Drift (' + drift.total + ')', 'drift-title', [
            table(
              'Drift',
              ['Connector', 'Object', 'Attribute', 'Desired', 'Actual', 'Action'],
              drift.items.map(function (d) {
                return h('tr', null, [h('td', null, link(connectorHref(d.connector), d.connector, 'd-' + d.projection + d.object + d.attribute)), h('td', { class: 'mono', text: d.object }), h('td', { text: d.attribute }), h('td', { text: value(d.desired) }), h('td', { text: value(d.actual) }), h('td', { text: d.action })]);
              }),
              'No drift.',
            ),
            drift.total > drift.items.length ? h('p', { class: 'muted', text: 'Showing ' + drift.items.length + ' of ' + drift.total + '; drift.md on the reports branch lists all.' }) : null,
          ]),
        ]),
      ]);
    });
  }

  function jobView(status: Status, id: string): Promise<Child[]> {
    return api<Job>('/jobs/' + encodeURIComponent(id)).then(function (j) {
      const connectors = Object.keys(j.counts);
      const keys: string[] = COUNTERS.slice();
      connectors.forEach(function (c) {
        Object.keys(j.counts[c]!).forEach(function (k) {
          if (keys.indexOf(k) < 0) keys.push(k);
        });
      });
      return ([h('h1', { tabindex: '-1', text: 'Job ' + j.id })] as Child[]).concat(banners(status), [
        card(
          'Summary',
          'job-summary',
          dl([
            ['Status', jobStatus(j.status)],
            ['Kind', j.kind],
            ['Scope', scopeText(j)],
            ['Trigger', triggerText(j) + (j.requests > 1 ? ' (' + j.requests + ' requests joined)' : '')],
            j.retryFailed ? ['Failed exports', 'all sent again (retryFailed)'] : null,
            j.connectors ? ['Connectors asked for', j.connectors.join(', ')] : null,
            ['Revision', h('span', { class: 'mono', text: revision(j.revision) })],
            j.requestedAt ? ['Requested', when(j.requestedAt)] : null,
            ['Started', when(j.startedAt)],
            ['Finished', j.finishedAt ? when(j.finishedAt) : j.status],
            ['Duration', duration(j.durationMs) || '–'],
          ]),
        ),
        card(
          'Counts per connector',
          'job-counts',
          table(
            'Counts per connector',
            ['Connector'].concat(
              keys.map(function (k) {
                return '#' + k;
              }),
            ),
            connectors.map(function (c) {
              return h(
                'tr',
                null,
                ([h('th', { scope: 'row' }, link(connectorHref(c), c))] as Child[]).concat(
                  keys.map(function (k) {
                    return num(j.counts[c]![k]);
                  }),
                ),
              );
            }),
            j.status === 'queued' ? 'Waiting for its cycle to start.' : 'No counts recorded.',
          ),
        ),
        card('Counts per object type', 'job-type-counts', typeCountsTable(j)),
        j.approvals && j.approvals.length
          ? card('Approvals used', 'job-approvals', [
              table('Approvals used', APPROVAL_HEADERS, approvalRows(j.approvals), 'None.'),
              h(
                'ul',
                null,
                j.approvals
                  .filter(function (a) {
                    return a.letThrough.length > 0;
                  })
                  .map(function (a) {
                    return h('li', { text: '#' + a.id + ' let through: ' + a.letThrough.map(function (o) { return o.op + ' ' + o.object; }).join(', ') });
                  }),
              ),
            ])
          : null,
        j.errors.length
          ? card(
              'Errors',
              'job-errors',
              h(
                'ul',
                { class: 'errors' },
                j.errors.map(function (e) {
                  return h('li', { text: e });
                }),
              ),
              'alert',
            )
          : null,
        h('p', null, link('#/', 'Back to the overview')),
      ]);
    });
  }

  const TYPE_COUNTERS = ['created', 'updated', 'moved', 'disabled', 'deleted', 'failed'];
  /** Exports per target object type (`user`: created, updated …), as an admin console's usersCreated. */
  function typeCountsTable(j: Job): HTMLElement {
    const counts = j.objectCounts || {};
    return table(
      'Counts per object type',
      ['Object type'].concat(
        TYPE_COUNTERS.map(function (k) {
          return '#' + k;
        }),
      ),
      Object.keys(counts).map(function (t) {
        return h(
          'tr',
          null,
          ([h('th', { scope: 'row', text: t })] as Child[]).concat(
            TYPE_COUNTERS.map(function (k) {
              return num(counts[t]![k]);
            }),
          ),
        );
      }),
      j.status === 'queued' ? 'Waiting for its cycle to start.' : 'Nothing exported.',
    );
  }

  const drafts: Record<string, Record<string, string>> = {};
  /** The approval's counts, one per kind of gate: a held clear or Policy limit needs its own count (the API answers AllowanceMissing without it). */
  const ALLOWANCES: readonly { field: 'allowDeletes' | 'allowClears' | 'allowLimits'; gates: readonly string[]; label: string; id: string }[] = [
    { field: 'allowDeletes', gates: ['import', 'export'], label: 'Deletions and disables to allow', id: 'approve-count' },
    { field: 'allowClears', gates: ['clear'], label: 'Attribute clears to allow', id: 'approve-clears' },
    { field: 'allowLimits', gates: ['limit'], label: 'Policy-limited changes to allow', id: 'approve-limits' },
  ];
  const GATES: Record<string, string> = { import: 'import guard', export: 'delete gate', clear: 'attribute-clear gate', limit: 'policy limit' };
  const APPROVAL_STATE: Record<string, string> = { pending: 'none', applied: 'ok', refused: 'bad', expired: 'warn', superseded: 'none' };

  function heldRows(held: readonly HeldObject[]): HTMLElement[] {
    return held.map(function (o) {
      return h('tr', null, [h('td', { text: GATES[o.gate] || o.gate }), h('td', { text: o.op }), h('td', { text: o.objectType }), h('td', { class: 'mono', text: o.object }), h('td', { class: 'mono', text: o.externalId }), h('td', null, when(o.since))]);
    });
  }

  function approvalRows(items: readonly Approval[]): HTMLElement[] {
    return items.map(function (a) {
      const outcome: Child[] = [badge(a.state, APPROVAL_STATE[a.state])];
      if (a.jobId !== null) outcome.push(' in ', link(jobHref(a.jobId), 'job ' + a.jobId, 'a-' + a.id + '-job'));
      if (a.letThrough.length) outcome.push(': let through ' + a.letThrough.length);
      if (a.note) outcome.push(h('div', { class: 'muted', text: a.note }));
      return h('tr', null, [h('th', { scope: 'row', text: '#' + a.id }), h('td', { text: a.approvedBy }), h('td', null, when(a.approvedAt)), h('td', { text: a.reason }), h('td', { text: a.allowDeletes + (a.allowClears !== null ? ' (clears ' + a.allowClears + ')' : '') + (a.allowLimits !== null ? ' (policy limits ' + a.allowLimits + ')' : '') + ' of ' + a.objects.length }), h('td', null, outcome)]);
    });
  }

  const APPROVAL_HEADERS = ['Approval', 'By', 'When', 'Reason', 'Allows', 'Outcome'];

  /**
   * What the connector's gates hold back now, the approval waiting for the next run, and a form to
   * approve (POST /connectors/{name}/approvals, an operator token). The approval is bound to the objects
   * listed: a run that would hold back others refuses it.
   */
  function heldBackCard(c: Connector, approvals: Approvals): HTMLElement | null {
    if (approvals.heldTotal === 0 && !approvals.pending) return null;
    const held = function (gates: readonly string[]): number {
      return approvals.held.filter(function (o) {
        return gates.indexOf(o.gate) >= 0;
      }).length;
    };
    const pending = approvals.pending;
    // The view is rebuilt every few seconds: what is typed survives in `drafts`, focus by data-key.
    const draftKey = 'approve:' + c.name;
    const draft = drafts[draftKey] || (drafts[draftKey] = {});
    // Deletions always have a field (0 when only clears or limits are held: the API requires it); the others only when held.
    const counts = ALLOWANCES.filter(function (a) {
      return a.field === 'allowDeletes' || held(a.gates) > 0;
    }).map(function (a) {
      const input = h('input', { id: a.id, name: a.field, type: 'number', min: 0, value: draft[a.field] ?? String(held(a.gates)), 'data-key': draftKey + ':' + a.field, 'aria-label': a.label }) as HTMLInputElement;
      input.addEventListener('input', function () {
        draft[a.field] = input.value;
      });
      return { allowance: a, input: input };
    });
    const reason = h('input', { id: 'approve-reason', name: 'reason', required: true, maxlength: 500, value: draft['reason'] ?? '', 'data-key': draftKey + ':reason', placeholder: 'why (recorded in the job and on the reports branch)', 'aria-label': 'Reason' }) as HTMLInputElement;
    reason.addEventListener('input', function () {
      draft['reason'] = reason.value;
    });
    const fields: Child[] = [];
    counts.forEach(function (f) {
      fields.push(h('label', { for: f.allowance.id, text: f.allowance.label }), f.input);
    });
    const form = h('form', { class: 'search', id: 'approve-form' }, fields.concat([reason, h('button', { type: 'submit', 'data-key': 'approve-' + c.name }, 'Approve these')]));
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      const body: Record<string, string | number> = { reason: reason.value };
      counts.forEach(function (f) {
        body[f.allowance.field] = Number(f.input.value);
      });
      api<{ approval: Approval }>('/connectors/' + encodeURIComponent(c.name) + '/approvals', body)
        .then(function (r) {
          delete drafts[draftKey];
          return render(false).then(function () {
            $('notice').textContent = 'Approval #' + r.approval.id + ' recorded: the next run whose gate holds these ' + r.approval.objects.length + ' objects back lets them through (it expires ' + new Date(r.approval.expiresAt).toLocaleString() + ').';
          });
        })
        .catch(function (error: unknown) {
          $('notice').textContent =
            error instanceof ApiError && error.status === 403
              ? 'Approving needs an operator token; this one is a viewer\'s. Sign out and open the dashboard with an operator token.'
              : 'Approval for ' + c.name + ' refused: ' + (error instanceof Error ? error.message : String(error));
        });
    });
    return card(
      'Held back by a safety gate (' + approvals.heldTotal + ')',
      'connector-held',
      [
        h('p', {
          text:
            approvals.heldTotal > 0
              ? 'These objects are held back: a run lets them through only when approved, all or nothing, and only these (an approval is bound to the objects listed when it is given; the CLI\'s equivalent is ' + counts.map(function (f) {
                  return '--' + f.allowance.field.replace('allow', 'allow-').toLowerCase() + ' ' + f.input.value;
                }).join(' ') + ').'
              : 'Nothing is held back now.',
        }),
        table('Held-back objects', ['Gate', 'Operation', 'Type', 'Object', 'External id', 'Since'], heldRows(approvals.held), 'Nothing is held back.'),
        approvals.heldTotal > approvals.held.length ? h('p', { class: 'muted', text: 'Showing ' + approvals.held.length + ' of ' + approvals.heldTotal + '.' }) : null,
        pending
          ? h('p', { id: 'approval-pending' }, [badge('approval pending', 'none'), ' #' + pending.id + ' by ' + pending.approvedBy + ' ', when(pending.approvedAt), ': "' + pending.reason + '" — allows ' + pending.allowDeletes + ' of the ' + pending.objects.length + ' objects held back then; expires ', when(pending.expiresAt), '.'])
          : null,
        approvals.heldTotal > 0 ? form : null,
      ],
      'alert warn',
    );
  }

  function connectorView(status: Status, name: string): Promise<Child[]> {
    return Promise.all([
      api<Connector>('/connectors/' + encodeURIComponent(name)),
      api<Page<Job>>('/connectors/' + encodeURIComponent(name) + '/jobs?pageSize=10'),
      api<Approvals>('/connectors/' + encodeURIComponent(name) + '/approvals?pageSize=10'),
    ]).then(function (r) {
      const c = r[0],
        jobs = r[1],
        approvals = r[2];
      const types = Object.keys(c.objectTypes);
      return ([h('h1', { tabindex: '-1', text: 'Connector ' + c.name })] as Child[]).concat(banners(status), [
        card(
          'Summary',
          'connector-summary',
          dl([
            ['Type', c.type],
            ['Health', healthSince(c)],
            c.healthMessage ? ['Why', c.healthMessage] : null,
            ['Last import', when(c.lastImport)],
            ['Last export', when(c.lastExport)],
            c.unmanaged !== undefined ? ['Unmanaged objects', String(c.unmanaged)] : null,
            ['Read by', c.flowRules.join(', ') || 'no flow rule'],
            ['Written by', c.projections.join(', ') || 'no projection'],
            ['Last run', c.lastRun ? [link(jobHref(c.lastRun.jobId), 'job ' + c.lastRun.jobId), ': ' + countsText(c.lastRun.counts)] : 'no run yet'],
          ]),
        ),
        h('p', null, syncButton(c)),
        heldBackCard(c, approvals),
        c.lastError ? card('Last error', 'connector-error', h('p', { class: 'mono', text: c.lastError }), 'alert') : null,
        card(
          'Object types',
          'connector-types',
          table(
            'Object types',
            ['Type', '#Objects', 'Watermark', 'Last import', 'Last export'],
            types.map(function (t) {
              const s = c.objectTypes[t]!;
              return h('tr', null, [h('th', { scope: 'row', text: t }), num(s.count), h('td', { class: 'mono', text: s.watermark === null ? '' : s.watermark }), h('td', null, when(s.lastImport)), h('td', null, when(s.lastExport))]);
            }),
            'No object types.',
          ),
        ),
        card(
          'Conditions',
          'connector-conditions',
          table(
            'Conditions',
            ['Type', 'Status', 'Reason', 'Message'],
            c.conditions.map(function (x) {
              return h('tr', null, [h('td', { text: x.type }), h('td', { text: x.status }), h('td', { text: x.reason }), h('td', { text: x.message })]);
            }),
            'No conditions reported.',
          ),
        ),
        card('Jobs', 'connector-jobs', [table('Jobs of ' + c.name, JOB_HEADERS, jobRows(jobs.items), 'No jobs have covered it yet.'), jobs.total > jobs.items.length ? h('p', { class: 'muted', text: 'Showing ' + jobs.items.length + ' of ' + jobs.total + ' jobs.' }) : null]),
        approvals.total > 0 ? card('Approvals', 'connector-approvals', table('Approvals of ' + c.name, APPROVAL_HEADERS, approvalRows(approvals.items), 'No approvals.')) : null,
        h('p', null, link('#/', 'Back to the overview')),
      ]);
    });
  }

  function provenance(p: Provenance): string {
    return p.connector + '/' + p.externalId + ' via ' + p.rule + ' (confidence ' + p.confidence + ')';
  }

  function written(attributes: Record<string, Written> | null): string {
    if (!attributes) return '';
    return Object.keys(attributes)
      .map(function (name) {
        const v = attributes[name];
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) return name + ' +' + v.add.join(', +') + (v.remove.length ? ' −' + v.remove.join(', −') : '');
        return name + ' = ' + (v === null ? '(cleared)' : value(v));
      })
      .join('; ');
  }

  /** The object's value changes (newest first, as an audit trail reads) and the exports to its targets. */
  function historyCards(hist: HistoryView): HTMLElement[] {
    const values = hist.values.slice().reverse();
    const exports = hist.exports.slice().reverse();
    const RESULT: Record<string, string> = { ok: 'ok', failed: 'bad', heldBack: 'warn' };
    return [
      card('History', 'object-history', [
        h('p', { class: 'muted', text: 'Each value an attribute took, with the source that won it and the revision and run that recorded it (kept for ' + hist.retain + '; imesh history).' }),
        table(
          'Value history',
          ['When', 'Attribute', 'Value', 'From', 'Revision', 'Run'],
          values.map(function (v) {
            const shown = v.withheld ? h('span', { class: 'muted', text: '(withheld: secret)' }) : v.value === null ? h('span', { class: 'muted', text: '(no value)' }) : value(v.value);
            const from = v.connector === null ? '' : v.connector + '/' + v.externalId + ' via ' + v.rule + ' (confidence ' + v.confidence + ')';
            return h('tr', null, [h('td', null, when(v.at)), h('th', { scope: 'row', text: v.attribute }), h('td', null, shown), h('td', { text: from }), h('td', { class: 'mono', text: revision(v.revision) }), h('td', null, link(jobHref(v.run), '#' + v.run, 'hv-' + v.run + v.attribute))]);
          }),
          'No recorded changes.',
        ),
      ]),
      card(
        'Exports',
        'object-exports',
        table(
          'Export history',
          ['When', 'Change', 'Target object', 'Wrote', 'Result', 'Revision', 'Run'],
          exports.map(function (e, i) {
            return h('tr', null, [
              h('td', null, when(e.at)),
              h('td', { text: e.op }),
              h('td', null, [link(connectorHref(e.connector), e.connector, 'he-' + i + e.connector), ' ', h('span', { class: 'mono', text: e.object })]),
              h('td', { text: e.attributes === null && e.op === 'create' ? 'the mesh values of run #' + e.run : written(e.attributes) }),
              h('td', { title: e.error || '' }, badge(e.result, RESULT[e.result])),
              h('td', { class: 'mono', text: revision(e.revision) }),
              h('td', null, link(jobHref(e.run), '#' + e.run, 'hr-' + i + e.run)),
            ]);
          }),
          'Nothing exported yet.',
        ),
      ),
    ];
  }

  function objectView(status: Status, type: string, key: string): Promise<Child[]> {
    const path = '/objects/' + encodeURIComponent(type) + '/' + encodeURIComponent(key);
    return Promise.all([api<MeshObjectView>(path), api<HistoryView>(path + '/history')]).then(function (r) {
      const o = r[0];
      return ([h('h1', { tabindex: '-1' }, [type + '/' + key + ' ', o.deleted ? badge('deleted', 'bad') : null])] as Child[]).concat(banners(status), [
        card(
          'Identity',
          'object-summary',
          dl(
            ([['Mesh id', h('span', { class: 'mono', text: o.id })]] as Pair[]).concat(
              Object.keys(o.keys).map(function (k): Pair {
                return [k, value(o.keys[k])];
              }),
            ),
          ),
        ),
        card(
          'Attributes',
          'object-attributes',
          table(
            'Attributes',
            ['Attribute', 'Value', 'From', 'Lost'],
            o.attributes.map(function (a) {
              return h('tr', null, [
                h('th', { scope: 'row', text: a.name }),
                h('td', { text: value(a.value) }),
                h('td', { text: provenance(a.winner) }),
                h(
                  'td',
                  null,
                  a.losers.length
                    ? h(
                        'ul',
                        null,
                        a.losers.map(function (l) {
                          return h('li', { text: value(l.value) + ' from ' + provenance(l) });
                        }),
                      )
                    : '',
                ),
              ]);
            }),
            'No attribute values.',
          ),
        ),
        card(
          'Sources',
          'object-sources',
          table(
            'Sources',
            ['Connector', 'Object type', 'External id', 'Rule', 'Linked by'],
            o.sources.map(function (s) {
              return h('tr', null, [h('td', null, link(connectorHref(s.connector), s.connector, 's-' + s.connector + s.externalId)), h('td', { text: s.objectType }), h('td', { class: 'mono', text: s.externalId }), h('td', { text: s.rule }), h('td', { text: s.how })]);
            }),
            'No sources.',
          ),
        ),
        card(
          'Targets',
          'object-targets',
          table(
            'Targets',
            ['Projection', 'Connector', 'Object', 'State'],
            o.targets.map(function (t) {
              return h('tr', null, [h('td', { text: t.projection + (t.item ? ' [' + t.item + ']' : '') }), h('td', null, link(connectorHref(t.connector), t.connector, 't-' + t.projection + t.item)), h('td', { class: 'mono', text: t.dn || t.externalId || '(not created yet)' }), h('td', { text: t.state })]);
            }),
            'Not projected anywhere.',
          ),
        ),
        ...historyCards(r[1]),
        h('p', null, link('#/', 'Back to the overview')),
      ]);
    });
  }

  // ── routing, refresh, sign-in ───────────────────────────────────────────────────────────────
  function parseRoute(): Route {
    const parts = location.hash
      .replace(/^#\/?/, '')
      .split('/')
      .map(function (p) {
        try {
          return decodeURIComponent(p);
        } catch {
          return p;
        }
      });
    if (parts[0] === 'jobs' && parts[1]) return { view: 'job', id: parts[1] };
    if (parts[0] === 'connectors' && parts[1]) return { view: 'connector', name: parts[1] };
    if (parts[0] === 'objects' && parts[1] && parts.length > 2) return { view: 'object', type: parts[1], key: parts.slice(2).join('/') };
    return { view: 'overview' };
  }

  function notFound(error: ApiError): Child[] {
    return [h('h1', { tabindex: '-1', text: 'Not found' }), h('section', { class: 'card alert' }, [h('p', { text: error.message }), h('p', null, link('#/', 'Back to the overview'))])];
  }

  function render(isNewView: boolean): Promise<void> {
    if (!state.token) return Promise.resolve();
    if (state.loading && !isNewView) return Promise.resolve();
    const mine = ++state.generation;
    state.loading = true;
    const route = parseRoute();
    const active = document.activeElement;
    const focused = active && active.getAttribute ? active.getAttribute('data-key') : null;
    return api<Status>('/status')
      .then(function (status) {
        header(status);
        const build = route.view === 'job' ? jobView(status, route.id) : route.view === 'connector' ? connectorView(status, route.name) : route.view === 'object' ? objectView(status, route.type, route.key) : overview(status);
        return build.catch(function (error: unknown) {
          if (error instanceof ApiError && (error.status === 404 || error.status === 409 || error.status === 400)) return notFound(error);
          throw error;
        });
      })
      .then(function (nodes) {
        if (mine !== state.generation) return;
        const view = $('view');
        view.textContent = '';
        append(view, nodes);
        $('notice').textContent = '';
        $('updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
        if (isNewView) {
          const title = view.querySelector('h1');
          if (title) title.focus();
        } else if (focused) {
          const again = view.querySelector<HTMLElement>('[data-key="' + CSS.escape(focused) + '"]');
          if (again) again.focus();
        }
      })
      .catch(function (error: unknown) {
        if (mine !== state.generation) return;
        if (error instanceof ApiError && error.status === 401) {
          signOut(error.code === 'ApiDisabled' ? error.message : 'The token was refused (' + error.message + '). Enter a viewer token.');
          return;
        }
        $('notice').textContent = 'Cannot read the controller: ' + (error instanceof Error && error.message ? error.message : String(error)) + '. Retrying every ' + REFRESH_MS / 1000 + ' s.';
      })
      .then(function () {
        if (mine === state.generation) state.loading = false;
      });
  }

  function showApp(): void {
    $('login').hidden = true;
    $('app').hidden = false;
    $('signout').hidden = false;
    if (!state.timer) {
      state.timer = window.setInterval(function () {
        if (!document.hidden) void render(false);
      }, REFRESH_MS);
    }
  }

  function signOut(message: string): void {
    state.token = null;
    state.generation++;
    state.loading = false;
    try {
      sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      /* storage may be off */
    }
    if (state.timer) {
      clearInterval(state.timer);
      state.timer = null;
    }
    $('app').hidden = true;
    $('signout').hidden = true;
    $('login').hidden = false;
    $('meta').textContent = '';
    $('updated').textContent = '';
    $('view').textContent = '';
    $('login-error').textContent = message || '';
    const token = field('token', HTMLInputElement);
    token.value = '';
    token.focus();
  }

  function start(): void {
    try {
      state.token = sessionStorage.getItem(TOKEN_KEY);
    } catch {
      state.token = null;
    }
    $('login-form').addEventListener('submit', function (event) {
      event.preventDefault();
      const token = field('token', HTMLInputElement).value.trim();
      if (!token) {
        $('login-error').textContent = 'Enter a token.';
        return;
      }
      state.token = token;
      api<Status>('/status')
        .then(function () {
          try {
            sessionStorage.setItem(TOKEN_KEY, token);
          } catch {
            /* kept in memory only */
          }
          $('login-error').textContent = '';
          showApp();
          return render(true);
        })
        .catch(function (error: unknown) {
          state.token = null;
          $('login-error').textContent =
            error instanceof ApiError && error.status === 401 ? (error.code === 'ApiDisabled' ? error.message : 'That token was refused.') : 'Cannot reach the controller: ' + (error instanceof Error ? error.message : String(error));
        });
    });
    $('signout').addEventListener('click', function () {
      signOut('Signed out.');
    });
    $('search').addEventListener('submit', function (event) {
      event.preventDefault();
      const type = field('search-type', HTMLSelectElement).value,
        key = field('search-key', HTMLInputElement).value.trim();
      if (!type || !key) return;
      location.hash = '#/objects/' + encodeURIComponent(type) + '/' + encodeURIComponent(key);
    });
    window.addEventListener('hashchange', function () {
      void render(true);
    });
    document.addEventListener('visibilitychange', function () {
      if (!document.hidden) void render(false);
    });
    if (state.token) {
      showApp();
      void render(false);
    } else signOut('');
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
