/**
 * The operator API's schemas (JSON Schema 2020-12) and the pieces its route declarations share:
 * components of the OpenAPI document (openapi.ts), also used to validate request bodies.
 */
import { CONNECTOR_TYPES } from '../../connectors/registry.js';
import { JOB_COUNTERS } from './jobs.js';

export type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: Schema): Schema => ({ anyOf: [schema, { type: 'null' }] });
const dateTime: Schema = { type: 'string', format: 'date-time' };
const integer: Schema = { type: 'integer', minimum: 0 };
export const object = (properties: Record<string, Schema>, required: readonly string[] = Object.keys(properties), extra: Schema = {}): Schema => ({
  type: 'object',
  required: [...required],
  properties,
  additionalProperties: false,
  ...extra,
});

const scalar: Schema = { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] };

const conditionSchema = object(
  {
    type: { type: 'string', examples: ['Ready', 'ConfigInvalid', 'DeleteThresholdExceeded', 'ImportGuardTripped', 'AttributeClearThresholdExceeded'] },
    status: { enum: ['True', 'False'] },
    reason: { type: 'string' },
    message: { type: 'string' },
    lastTransitionTime: dateTime,
  },
  ['type', 'status', 'reason', 'message'],
);

const connectorProperties: Record<string, Schema> = {
  name: { type: 'string' },
  type: { type: 'string', examples: [...CONNECTOR_TYPES] },
  health: { enum: ['Healthy', 'Degraded', 'Failed', 'Unknown'], description: 'From the last run that involved the connector; Unknown before the first one.' },
  healthReason: { type: 'string', description: 'Why: RunSucceeded, ImportFailed, ExportFailed, OpenFailed, ImportGuardTripped, DeleteThresholdExceeded, AttributeClearThresholdExceeded or ExportErrors.' },
  healthMessage: { type: 'string' },
  healthLastTransitionTime: { ...dateTime, description: 'When health last changed; runs that leave it as it was do not rewrite it.' },
  suspended: { type: 'boolean', description: 'spec.suspend pauses its exports.' },
  lastImport: nullable(dateTime),
  lastExport: nullable(dateTime),
  objectTypes: { type: 'object', additionalProperties: ref('ObjectTypeStatus') },
  conditions: { type: 'array', items: ref('Condition') },
  unmanaged: { ...integer, description: "Objects in the target's scope that no mesh object projects to." },
  lastError: { type: 'string' },
  givenUpExports: {
    type: 'array',
    description: 'Exports to this target given up after the Mesh\'s exportRetry.maxAttempts cycles (at most 100): not sent again until their desired state changes or imesh reconcile --retry-failed.',
    items: object({ projection: { type: 'string' }, object: { type: 'string' }, op: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' }, attempts: integer, lastAttempt: dateTime }),
  },
  driftCheck: { type: 'string', description: 'every-cycle, full-only or a duration: when a target without change tracking is read whole for drift.' },
  lastRun: nullable(ref('LastRun')),
};
const connectorRequired = ['name', 'type', 'health', 'suspended', 'lastImport', 'lastExport', 'objectTypes', 'conditions', 'lastRun'];

const problemSchema = object(
  { file: { type: 'string' }, line: { type: 'integer', minimum: 1 }, column: { type: 'integer', minimum: 1 }, message: { type: 'string' }, key: { type: 'string' } },
  ['file', 'line', 'column', 'message'],
);

const provenance = object({
  value: ref('Value'),
  rule: { type: 'string' },
  connector: { type: 'string' },
  externalId: { type: 'string' },
  confidence: { type: 'number', minimum: 0, maximum: 100 },
  at: { type: 'string' },
});

const page = (item: string): Schema =>
  object({ items: { type: 'array', items: ref(item) }, page: { type: 'integer', minimum: 1 }, pageSize: { type: 'integer', minimum: 1, maximum: 100 }, total: integer });

export const errorResponse = (description: string, headers?: Record<string, unknown>): Schema => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: ref('Error') } },
});

export const json = (description: string, schema: Schema, headers?: Record<string, unknown>): Schema => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema } },
});

const challenge = { 'WWW-Authenticate': { description: 'Bearer challenge (RFC 6750).', schema: { type: 'string' } } };
const responses = {
  Unauthorized: errorResponse('No token, a token that is not in spec.api.tokens, or no spec.api at all.', challenge),
  Forbidden: errorResponse('The token has the viewer role; this operation needs operator.', challenge),
  NotFound: errorResponse('No such resource.'),
  BadRequest: errorResponse('The request is malformed (query, body or path).'),
  NoConfig: errorResponse('No valid config revision is running yet (see GET /status: configProblems).'),
  TooLarge: errorResponse('The request body is over 4 KiB.'),
};
export const readErrors = { '400': { $ref: '#/components/responses/BadRequest' }, '401': { $ref: '#/components/responses/Unauthorized' } };
export const writeErrors = { ...readErrors, '403': { $ref: '#/components/responses/Forbidden' }, '413': { $ref: '#/components/responses/TooLarge' } };
export const notFound = { '404': { $ref: '#/components/responses/NotFound' } };
export const noConfig = { '409': { $ref: '#/components/responses/NoConfig' } };
export const nameParam = { name: 'name', in: 'path', required: true, description: 'Connector name (metadata.name).', schema: { type: 'string' } };
export const paging = [
  { name: 'page', in: 'query', description: '1-based page number (default 1).', schema: { type: 'integer', minimum: 1, default: 1 } },
  { name: 'pageSize', in: 'query', description: 'Items per page (default 20, at most 100).', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
];
export const syncBody = {
  required: false,
  content: { 'application/json': { schema: ref('SyncRequest'), examples: { delta: { value: { mode: 'delta' } }, full: { value: { mode: 'full' } }, retryFailed: { value: { mode: 'delta', retryFailed: true } } } } },
};
/** Held-back objects an approvals listing shows at most. */
export const HELD_SHOWN = 1000;

export const approvalBody = {
  required: true,
  content: {
    'application/json': {
      schema: ref('ApprovalRequest'),
      examples: {
        deletes: { value: { allowDeletes: 6, reason: 'reorganisation: the Contractors department moves out of the apps scope' } },
        limits: { value: { allowDeletes: 0, allowLimits: 40, reason: 'Sales and Marketing merge: 40 accounts change department' } },
      },
    },
  },
};

export const accepted = json('Queued, or joined the request already waiting (`joined`). `Location` names the job.', ref('SyncAccepted'), {
  Location: { description: 'The job: /api/v1/jobs/{id}.', schema: { type: 'string' } },
});

export const components = {
  securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token from spec.api.tokens (a {{secret:NAME}} reference resolved by the controller).' } },
  responses,
  schemas: {
    Error: object({ error: { type: 'string', description: 'What happened and what to do.' }, code: { type: 'string', description: 'Stable code to branch on.' } }),
    Value: { anyOf: [scalar, { type: 'array', items: scalar }] },
    Condition: conditionSchema,
    Problem: problemSchema,
    ObjectTypeStatus: object({ count: integer, watermark: nullable({ type: 'string', description: 'As stored: opaque to the engine, readable by people.' }), lastImport: nullable(dateTime), lastExport: nullable(dateTime), lastWholeRead: { ...nullable(dateTime), description: 'When the type was last read whole (drift reads of targets without change tracking follow the connector\'s driftCheck).' } }),
    LastRun: object({ jobId: { type: 'integer' }, status: ref('JobStatus'), startedAt: nullable(dateTime), finishedAt: nullable(dateTime), counts: ref('JobCounts') }),
    Connector: object(connectorProperties, connectorRequired),
    ConnectorDetail: object(
      { ...connectorProperties, flowRules: { type: 'array', items: { type: 'string' } }, projections: { type: 'array', items: { type: 'string' } } },
      [...connectorRequired, 'flowRules', 'projections'],
    ),
    ConnectorCheck: object(
      {
        name: { type: 'string' },
        type: { type: 'string' },
        ok: { type: 'boolean' },
        reach: { enum: ['ok', 'failed', 'notTested', 'unknown'], description: 'notTested: the check stopped before trying (a missing secret); unknown: the error does not say.' },
        credentials: {
          enum: ['ok', 'failed', 'notTested', 'notApplicable', 'unknown'],
          description: 'failed: refused, lacking a right, or its secret is not set; notTested: the system was not reached; notApplicable: the type has no credentials (csv, embedded sql).',
        },
        latencyMs: { type: 'number', minimum: 0 },
        server: { type: 'string' },
        objectTypes: { type: 'object', additionalProperties: object({ count: integer }) },
        error: object({ code: { type: 'string' }, message: { type: 'string' } }),
        warnings: { type: 'array', items: { type: 'string' } },
        checkedAt: dateTime,
      },
      ['name', 'type', 'ok', 'reach', 'credentials', 'latencyMs', 'objectTypes', 'warnings', 'checkedAt'],
    ),
    JobStatus: { enum: ['queued', 'running', 'succeeded', 'failed', 'blocked', 'interrupted'] },
    JobCounts: {
      type: 'object',
      description:
        'imported: connector-space objects that changed; created … deleted: exports done; failed: object exports that failed (retried next cycle); conflicts: ambiguous joins; errors: connector failures. More counters may appear (read, joined, provisioned, heldBack, deletedInSource).',
      required: [...JOB_COUNTERS],
      properties: Object.fromEntries(JOB_COUNTERS.map((k) => [k, integer])),
      additionalProperties: integer,
    },
    Job: object({
      id: { type: 'integer', minimum: 1 },
      status: ref('JobStatus'),
      kind: { enum: ['delta', 'full'] },
      trigger: { enum: ['api', 'controller'] },
      requestedAt: nullable(dateTime),
      requestedBy: { type: 'array', items: { type: 'string' }, description: 'Token names that asked.' },
      requests: integer,
      retryFailed: { type: 'boolean', description: 'A sync request asked this run to send every failed export again (retryFailed).' },
      connectors: nullable({ type: 'array', items: { type: 'string' } }),
      scope: nullable({ type: 'array', items: { type: 'string' }, description: "The connectors a scoped run covered (a connector's own schedule, its Sync Now, imesh reconcile --connector); null: the whole mesh." }),
      objectCounts: {
        type: 'object',
        description: "Export counts per target object type (user, group …): the documents' usersCreated is objectCounts.user.created.",
        additionalProperties: object({ created: integer, updated: integer, moved: integer, disabled: integer, deleted: integer, failed: integer }),
      },
      triggeredBy: nullable({ enum: ['schedule', 'revision', 'scim', 'api', 'cli'], description: 'What started the run (the API tokens that asked are in requestedBy); null when not recorded.' }),
      revision: nullable({ type: 'string' }),
      startedAt: nullable(dateTime),
      finishedAt: nullable(dateTime),
      durationMs: nullable(integer),
      counts: { type: 'object', description: 'Per connector.', additionalProperties: ref('JobCounts') },
      totals: ref('JobCounts'),
      errors: { type: 'array', items: { type: 'string' } },
      approvals: { type: 'array', items: ref('Approval'), description: 'Approvals this run used: who, when, why and what they let through (or why they were refused).' },
    }),
    JobPage: page('Job'),
    HeldObject: object(
      {
        gate: { enum: ['import', 'export', 'clear', 'limit'], description: "import: the import guard (a source read would delete or disable it); export: the delete gate (a delete or disable to a target); clear: the attribute-clear gate; limit: a Policy's limits (a change they counted)." },
        objectType: { type: 'string' },
        externalId: { type: 'string', description: "The target's id of the object (a create's: the DN or key it would get)." },
        op: { enum: ['delete', 'disable', 'clear', 'create', 'update', 'move'] },
        object: { type: 'string', description: 'For people: DN, key or external id.' },
      },
    ),
    HeldRow: object(
      {
        gate: { enum: ['import', 'export', 'clear', 'limit'] },
        objectType: { type: 'string' },
        externalId: { type: 'string' },
        op: { enum: ['delete', 'disable', 'clear', 'create', 'update', 'move'] },
        object: { type: 'string' },
        jobId: { type: 'integer', description: 'The run that held it back last.' },
        since: nullable(dateTime),
      },
    ),
    Approval: object({
      id: { type: 'integer', minimum: 1 },
      connector: { type: 'string' },
      allowDeletes: integer,
      allowClears: nullable(integer),
      allowLimits: nullable(integer),
      reason: { type: 'string' },
      approvedBy: { type: 'string', description: 'The API token that gave it.' },
      approvedAt: dateTime,
      expiresAt: dateTime,
      state: { enum: ['pending', 'applied', 'refused', 'expired', 'superseded'], description: 'pending: waiting for the next run whose gate holds its objects back; applied: let them through; refused: what was held back then was not among its objects, or more than it allows (the gate blocked); expired: unused for 24 hours; superseded: a newer approval replaced it.' },
      objects: { type: 'array', items: ref('HeldObject'), description: 'What was held back when it was given: only these may pass.' },
      jobId: nullable({ type: 'integer', description: 'The run that used it.' }),
      decidedAt: nullable(dateTime),
      letThrough: { type: 'array', items: ref('HeldObject') },
      note: nullable({ type: 'string' }),
    }),
    ApprovalRequest: object(
      {
        allowDeletes: { type: 'integer', minimum: 0, maximum: 1_000_000, description: 'As --allow-deletes N: at least the deletions and disables held back now.' },
        allowClears: { type: 'integer', minimum: 0, maximum: 1_000_000, description: "For the attribute-clear gate: at least the clears it holds back now." },
        allowLimits: { type: 'integer', minimum: 0, maximum: 1_000_000, description: "For a Policy's limits: at least the changes they hold back now (as --allow-limits, but bound to those objects)." },
        reason: { type: 'string', minLength: 1, maxLength: 500, pattern: '\\S', description: 'Why (recorded in the job, status.json and the reports branch).' },
      },
      ['allowDeletes', 'reason'],
    ),
    ApprovalCreated: object({ approval: ref('Approval'), superseded: { type: 'array', items: { type: 'integer' }, description: 'Pending approvals of the connector it replaced.' } }),
    ApprovalPage: object({
      held: { type: 'array', items: ref('HeldRow'), description: `What the connector's gates hold back now (at most ${HELD_SHOWN}).` },
      heldTotal: integer,
      pending: nullable(ref('Approval')),
      items: { type: 'array', items: ref('Approval') },
      page: { type: 'integer', minimum: 1 },
      pageSize: { type: 'integer', minimum: 1, maximum: 100 },
      total: integer,
    }),
    SyncRequest: object(
      {
        mode: { enum: ['delta', 'full'], default: 'delta' },
        retryFailed: {
          type: 'boolean',
          default: false,
          description: "Send every failed export of the run's projections again in this run, counted afresh — also those given up after the Mesh's exportRetry.maxAttempts (imesh reconcile --retry-failed). A request joining a waiting one that asks for it keeps it.",
        },
      },
      [],
    ),
    SyncAccepted: object({ jobId: { type: 'integer', minimum: 1 }, joined: { type: 'boolean' }, job: ref('Job') }),
    Gate: object({
      connector: { type: 'string' },
      type: { type: 'string' },
      reason: { type: 'string' },
      message: { type: 'string' },
      since: nullable(dateTime),
      heldBack: { ...integer, description: "Objects the connector's gates hold back now (GET /connectors/{name}/approvals lists them)." },
      pendingApproval: nullable({ type: 'integer', description: "The connector's approval waiting for the next run." }),
    }),
    Status: object({
      mesh: nullable({ type: 'string' }),
      role: { enum: ['leader', 'standby'] },
      lastAppliedRevision: nullable({ type: 'string' }),
      lastAttemptedRevision: nullable({ type: 'string' }),
      configInvalid: { type: 'boolean' },
      configProblems: { type: 'array', items: ref('Problem') },
      conditions: { type: 'array', items: ref('Condition') },
      gates: { type: 'array', items: ref('Gate') },
      meshTypes: { type: 'array', items: { type: 'string' } },
      meshObjects: { type: 'object', additionalProperties: integer },
      pendingExports: integer,
      statusAt: nullable(dateTime),
      queuedJob: nullable(ref('Job')),
      lastJob: nullable(ref('Job')),
    }),
    Provenance: provenance,
    Explanation: object({
      type: { type: 'string' },
      id: { type: 'string' },
      deleted: { type: 'boolean' },
      keys: { type: 'object', additionalProperties: ref('Value') },
      attributes: { type: 'array', items: object({ name: { type: 'string' }, value: ref('Value'), winner: ref('Provenance'), losers: { type: 'array', items: ref('Provenance') } }) },
      sources: { type: 'array', items: object({ connector: { type: 'string' }, objectType: { type: 'string' }, externalId: { type: 'string' }, rule: { type: 'string' }, how: { type: 'string' } }) },
      targets: {
        type: 'array',
        items: object({
          projection: { type: 'string' },
          connector: { type: 'string' },
          objectType: { type: 'string' },
          externalId: nullable({ type: 'string' }),
          dn: nullable({ type: 'string' }),
          state: { type: 'string' },
          item: { type: 'string' },
        }),
      },
    }),
    History: object({
      type: { type: 'string' },
      id: { type: 'string' },
      deleted: { type: 'boolean' },
      keys: { type: 'object', additionalProperties: ref('Value') },
      attribute: { ...nullable({ type: 'string' }), description: 'The attribute asked for; null: every attribute.' },
      retain: { type: 'string', description: 'How long changes are kept (Mesh.spec.history.retain); 0s: history is off.', examples: ['400d'] },
      values: {
        type: 'array',
        description: "Each value each attribute held, oldest first: the values it left (pruned after retain) and its current value (never pruned).",
        items: object({
          attribute: { type: 'string' },
          value: { ...nullable(ref('Value')), description: 'The value from then on; null when the attribute lost its value (or its object was deleted) or the value is withheld.' },
          withheld: { type: 'boolean', description: 'The value is a secret (an attribute named like one, or a value holding one) and is not kept.' },
          connector: { ...nullable({ type: 'string' }), description: 'The source that won the value; null when the attribute lost its value.' },
          rule: nullable({ type: 'string' }),
          externalId: nullable({ type: 'string' }),
          confidence: nullable({ type: 'number' }),
          revision: { ...nullable({ type: 'string' }), description: 'The config revision the run applied.' },
          run: { ...integer, description: 'The job id of the run that made this value current.' },
          at: dateTime,
        }),
      },
      exports: {
        type: 'array',
        description: 'Each change exported to a target object of this mesh object, oldest first.',
        items: object({
          projection: { type: 'string' },
          connector: { type: 'string' },
          objectType: { type: 'string' },
          object: { type: 'string', description: 'DN, key or external id of the target object.' },
          item: { type: 'string' },
          op: { enum: ['create', 'update', 'move', 'enable', 'disable', 'delete'] },
          attributes: {
            ...nullable({ type: 'object', additionalProperties: nullable({ anyOf: [ref('Value'), object({ add: { type: 'array', items: scalar }, remove: { type: 'array', items: scalar } })] }) }),
            description: "What it wrote: an update's new values (null: cleared; add/remove for a list), a move's new dn, enabled; never a password. A secret reads (withheld). Null for a create (it wrote the mesh values of its run: the values current in `run`) and a delete.",
          },
          result: { enum: ['ok', 'failed', 'heldBack'] },
          error: nullable({ type: 'string' }),
          revision: nullable({ type: 'string' }),
          run: integer,
          at: dateTime,
        }),
      },
    }),
    Conflict: object(
      {
        kind: { enum: ['attribute', 'ambiguousJoin', 'heldBack'] },
        meshType: { type: 'string' },
        object: { type: 'string' },
        attribute: { type: 'string' },
        values: {
          type: 'array',
          items: object({ value: nullable(ref('Value')), rule: { type: 'string' }, connector: { type: 'string' }, externalId: { type: 'string' }, confidence: { type: 'number' } }),
        },
        winner: object({ value: nullable(ref('Value')), rule: { type: 'string' } }),
        reason: { type: 'string' },
        firstSeen: dateTime,
      },
      ['kind', 'meshType', 'object', 'reason'],
    ),
    ConflictPage: page('Conflict'),
    Drift: object(
      {
        projection: { type: 'string' },
        connector: { type: 'string' },
        object: { type: 'string' },
        attribute: { type: 'string' },
        desired: nullable(ref('Value')),
        actual: nullable(ref('Value')),
        action: { enum: ['corrected', 'reported', 'pending'] },
        detectedAt: dateTime,
      },
      ['projection', 'connector', 'object', 'attribute', 'desired', 'actual', 'action'],
    ),
    DriftPage: page('Drift'),
  },
};
