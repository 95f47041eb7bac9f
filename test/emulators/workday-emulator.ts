/**
 * A Workday tenant's Reports-as-a-Service endpoint and OAuth2 token endpoint, following the public
 * request/response shapes: `GET /ccx/service/customreport2/{tenant}/{owner}/{report}?format=json&<prompts>`
 * answers `{ "Report_Entry": [ … ] }`, one object per worker keyed by the report fields' aliases, empty
 * fields left out, booleans as "1"/"0", dates as YYYY-MM-DD; `POST /ccx/oauth2/{tenant}/token` takes the
 * refresh-token grant with the API client in HTTP Basic. For the workday connector's tests and benchmark;
 * never imported by src/.
 *
 * The report has the prompts `Updated_From` / `Updated_Through` (inclusive, ISO 8601 date-times: the
 * workers whose last transaction falls in the window) and `Include_Future_Hires` ("1": pre-hires too);
 * any other query parameter is refused as Workday refuses an unknown prompt. Positions are either flat
 * columns of the primary position or, with `groupedPositions`, a `Positions` group with `Primary_Position`.
 */
import { HttpEmulator, type EmulatorOptions, type EmulatorRequest, type EmulatorResponse } from './http-emulator.js';

export interface WorkdayPosition {
  id: string;
  title?: string;
  jobProfile?: string;
  organization?: string;
  organizationId?: string;
  costCenter?: string;
  costCenterId?: string;
  company?: string;
  location?: string;
  managerId?: string;
  primary: boolean;
}

export interface WorkdayWorker {
  employeeId: string;
  wid: string;
  workerType: 'Employee' | 'Contingent Worker';
  firstName: string;
  lastName: string;
  preferredName?: string;
  email?: string;
  phone?: string;
  positions: WorkdayPosition[];
  hireDate: string;
  originalHireDate?: string;
  terminationDate?: string;
  /** The last transaction's time (what Updated_From/Updated_Through filter on). */
  updatedAt: string;
}

export interface WorkdayEmulatorOptions extends EmulatorOptions {
  readonly auth?: 'basic' | 'oauth2';
  readonly tenant?: string;
  readonly owner?: string;
  readonly report?: string;
  /** Positions as a multi-instance group instead of flat columns of the primary one. */
  readonly groupedPositions?: boolean;
  /** Access token lifetime, seconds. */
  readonly tokenLifetime?: number;
  /** The tenant's date (YYYY-MM-DD) that Active is computed for; default the real UTC date. */
  readonly today?: () => string;
}

const PROMPTS = new Set(['format', 'Updated_From', 'Updated_Through', 'Include_Future_Hires']);

export class WorkdayEmulator extends HttpEmulator {
  readonly tenant: string;
  readonly owner: string;
  readonly report: string;
  readonly isuUser = 'ISU_IdentityMesh';
  readonly isuPassword = 'wd-isu-pass-5e1f8a';
  readonly clientId = 'NzQ5ZjRhYmQtIdentityMesh';
  readonly clientSecret = 'wd-client-secret-2c7d';
  readonly refreshToken = 'wd-refresh-token-91b3e0';
  readonly workers: WorkdayWorker[] = [];
  tokensIssued = 0;
  /** Every report request's query, for assertions. */
  readonly reportQueries: URLSearchParams[] = [];
  private readonly tokens = new Set<string>();
  private clock = Date.parse('2026-01-01T00:00:00.000Z');
  private nextWid = 1;
  readonly workdayOptions: WorkdayEmulatorOptions;

  constructor(options: WorkdayEmulatorOptions = {}) {
    super(options);
    this.workdayOptions = options;
    this.tenant = options.tenant ?? 'acme';
    this.owner = options.owner ?? 'ISU_IdentityMesh';
    this.report = options.report ?? 'Identity_Mesh_Workers';
  }

  /** The connector's `connection.baseUrl`. */
  get baseUrl(): string {
    return `${this.url}/ccx/service/customreport2/${this.tenant}`;
  }

  get tokenUrl(): string {
    return `${this.url}/ccx/oauth2/${this.tenant}/token`;
  }

  /** The emulator's transaction clock: every change is one second later than the previous one. */
  get transactionTime(): string {
    return new Date(this.clock).toISOString();
  }

  /** Moves the transaction clock (a window test reads "since" a point in this clock). */
  setClock(iso: string): void {
    this.clock = Date.parse(iso);
  }

  hire(fields: Partial<Omit<WorkdayWorker, 'wid' | 'updatedAt'>> & { employeeId: string; hireDate: string }): WorkdayWorker {
    const worker: WorkdayWorker = {
      wid: (this.nextWid++).toString(16).padStart(32, '0'),
      workerType: 'Employee',
      firstName: `First${fields.employeeId}`,
      lastName: `Last${fields.employeeId}`,
      positions: [{ id: `P-${fields.employeeId}`, title: 'Engineer', organization: 'Engineering', organizationId: 'SUP-ENG', costCenter: 'CC-100 Engineering', costCenterId: 'CC-100', company: 'Acme Inc.', location: 'Berlin', primary: true }],
      ...fields,
      updatedAt: this.tick(),
    };
    this.workers.push(worker);
    return worker;
  }

  /** A change to a worker (a business process completing): one transaction. */
  change(employeeId: string, edit: (worker: WorkdayWorker) => void): WorkdayWorker {
    const worker = this.workers.find((w) => w.employeeId === employeeId);
    if (!worker) throw new Error(`no worker ${employeeId}`);
    edit(worker);
    worker.updatedAt = this.tick();
    return worker;
  }

  terminate(employeeId: string, terminationDate: string): WorkdayWorker {
    return this.change(employeeId, (w) => (w.terminationDate = terminationDate));
  }

  /** Rehire as the same worker: a new hire date, the termination cleared, the first hire kept. */
  rehire(employeeId: string, hireDate: string): WorkdayWorker {
    return this.change(employeeId, (w) => {
      w.originalHireDate ??= w.hireDate;
      w.hireDate = hireDate;
      delete w.terminationDate;
    });
  }

  /** Gone from the report without a transaction it could show (a rescinded hire). */
  remove(employeeId: string): void {
    const index = this.workers.findIndex((w) => w.employeeId === employeeId);
    if (index >= 0) this.workers.splice(index, 1);
  }

  revokeTokens(): void {
    this.tokens.clear();
  }

  protected bucket(): string {
    return 'all';
  }

  protected throttleBody(): unknown {
    return { error: 'Too many requests' };
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    const path = request.url.pathname;
    if (request.method === 'POST' && path === `/ccx/oauth2/${this.tenant}/token`) return this.token(request);
    const reportPath = `/ccx/service/customreport2/${this.tenant}/${this.owner}/${this.report}`;
    if (path !== reportPath) return { status: 404, body: { error: `Invalid report: ${path}` } };
    if (request.method !== 'GET') return { status: 405, body: { error: 'Method not allowed' } };
    if (!this.authorized(request)) return { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="Workday"' }, body: { error: 'invalid username or password' } };
    const q = request.url.searchParams;
    this.reportQueries.push(new URLSearchParams(q));
    for (const name of q.keys()) if (!PROMPTS.has(name)) return { status: 400, body: { error: `Invalid request parameter: ${name}` } };
    if (q.get('format') !== 'json') return { status: 400, body: { error: 'this emulator answers format=json only' } };
    const from = dateTime(q.get('Updated_From'));
    const through = dateTime(q.get('Updated_Through'));
    if (from === null || through === null) return { status: 400, body: { error: 'Updated_From/Updated_Through: invalid date-time' } };
    const today = this.today();
    const futureHires = q.get('Include_Future_Hires') === '1';
    const entries = this.workers
      .filter((w) => futureHires || w.hireDate <= today)
      .filter((w) => (from === undefined || Date.parse(w.updatedAt) >= from) && (through === undefined || Date.parse(w.updatedAt) <= through))
      .map((w) => this.entry(w, today));
    return { status: 200, body: { Report_Entry: entries } };
  }

  private entry(w: WorkdayWorker, today: string): Record<string, unknown> {
    const active = w.hireDate <= today && (w.terminationDate === undefined || today <= w.terminationDate);
    const position = (p: WorkdayPosition): Record<string, unknown> =>
      compact({
        Position_ID: p.id,
        Business_Title: p.title,
        Job_Profile: p.jobProfile,
        Supervisory_Organization: p.organization,
        Supervisory_Organization_ID: p.organizationId,
        Cost_Center: p.costCenter,
        Cost_Center_ID: p.costCenterId,
        Company: p.company,
        Location: p.location,
        Manager_Employee_ID: p.managerId,
      });
    const primary = w.positions.find((p) => p.primary) ?? w.positions[0];
    const positions = this.workdayOptions.groupedPositions
      ? { Positions: w.positions.map((p) => ({ ...position(p), Primary_Position: p.primary ? '1' : '0' })) }
      : primary
        ? position(primary)
        : {};
    return compact({
      Employee_ID: w.employeeId,
      Worker_WID: w.wid,
      Worker_Type: w.workerType,
      First_Name: w.firstName,
      Last_Name: w.lastName,
      Preferred_Name: w.preferredName,
      Primary_Work_Email: w.email,
      Primary_Work_Phone: w.phone,
      ...positions,
      Hire_Date: w.hireDate,
      Original_Hire_Date: w.originalHireDate,
      Termination_Date: w.terminationDate,
      Active: active ? '1' : '0',
    });
  }

  private today(): string {
    return this.workdayOptions.today?.() ?? new Date().toISOString().slice(0, 10);
  }

  private authorized(request: EmulatorRequest): boolean {
    const header = request.headers.authorization;
    if ((this.workdayOptions.auth ?? 'basic') === 'basic') return header === `Basic ${Buffer.from(`${this.isuUser}:${this.isuPassword}`).toString('base64')}`;
    return header !== undefined && header.startsWith('Bearer ') && this.tokens.has(header.slice(7));
  }

  private token(request: EmulatorRequest): EmulatorResponse {
    const form = (request.body ?? {}) as Record<string, string>;
    const header = request.headers.authorization ?? '';
    const [id, secret] = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString().split(':').map(decodeURIComponent) : [form.client_id, form.client_secret];
    if (form.grant_type !== 'refresh_token') return { status: 400, body: { error: 'unsupported_grant_type' } };
    if (id !== this.clientId || secret !== this.clientSecret) return { status: 401, body: { error: 'invalid_client' } };
    if (form.refresh_token !== this.refreshToken) return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid refresh token' } };
    const token = `wd-at-${++this.tokensIssued}-${Math.random().toString(36).slice(2)}`;
    this.tokens.add(token);
    return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: this.workdayOptions.tokenLifetime ?? 3600, refresh_token: this.refreshToken } };
  }

  private tick(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }
}

/** undefined when absent, null when unparseable, else epoch ms. */
function dateTime(text: string | null): number | undefined | null {
  if (text === null) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined && v !== ''));
}
