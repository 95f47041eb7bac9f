/**
 * The `workday` connector: workers from a Workday Reports-as-a-Service (RaaS) custom report, read as
 * JSON (`GET <baseUrl>/<owner>/<report>?format=json&<prompt>=…`, rows under `Report_Entry`). Source only.
 *
 * Why RaaS and not the Human Resources web service's Get_Workers (SOAP): RaaS is what most Workday
 * integrations use for worker extracts (Workato's, ServiceNow's and VersionForge's Workday connectors
 * document it; the apis.io RaaS OpenAPI describes `customreport2/{tenant}/{owner}/{report}` with prompts
 * as query parameters and `Report_Entry` in JSON), the customer chooses the fields in the report
 * (primary position, cost centre, the manager's Employee_ID) instead of us walking Worker_Data →
 * Employment_Data → Position_Data / Organization_Data / Management_Chain_Data, and it needs no SOAP/XML
 * stack in the controller. Its "changed since" prompts play the role of Get_Workers'
 * Transaction_Log_Criteria Updated_From/Updated_Through window (Microsoft's Entra Workday inbound
 * provisioning docs show that request shape). Get_Workers remains possible as a second read path.
 *
 * Deletions: terminated workers stay in the report (accountEnabled false, terminationDate set); a worker
 * that leaves the report altogether (a rescinded hire, a purge, a population change) is swept by a full
 * import, the only read marked complete — weekly by default (the Mesh's `schedule.full`), as for Okta.
 */
import type { Logger } from '../../shared/logger.js';
import { ConnectorError, errorCode, errorMessage, NotSupportedError } from '../../shared/errors.js';
import { BatchBuffer } from '../http/batching.js';
import type { CheckResult, ConnectorContext, ExportResult, IdentityConnector, ImportBatch, ObjectTypeCapabilities, RejectedObject, StagedObject } from '../sdk.js';
import { WorkdayApi, type WorkdayApiOverrides } from './workday-api.js';
import { compileWorkdaySpec, type WorkdayOptions } from './workday-spec.js';
import { formatWatermark, parseWatermark, promptDateTime } from './workday-watermark.js';
import { todayUtc } from '../../config/relative-date.js';
import { workerFromEntry } from './workday-worker.js';

const WORKER = 'worker';

export interface WorkdayConnectorOverrides extends WorkdayApiOverrides {
  /** The clock (tests): signposts and "today" for workers without an Active column. */
  readonly now?: () => Date;
}

interface ReportRead {
  readonly objects: StagedObject[];
  readonly rejected: RejectedObject[];
  readonly skipped: number;
  readonly duplicates: string[];
}

export class WorkdayConnector implements IdentityConnector {
  private readonly options: WorkdayOptions;
  private readonly api: WorkdayApi;
  private readonly log: Logger;
  private readonly now: () => Date;

  constructor(context: ConnectorContext<'workday'>, overrides: WorkdayConnectorOverrides = {}) {
    this.options = compileWorkdaySpec(context.model, context.configPath);
    this.log = context.log;
    this.now = overrides.now ?? (() => new Date());
    this.api = new WorkdayApi(this.options, context.log, context.secrets, overrides);
  }

  /** Requests, retries and OAuth2 tokens fetched (benchmarks, tests). */
  stats(): ReturnType<WorkdayApi['client']['stats']> & { tokens: number } {
    return { ...this.api.client.stats(), tokens: this.api.tokensFetched };
  }

  capabilities(type: string): ObjectTypeCapabilities {
    this.declared(type);
    return { delta: this.options.delta !== undefined, export: false, addressing: 'server-assigned', canDisable: false, inactiveMeansDeleted: false };
  }

  /** Runs the report once (RaaS has no count or paging): reachable, credentials accepted, rows counted. */
  async check(): Promise<CheckResult> {
    const started = Date.now();
    try {
      const read = await this.run(this.options.prompts);
      const warnings = this.problems(read);
      return {
        ok: true,
        latencyMs: Date.now() - started,
        server: `Workday RaaS ${this.api.client.baseUrl.host}`,
        objectTypes: { [WORKER]: { count: read.objects.length + read.rejected.length } },
        ...(warnings.length > 0 ? { warnings } : {}),
      };
    } catch (error) {
      return { ok: false, latencyMs: Date.now() - started, objectTypes: {}, error: { code: errorCode(error, 'CheckFailed'), message: errorMessage(error) } };
    }
  }

  fullImport(type: string): AsyncIterable<ImportBatch> {
    this.declared(type);
    return this.read(undefined);
  }

  deltaImport(type: string, watermark: string): AsyncIterable<ImportBatch> {
    this.declared(type);
    if (!this.options.delta) return this.read(undefined);
    const through = parseWatermark(watermark);
    if (through === undefined) {
      this.log.warn({ event: 'watermark-unreadable', objectType: WORKER, watermark }, 'the worker watermark is not {"through": "<ISO 8601>"}; reading every worker instead');
      return this.read(undefined);
    }
    return this.read(through);
  }

  async export(type: string): Promise<ExportResult[]> {
    this.declared(type);
    throw new NotSupportedError(this.options.connector, 'writing to Workday');
  }

  async close(): Promise<void> {
    await this.api.close();
  }

  private declared(type: string): void {
    if (type !== WORKER) throw new ConnectorError(this.options.connector, 'UnknownObjectType', `object type "${type}" is not declared (a workday connector reads "worker")`);
  }

  /** Every worker (since undefined: complete, so the engine sweeps workers gone from the report) or the window since `since`. */
  private async *read(since: Date | undefined): AsyncGenerator<ImportBatch> {
    const started = Date.now();
    // The signpost: taken before the report runs, it ends this window and starts the next.
    const signpost = this.now();
    const delta = this.options.delta;
    const prompts: Record<string, string> = { ...this.options.prompts };
    if (since !== undefined && delta) {
      prompts[delta.from] = promptDateTime(new Date(since.getTime() - delta.overlapMs));
      if (delta.through) prompts[delta.through] = promptDateTime(signpost);
    }
    const read = await this.run(prompts);
    for (const warning of this.problems(read)) this.log.warn({ event: 'workday-report-problem', objectType: WORKER }, warning);
    const buffer = new BatchBuffer();
    const batches = buffer.add(read.objects);
    const last = buffer.finish({ ...(delta ? { watermark: formatWatermark(signpost) } : {}), complete: since === undefined });
    const mode = since === undefined ? 'full' : 'delta';
    this.log.info(
      { event: 'workday-import', objectType: WORKER, mode, read: read.objects.length, rejected: read.rejected.length, skipped: read.skipped, ...(since !== undefined ? { since: since.toISOString() } : {}), ms: Date.now() - started },
      `read ${read.objects.length} workers (${mode})`,
    );
    for (const batch of batches) yield batch;
    yield read.rejected.length > 0 ? { ...last, rejected: read.rejected } : last;
  }

  private async run(prompts: Readonly<Record<string, string>>): Promise<ReportRead> {
    const response = await this.api.report(prompts);
    const entries = reportEntries(response.body);
    if (entries === undefined) {
      throw new ConnectorError(this.options.connector, 'MalformedResponse', `the report ${this.options.reportPath} answered without a Report_Entry array; is spec.connection.baseUrl the tenant's customreport2 URL?`);
    }
    const today = todayUtc(this.now().getTime());
    const objects: StagedObject[] = [];
    const rejected: RejectedObject[] = [];
    const seen = new Set<string>();
    const duplicates: string[] = [];
    let skipped = 0;
    for (const entry of entries) {
      const worker = workerFromEntry(entry, this.options, today);
      if ('skipped' in worker) skipped++;
      else {
        const id = 'object' in worker ? worker.object.externalId : worker.rejected.externalId;
        if (seen.has(id)) {
          duplicates.push(id);
          continue;
        }
        seen.add(id);
        if ('object' in worker) objects.push(worker.object);
        else rejected.push(worker.rejected);
      }
    }
    return { objects, rejected, skipped, duplicates };
  }

  private problems(read: ReportRead): string[] {
    const out: string[] = [];
    if (read.skipped > 0) out.push(`${read.skipped} report entries had no ${this.options.columns.employeeId} and were skipped`);
    if (read.duplicates.length > 0) {
      const shown = [...new Set(read.duplicates)].slice(0, 5).join(', ');
      out.push(`${read.duplicates.length} report entries repeat a worker already read (${shown}); the first was kept — a report with one row per position should group positions (objectTypes.worker.positions)`);
    }
    for (const r of read.rejected.slice(0, 5)) out.push(r.reason);
    return out;
  }
}

/** The rows of a RaaS JSON response; an empty object is an empty report. */
function reportEntries(body: unknown): readonly unknown[] | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  if (Array.isArray(record.Report_Entry)) return record.Report_Entry;
  return Object.keys(record).length === 0 ? [] : undefined;
}

export function createWorkdayConnector(context: ConnectorContext<'workday'>, overrides: WorkdayConnectorOverrides = {}): IdentityConnector {
  return new WorkdayConnector(context, overrides);
}
