/**
 * The `scim-inbound` connector: an identity provider (Microsoft Entra ID, Okta …) provisions us over
 * SCIM 2.0 instead of us pulling from it. `imesh run` serves the endpoint (src/controller/scim/, protocol in src/scim/) and
 * stores every accepted write in the connector's inbox; this connector's imports read that inbox, so a
 * pushed object lands in the connector space exactly like an imported one and flows through the same
 * join, confidence and projection rules.
 *
 * - fullImport: every live resource of the type (`complete: true`, so the engine sweeps what is gone).
 * - deltaImport: resources written at or after the watermark (the inbox's write sequence number,
 *   a plain integer), tombstones included. Deletions are detected from those tombstones (the IdP's
 *   DELETE) and by the full-import sweep.
 * - Staged attributes are named by their SCIM paths (see src/scim/attribute-paths.ts): `userName`,
 *   `name.givenName`, `emails[type eq "work"].value`, enterprise extension attributes by their URN
 *   path, and a group's `members` as the list of member ids (which are the users' external ids here).
 * - `active: false` is the observed enabled state (`enabled: false`), never a deletion.
 * - export throws NotSupportedError: an IdP is a source only.
 */
import { NotSupportedError } from '../../shared/errors.js';
import { flattenResource } from '../../scim/attributes.js';
import { scimBoolean } from '../../scim/entra-compat.js';
import { ENABLED_ATTRIBUTE } from '../sdk.js';
import type {
  CheckResult,
  ConnectorContext,
  ExportChange,
  ExportResult,
  IdentityConnector,
  ImportBatch,
  InboundResource,
  InboundResources,
  ObjectTypeCapabilities,
  StagedObject,
} from '../sdk.js';

export const SCIM_INBOUND_TYPES = ['user', 'group'] as const;

const BATCH = 1000;

export function stagedFromInbound(type: string, item: InboundResource): StagedObject {
  if (item.deleted) return { externalId: item.id, attributes: {}, deleted: true };
  const attributes = flattenResource(item.resource);
  if (type !== 'user') return { externalId: item.id, attributes };
  const active = scimBoolean(item.resource.active);
  if (active !== undefined) attributes.active = active;
  const enabled = active ?? true;
  if (!Object.hasOwn(attributes, ENABLED_ATTRIBUTE)) attributes[ENABLED_ATTRIBUTE] = enabled;
  return { externalId: item.id, attributes, enabled };
}

class ScimInboundConnector implements IdentityConnector {
  constructor(
    private readonly name: string,
    private readonly types: ReadonlySet<string>,
    private readonly inbox: InboundResources | undefined,
  ) {}

  capabilities(type: string): ObjectTypeCapabilities {
    return { delta: true, export: false, addressing: 'server-assigned', canDisable: type === 'user', inactiveMeansDeleted: false };
  }

  private source(type: string): InboundResources {
    if (!this.types.has(type)) throw new NotSupportedError(this.name, `object type "${type}" (declare it under spec.objectTypes)`);
    if (!this.inbox) {
      throw new NotSupportedError(this.name, 'reading pushed resources without the store (a scim-inbound connector is read through the identity mesh store; open it with imesh run, plan or reconcile)');
    }
    return this.inbox;
  }

  async check(): Promise<CheckResult> {
    const started = Date.now();
    const objectTypes: Record<string, { count: number }> = {};
    if (!this.inbox) {
      // Nothing to connect to: the identity provider connects to us (imesh run serves the endpoint).
      return {
        ok: true,
        latencyMs: 0,
        objectTypes,
        warnings: [`${this.name} is pushed to by the identity provider at /scim/${this.name}/v2/ (served by imesh run); test the connection from the provider, counts need the store`],
      };
    }
    try {
      for (const type of this.types) objectTypes[type] = { count: (await this.source(type).list(type)).resources.length };
      return { ok: true, latencyMs: Date.now() - started, server: 'Identity Mesh SCIM 2.0 endpoint (push)', objectTypes };
    } catch (error) {
      return { ok: false, latencyMs: Date.now() - started, objectTypes, error: { code: 'InboxUnavailable', message: error instanceof Error ? error.message : String(error) } };
    }
  }

  async *fullImport(type: string): AsyncIterable<ImportBatch> {
    const snapshot = await this.source(type).list(type);
    yield* batches(type, snapshot.resources, snapshot.watermark, true);
  }

  async *deltaImport(type: string, watermark: string): AsyncIterable<ImportBatch> {
    const since = /^\d+$/.test(watermark.trim()) ? Number(watermark.trim()) : undefined;
    if (since === undefined) {
      yield* this.fullImport(type);
      return;
    }
    const snapshot = await this.source(type).changedSince(type, since);
    yield* batches(type, snapshot.resources, Math.max(snapshot.watermark, since), false);
  }

  async export(type: string, _changes: readonly ExportChange[]): Promise<ExportResult[]> {
    throw new NotSupportedError(this.name, `export to "${type}" (a scim-inbound connector is a source: the identity provider writes to us)`);
  }

  async close(): Promise<void> {}
}

function* batches(type: string, resources: readonly InboundResource[], watermark: number, complete: boolean): Iterable<ImportBatch> {
  if (resources.length === 0) {
    yield { objects: [], watermark: String(watermark), ...(complete ? { complete } : {}) };
    return;
  }
  for (let start = 0; start < resources.length; start += BATCH) {
    const last = start + BATCH >= resources.length;
    const objects = resources.slice(start, start + BATCH).map((item) => stagedFromInbound(type, item));
    yield { objects, ...(last ? { watermark: String(watermark), ...(complete ? { complete } : {}) } : {}) };
  }
}

export function createScimInboundConnector(context: ConnectorContext): IdentityConnector {
  const declared = new Set(context.model.objectTypes.filter((t) => (SCIM_INBOUND_TYPES as readonly string[]).includes(t)));
  return new ScimInboundConnector(context.model.name, declared, context.inbox);
}
