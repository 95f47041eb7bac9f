/**
 * The workday connector's options, compiled once from the validated spec (schemas/connector.schema.json,
 * `WorkdayConnectorSpec`): defaults applied, the report path and URLs checked, column names resolved.
 */
import { resolve } from 'node:path';
import type { ConnectorModel } from '../../config/model.js';
import { parseDuration } from '../../config/duration.js';
import { ConfigError } from '../../shared/errors.js';
import { secureBaseUrl } from '../http/secure-url.js';

/** The worker attributes the connector stages, and the report column each is read from by default. */
export const DEFAULT_COLUMNS = {
  employeeId: 'Employee_ID',
  workdayId: 'Worker_WID',
  workerType: 'Worker_Type',
  firstName: 'First_Name',
  lastName: 'Last_Name',
  preferredName: 'Preferred_Name',
  displayName: 'Display_Name',
  workEmail: 'Primary_Work_Email',
  workPhone: 'Primary_Work_Phone',
  positionId: 'Position_ID',
  title: 'Business_Title',
  jobProfile: 'Job_Profile',
  organization: 'Supervisory_Organization',
  organizationId: 'Supervisory_Organization_ID',
  costCenter: 'Cost_Center',
  costCenterId: 'Cost_Center_ID',
  company: 'Company',
  location: 'Location',
  managerId: 'Manager_Employee_ID',
  hireDate: 'Hire_Date',
  originalHireDate: 'Original_Hire_Date',
  terminationDate: 'Termination_Date',
  active: 'Active',
} as const;

export type WorkerAttribute = keyof typeof DEFAULT_COLUMNS;

/** Attributes of a position: read from the primary entry when the report groups positions. */
export const POSITION_ATTRIBUTES: ReadonlySet<WorkerAttribute> = new Set(['positionId', 'title', 'jobProfile', 'organization', 'organizationId', 'costCenter', 'costCenterId', 'company', 'location', 'managerId']);

export type WorkdayAuthOptions =
  | { readonly kind: 'basic'; readonly username: string; readonly passwordRef: string }
  | { readonly kind: 'oauth2'; readonly tokenUrl: string; readonly clientId: string; readonly clientSecretRef: string; readonly refreshTokenRef: string };

export interface WorkdayOptions {
  readonly connector: string;
  /** The tenant's customreport2 URL, ending in `/`. */
  readonly baseUrl: string;
  readonly auth: WorkdayAuthOptions;
  readonly timeoutMs: number;
  readonly caFile?: string;
  /** `<owner>/<report>`, each segment percent-encoded, relative to baseUrl. */
  readonly reportPath: string;
  readonly prompts: Readonly<Record<string, string>>;
  readonly delta?: { readonly from: string; readonly through?: string; readonly overlapMs: number };
  readonly columns: Readonly<Record<WorkerAttribute, string>>;
  readonly positions?: { readonly group: string; readonly primary?: string };
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_OVERLAP_MS = 5 * 60_000;

export function compileWorkdaySpec(model: Pick<ConnectorModel<'workday'>, 'name' | 'spec'>, configPath: string): WorkdayOptions {
  const spec = model.spec;
  const where = (key: string) => `${model.name}: spec.${key}`;
  const base = secureBaseUrl(model.name, spec.connection.baseUrl, 'spec.connection.baseUrl');
  if (base.search !== '' || base.hash !== '') throw new ConfigError('ConfigInvalid', `${where('connection.baseUrl')} must not carry a query or fragment; give prompts under objectTypes.worker.prompts`);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const auth: WorkdayAuthOptions =
    spec.connection.auth.type === 'basic'
      ? { kind: 'basic', username: spec.connection.auth.username, passwordRef: spec.connection.auth.password }
      : {
          kind: 'oauth2',
          tokenUrl: secureBaseUrl(model.name, spec.connection.auth.tokenUrl, 'spec.connection.auth.tokenUrl').href,
          clientId: spec.connection.auth.clientId,
          clientSecretRef: spec.connection.auth.clientSecret,
          refreshTokenRef: spec.connection.auth.refreshToken,
        };
  const timeoutMs = spec.connection.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(spec.connection.timeout);
  if (timeoutMs === undefined || timeoutMs <= 0) throw new ConfigError('ConfigInvalid', `${where('connection.timeout')} "${spec.connection.timeout}" is not a duration such as 5m`);
  const worker = spec.objectTypes.worker;
  const segments = worker.report.split('/');
  if (segments.length !== 2 || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new ConfigError('ConfigInvalid', `${where('objectTypes.worker.report')} "${worker.report}" is not <owner>/<report name>`);
  }
  const prompts: Record<string, string> = {};
  for (const [name, value] of Object.entries(worker.prompts ?? {})) if (value !== undefined) prompts[name] = value;
  for (const name of Object.keys(prompts)) {
    if (name.toLowerCase() === 'format') throw new ConfigError('ConfigInvalid', `${where(`objectTypes.worker.prompts.${name}`)}: the connector always asks for format=json; leave it out`);
  }
  let delta: WorkdayOptions['delta'];
  if (worker.delta) {
    const overlapMs = worker.delta.overlap === undefined ? DEFAULT_OVERLAP_MS : parseDuration(worker.delta.overlap);
    if (overlapMs === undefined) throw new ConfigError('ConfigInvalid', `${where('objectTypes.worker.delta.overlap')} "${worker.delta.overlap}" is not a duration such as 5m`);
    if (worker.delta.through !== undefined && worker.delta.through === worker.delta.from) {
      throw new ConfigError('ConfigInvalid', `${where('objectTypes.worker.delta')}: from and through name the same prompt "${worker.delta.from}"`);
    }
    for (const prompt of [worker.delta.from, worker.delta.through]) {
      if (prompt !== undefined && Object.hasOwn(prompts, prompt)) throw new ConfigError('ConfigInvalid', `${where(`objectTypes.worker.prompts.${prompt}`)} is also a delta prompt (objectTypes.worker.delta); give it in one place`);
    }
    delta = { from: worker.delta.from, ...(worker.delta.through !== undefined ? { through: worker.delta.through } : {}), overlapMs };
  }
  const columns: Record<WorkerAttribute, string> = { ...DEFAULT_COLUMNS };
  for (const [attribute, column] of Object.entries(worker.columns ?? {})) {
    if (column !== undefined && Object.hasOwn(DEFAULT_COLUMNS, attribute)) columns[attribute as WorkerAttribute] = column;
  }
  return {
    connector: model.name,
    baseUrl: base.href,
    auth,
    timeoutMs,
    ...(spec.connection.tls?.caFile !== undefined ? { caFile: resolve(configPath, spec.connection.tls.caFile) } : {}),
    reportPath: segments.map(encodeURIComponent).join('/'),
    prompts,
    ...(delta ? { delta } : {}),
    columns,
    ...(worker.positions ? { positions: { group: worker.positions.group, ...(worker.positions.primary !== undefined ? { primary: worker.positions.primary } : {}) } } : {}),
  };
}
