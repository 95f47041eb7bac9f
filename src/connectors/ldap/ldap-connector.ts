/**
 * The LDAP connector core, shared by the `active-directory` and `ldap` types. Everything that differs
 * between directories goes through the DirectoryVendor it is given; this file never asks which one.
 *
 * Import streams one batch per page of a paged search; export applies changes one by one (directories
 * serialize writes anyway) on one connection, each idempotent.
 */
import type { Scalar, Value } from '../../config/model.js';
import { ConnectorError, ConfigError, NotSupportedError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { ENABLED_ATTRIBUTE } from '../sdk.js';
import type {
  AttributeChange,
  CheckResult,
  ConnectorContext,
  ExportChange,
  ExportResult,
  IdentityConnector,
  ImportBatch,
  ObjectTypeCapabilities,
  StagedObject,
} from '../sdk.js';
import { readSchema, type DirectorySchema } from './directory-schema.js';
import type { CreateChange, DirectoryVendor, VendorFactory } from './directory-vendor.js';
import { escapeDnValue } from '../../config/escape.js';
import { formatDn, isUnder, parseDn, parentDn, sameDn } from '../../config/dn.js';
import { compileLdapOptions, type LdapOptions, type LdapTypeOptions } from './ldap-options.js';
import { attributeOf, connectionWarnings, flagControl, LdapSession, PERMISSIVE_MODIFY_OID, type ModifyOperation, type RawEntry, type RawValue } from './ldap-session.js';

const REFUSED_INCREMENTAL = new Set(['ValueExists', 'NoSuchAttribute', 'UnwillingToPerform']);

/** Values per modify request when adding or removing many (AD refuses very large value sets at once). */
const VALUES_PER_MODIFY = 1000;

interface AttributeShape {
  /** The name staged: as configured, else as the schema spells it. */
  readonly name: string;
  /** Multi-valued per the schema; undefined when the schema does not say. */
  readonly multi: boolean | undefined;
  /** A binary syntax: staged as the vendor's canonical string, else base64. */
  readonly binary: boolean;
  /** Read only for `enabled`, or the anchor (staged from the vendor's canonical form). */
  readonly skip: boolean;
}

type Outcome = Omit<Extract<ExportResult, { ok: true }>, 'id' | 'ok'>;

function toLdapValues(value: Value): string[] {
  const list: readonly Scalar[] = Array.isArray(value) ? (value as readonly Scalar[]) : [value as Scalar];
  return list.map((v) => (typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v)));
}

/**
 * An attribute LDAP holds no value for: written as absent (create) or as a replace with no values.
 * Unlike the engine's isEmpty, whitespace counts as a value: the directory may hold it.
 */
function noLdapValue(value: Value | undefined): boolean {
  return value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

function dedupe(names: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const name of names) if (!seen.has(name.toLowerCase())) seen.set(name.toLowerCase(), name);
  return [...seen.values()];
}

/**
 * ldapts splits modifyDN's new DN at the first comma not preceded by a backslash, so the new RDN must
 * carry no literal comma and must not end in a backslash: write both as hex pairs (RFC 4514 allows it).
 */
function rdnForModifyDn(dn: string): { rdn: string; superior: string } {
  const rdns = parseDn(dn);
  const [first, ...rest] = rdns;
  if (!first || rest.length === 0) throw new Error(`cannot move to ${dn}: it has no parent`);
  const rdn = first.map((ava) => `${ava.type}=${escapeDnValue(ava.value).replace(/\\\\/g, '\\5c').replace(/\\,/g, '\\2c')}`).join('+');
  return { rdn, superior: formatDn(rest) };
}

async function collectAll<T>(batches: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const batch of batches) all.push(...batch);
  return all;
}

function valueKey(value: string): string {
  try {
    return `dn:${formatDn(parseDn(value)).toLowerCase()}`;
  } catch {
    return value.toLowerCase();
  }
}

export class LdapConnector implements IdentityConnector {
  private readonly options: LdapOptions;
  private readonly vendor: DirectoryVendor;
  private readonly log: Logger;
  private readonly sessions = new Set<LdapSession>();
  private schema?: Promise<DirectorySchema>;

  constructor(
    private readonly context: ConnectorContext<'active-directory' | 'ldap'>,
    vendorFactory: VendorFactory,
  ) {
    this.options = compileLdapOptions(context.model, context.configPath);
    this.log = context.log;
    this.vendor = vendorFactory({ options: this.options, log: this.log });
  }

  private get name(): string {
    return this.options.connector;
  }

  private type(name: string): LdapTypeOptions {
    const type = this.options.types.get(name);
    if (!type) throw new ConfigError('UnknownObjectType', `${this.name}: object type "${name}" is not declared (spec.objectTypes has ${[...this.options.types.keys()].join(', ') || 'none'})`);
    return type;
  }

  capabilities(typeName: string): ObjectTypeCapabilities {
    const type = this.type(typeName);
    return {
      delta: true,
      export: true,
      addressing: 'dn',
      canDisable: this.vendor.canDisable(type),
      inactiveMeansDeleted: false,
      caseInsensitiveNames: true,
    };
  }

  private async open(): Promise<LdapSession> {
    // On every connect, as the schema promises for rejectUnauthorized: false.
    for (const warning of connectionWarnings(this.options)) this.log.warn({ event: 'ldap-insecure', connector: this.name }, `${this.name}: ${warning}`);
    const session = await LdapSession.open(this.options, this.context.secrets);
    this.sessions.add(session);
    return session;
  }

  private async release(session: LdapSession): Promise<void> {
    this.sessions.delete(session);
    await session.close();
  }

  private directorySchema(session: LdapSession): Promise<DirectorySchema> {
    this.schema ??= readSchema(session).catch((error: unknown) => {
      this.schema = undefined;
      throw error;
    });
    return this.schema;
  }

  // ---------------------------------------------------------------- import

  private requestedAttributes(type: LdapTypeOptions): string[] {
    const wanted = type.attributes.length > 0 ? type.attributes : ['*'];
    return dedupe([...wanted, this.vendor.anchorAttribute(type), ...this.vendor.stateAttributes(type)]);
  }

  /** How each returned attribute is staged; built once per read (attribute names repeat on every entry). */
  private shapes(type: LdapTypeOptions, schema: DirectorySchema): (key: string, returned: string) => AttributeShape {
    const spelled = new Map(type.attributes.map((n) => [n.toLowerCase(), n]));
    const anchor = this.vendor.anchorAttribute(type).toLowerCase();
    const stateOnly = new Set(this.vendor.stateAttributes(type).map((n) => n.toLowerCase()).filter((n) => type.attributes.length > 0 && !spelled.has(n)));
    const cache = new Map<string, AttributeShape>();
    return (key, returned) => {
      let shape = cache.get(key);
      if (!shape) {
        const info = schema.attribute(returned);
        shape = {
          name: spelled.get(key) ?? info?.name ?? returned,
          multi: info === undefined ? undefined : !info.singleValued,
          binary: info?.binary === true || this.vendor.binaryAttributes.some((n) => n.toLowerCase() === key),
          skip: stateOnly.has(key) || key === anchor,
        };
        cache.set(key, shape);
      }
      return shape;
    };
  }

  private stage(type: LdapTypeOptions, entry: RawEntry, shapeOf: (key: string, returned: string) => AttributeShape): StagedObject {
    const externalId = this.vendor.anchorOf(type, entry);
    if (externalId === undefined) {
      throw new ConnectorError(this.name, 'MissingAnchor', `${entry.dn} has no ${this.vendor.anchorAttribute(type)}; the anchor attribute must be readable by the bind account`);
    }
    const attributes: Record<string, Value> = {};
    for (const attribute of entry.attributes) {
      const shape = shapeOf(attribute.key, attribute.name);
      if (shape.skip) continue;
      let values = attribute.values as readonly (string | Buffer)[];
      if (shape.binary || values.some((v) => typeof v !== 'string')) {
        // ldapts decodes values that happen to be valid UTF-8 (fatal decoder), so Buffer.from(v, 'utf8')
        // gives back exactly the bytes the server sent.
        values = values.map((v) => {
          if (!shape.binary && typeof v === 'string') return v;
          const bytes = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
          return this.vendor.decodeBinary(attribute.name, bytes) ?? bytes.toString('base64');
        });
      }
      const text = values as readonly string[];
      attributes[shape.name] = shape.multi === true || (shape.multi === undefined && text.length > 1) ? text : text[0]!;
    }
    attributes[shapeOf(this.vendor.anchorAttribute(type).toLowerCase(), this.vendor.anchorAttribute(type)).name] = externalId;
    const enabled = this.vendor.enabled(type, entry);
    if (enabled === undefined) return { externalId, dn: entry.dn, attributes };
    // The enabled state as a source attribute flow rules can read (the name Okta and Entra ID use).
    if (!Object.hasOwn(attributes, ENABLED_ATTRIBUTE)) attributes[ENABLED_ATTRIBUTE] = enabled;
    return { externalId, dn: entry.dn, attributes, enabled };
  }

  /** Whether a DN lies in the type's search base and scope. */
  private inScope(type: LdapTypeOptions, dn: string): boolean {
    if (type.scope === 'one') {
      const parent = parentDn(dn);
      return parent !== undefined && sameDn(parent, type.searchBase);
    }
    return isUnder(dn, type.searchBase);
  }

  /**
   * Reads the type's objects matching `filter`. With `wider`, searches that subtree instead of the
   * type's base and stages what lies outside the type's scope as deleted (it moved out).
   */
  private async *read(session: LdapSession, type: LdapTypeOptions, filter: string, wider?: string): AsyncGenerator<StagedObject[]> {
    const schema = await this.directorySchema(session);
    const shapeOf = this.shapes(type, schema);
    let referrals = 0;
    for await (const page of session.pages({
      base: wider ?? type.searchBase,
      filter,
      scope: wider ? 'sub' : type.scope,
      attributes: this.requestedAttributes(type),
      binary: this.vendor.binaryAttributes,
    })) {
      referrals += page.referrals;
      const objects: StagedObject[] = [];
      for (const raw of page.entries) {
        if (wider && !this.inScope(type, raw.dn)) {
          const externalId = this.vendor.anchorOf(type, raw);
          if (externalId !== undefined) objects.push({ externalId, dn: raw.dn, attributes: {}, deleted: true });
          continue;
        }
        const entry = this.vendor.completeEntry ? await this.vendor.completeEntry(session, raw) : raw;
        objects.push(this.stage(type, entry, shapeOf));
      }
      if (objects.length > 0) yield objects;
    }
    if (referrals > 0) this.log.info({ event: 'ldap-referrals', connector: this.name, objectType: type.name, referrals }, `${this.name}/${type.name}: ${referrals} referral(s) returned and not followed`);
  }

  async *fullImport(typeName: string): AsyncIterable<ImportBatch> {
    const type = this.type(typeName);
    const session = await this.open();
    try {
      const watermark = await this.vendor.signpost(session);
      for await (const objects of this.read(session, type, type.filter)) yield { objects };
      yield { objects: [], watermark, complete: true };
    } finally {
      await this.release(session);
    }
  }

  async *deltaImport(typeName: string, watermark: string): AsyncIterable<ImportBatch> {
    const type = this.type(typeName);
    const session = await this.open();
    try {
      const plan = await this.vendor.planDelta(session, type, watermark);
      if (plan.mode === 'full') {
        this.log.info({ event: 'ldap-delta-fallback', connector: this.name, objectType: type.name, reason: plan.reason }, `${this.name}/${type.name}: full import instead of delta: ${plan.reason}`);
        for await (const objects of this.read(session, type, type.filter)) yield { objects };
        yield { objects: [], watermark: plan.watermark, complete: true };
        return;
      }
      // Deletions (few, since the watermark) are read on the same connection while the changes stream.
      const gone = plan.deletions ? collectAll(plan.deletions(session, type)) : Promise.resolve([]);
      gone.catch(() => undefined);
      const wider = plan.changedBase && !sameDn(plan.changedBase, type.searchBase) ? plan.changedBase : undefined;
      for await (const objects of this.read(session, type, `(&${type.filter}${plan.changedFilter})`, wider)) yield { objects };
      const deleted = await gone;
      yield { objects: deleted, watermark: plan.watermark };
    } finally {
      await this.release(session);
    }
  }

  // ---------------------------------------------------------------- export

  async export(typeName: string, changes: readonly ExportChange[]): Promise<ExportResult[]> {
    const type = this.type(typeName);
    const results: ExportResult[] = [];
    let session: LdapSession | undefined;
    try {
      for (const change of changes) {
        try {
          session ??= await this.open();
          results.push({ id: change.id, ok: true, ...(await this.apply(session, type, change)) });
        } catch (error) {
          const failure =
            error instanceof ConnectorError ? error : new ConnectorError(this.name, 'LdapError', `${change.op} failed: ${(error as Error).message ?? String(error)}`, { cause: error });
          results.push({ id: change.id, ok: false, error: { code: failure.code, message: failure.message, retryable: failure.retryable } });
          if (failure.code === 'ConnectionLost' || failure.code === 'Unreachable') {
            if (session) await this.release(session);
            session = undefined;
          }
        }
      }
    } finally {
      if (session) await this.release(session);
    }
    return results;
  }

  private apply(session: LdapSession, type: LdapTypeOptions, change: ExportChange): Promise<Outcome> {
    switch (change.op) {
      case 'create':
        return this.create(session, type, change);
      case 'update':
        return this.update(session, type, change.externalId, change.dn, change.attributes);
      case 'move':
        return this.move(session, type, change.externalId, change.dn, change.newDn);
      case 'enable':
      case 'disable':
        return this.setEnabled(session, type, change.externalId, change.dn, change.op === 'enable');
      case 'delete':
        return this.remove(session, type, change.externalId, change.dn);
    }
  }

  private async anchorAt(session: LdapSession, type: LdapTypeOptions, dn: string): Promise<string> {
    const attribute = this.vendor.anchorAttribute(type);
    const entry = await session.read(dn, [attribute], { binary: this.vendor.binaryAttributes });
    const anchor = entry ? this.vendor.anchorOf(type, entry) : undefined;
    if (anchor === undefined) throw new ConnectorError(this.name, 'MissingAnchor', `cannot read ${attribute} of ${dn}`, { retryable: true });
    return anchor;
  }

  private async find(session: LdapSession, type: LdapTypeOptions, externalId: string, dnHint: string | undefined): Promise<string> {
    const dn = await this.vendor.locate(session, type, externalId, dnHint);
    if (dn === undefined) {
      throw new ConnectorError(this.name, 'NoSuchObject', `no object with ${this.vendor.anchorAttribute(type)} ${externalId}${dnHint ? ` (last seen as ${dnHint})` : ''}; it was deleted outside Identity Mesh`);
    }
    return dn;
  }

  /**
   * Makes sure `container` exists. Returns a held-back reason when it is missing and may not be created.
   */
  private async ensureContainer(session: LdapSession, type: LdapTypeOptions, container: string): Promise<string | undefined> {
    if (await session.read(container, ['1.1'])) return undefined;
    if (!type.createContainers) {
      return `the container ${container} does not exist (set spec.objectTypes.${type.name}.createContainers: true to create it)`;
    }
    const [rdn] = parseDn(container);
    const parent = parentDn(container);
    if (!rdn || !parent || sameDn(container, this.options.baseDn)) {
      throw new ConnectorError(this.name, 'NoSuchObject', `the container ${container} does not exist and is not below spec.connection.baseDn ${this.options.baseDn}`);
    }
    const held = await this.ensureContainer(session, type, parent);
    if (held) return held;
    const classes = rdn.length === 1 ? this.vendor.containerObjectClasses(rdn[0]!.type) : undefined;
    if (!classes) throw new ConnectorError(this.name, 'NotSupported', `cannot create the container ${container}: only ${['OU', 'CN'].join('/')} containers are created automatically`);
    const attributes = new Map<string, readonly RawValue[]>([['objectClass', classes], [rdn[0]!.type, [rdn[0]!.value]]]);
    try {
      await session.add(container, attributes);
      this.log.info({ event: 'ldap-container-created', connector: this.name, dn: container }, `${this.name}: created container ${container}`);
    } catch (error) {
      if (!(error instanceof ConnectorError && error.code === 'AlreadyExists')) throw error; // created concurrently
    }
    return undefined;
  }

  private async create(session: LdapSession, type: LdapTypeOptions, change: CreateChange): Promise<Outcome> {
    const dn = change.dn;
    if (!dn) throw new ConnectorError(this.name, 'MissingDn', `a create for ${type.name} carries no DN (the projection needs container and rdn)`);
    if (change.password !== undefined && !session.secure) {
      throw new ConnectorError(
        this.name,
        'PasswordRequiresTls',
        `refusing to send the initial password of ${dn} over unencrypted ${this.options.url}; use ldaps:// or spec.connection.tls.startTls: true`,
      );
    }
    const classes = type.objectClasses.length > 0 ? type.objectClasses : this.vendor.defaultObjectClasses(type);
    const attributes = new Map<string, readonly RawValue[]>([['objectClass', [...classes]]]);
    for (const [name, value] of Object.entries(change.attributes)) {
      if (name.toLowerCase() === 'objectclass' || noLdapValue(value)) continue;
      attributes.set(name, toLdapValues(value));
    }
    const plan = this.vendor.prepareCreate(type, change);
    for (const [name, values] of plan.attributes) {
      for (const key of attributes.keys()) if (key.toLowerCase() === name.toLowerCase()) attributes.delete(key);
      attributes.set(name, values);
    }
    const add = async (): Promise<Outcome | undefined> => {
      try {
        await session.add(dn, attributes);
        return undefined;
      } catch (error) {
        if (error instanceof ConnectorError && error.code === 'AlreadyExists') {
          // Idempotent: a replay of a create that already happened (or an object of that name exists).
          return { externalId: await this.anchorAt(session, type, dn), dn };
        }
        throw error;
      }
    };
    let done: Outcome | undefined;
    try {
      done = await add();
    } catch (error) {
      if (!(error instanceof ConnectorError && error.code === 'NoSuchObject')) throw error;
      const parent = parentDn(dn);
      if (!parent) throw error;
      const held = await this.ensureContainer(session, type, parent);
      if (held) return { dn, heldBack: held };
      done = await add();
    }
    if (done) return done;
    if (plan.afterAdd) {
      try {
        await plan.afterAdd(session, dn);
      } catch (error) {
        // Undo the add, so a retry creates the object whole instead of finding it half made.
        await session.delete(dn).catch(() => undefined);
        throw error;
      }
    }
    return { externalId: await this.anchorAt(session, type, dn), dn, ...(plan.heldBack ? { heldBack: plan.heldBack } : {}) };
  }

  private async update(
    session: LdapSession,
    type: LdapTypeOptions,
    externalId: string,
    dnHint: string | undefined,
    changes: Readonly<Record<string, AttributeChange>>,
  ): Promise<Outcome> {
    const dn = await this.find(session, type, externalId, dnHint);
    const replaces: ModifyOperation[] = [];
    const incremental: ModifyOperation[] = [];
    for (const [attribute, change] of Object.entries(changes)) {
      if (change.add !== undefined || change.remove !== undefined) {
        if (change.remove?.length) incremental.push({ operation: 'delete', attribute, values: toLdapValues(change.remove) });
        if (change.add?.length) incremental.push({ operation: 'add', attribute, values: toLdapValues(change.add) });
      } else {
        replaces.push({ operation: 'replace', attribute, values: noLdapValue(change.to) ? [] : toLdapValues(change.to!) });
      }
    }
    const permissive = [flagControl(PERMISSIVE_MODIFY_OID, false)];
    const batches = this.chunk(replaces, incremental);
    for (const batch of batches) {
      try {
        await session.modify(dn, batch, permissive);
      } catch (error) {
        // A server without permissive modify refuses adding a present value or deleting an absent one
        // (OpenLDAP: 20/16; Samba ignores the control for linked attributes such as member and answers
        // 53): read what is there and send only the difference.
        const incremental = batch.some((op) => op.operation !== 'replace');
        if (!(incremental && error instanceof ConnectorError && REFUSED_INCREMENTAL.has(error.code))) throw error;
        const difference = await this.difference(session, dn, batch);
        if (difference.length === batch.length && difference.every((op, i) => op.values.length === batch[i]!.values.length)) throw error;
        await session.modify(dn, difference);
      }
    }
    return { externalId, dn };
  }

  private chunk(replaces: readonly ModifyOperation[], incremental: readonly ModifyOperation[]): ModifyOperation[][] {
    const batches: ModifyOperation[][] = [];
    let current: ModifyOperation[] = [...replaces];
    let count = replaces.reduce((n, op) => n + op.values.length, 0);
    for (const op of incremental) {
      for (let i = 0; i < op.values.length; i += VALUES_PER_MODIFY) {
        const values = op.values.slice(i, i + VALUES_PER_MODIFY);
        if (count + values.length > VALUES_PER_MODIFY && current.length > 0) {
          batches.push(current);
          current = [];
          count = 0;
        }
        current.push({ ...op, values });
        count += values.length;
      }
    }
    if (current.length > 0) batches.push(current);
    return batches;
  }

  private async difference(session: LdapSession, dn: string, batch: readonly ModifyOperation[]): Promise<ModifyOperation[]> {
    const names = dedupe(batch.filter((op) => op.operation !== 'replace').map((op) => op.attribute));
    const raw = await session.read(dn, names);
    const entry = raw && this.vendor.completeEntry ? await this.vendor.completeEntry(session, raw) : raw;
    const present = new Map<string, Set<string>>();
    for (const name of names) {
      const values = attributeOf(entry, name)?.values ?? [];
      present.set(name.toLowerCase(), new Set(values.map((v) => valueKey(typeof v === 'string' ? v : v.toString('utf8')))));
    }
    return batch.flatMap((op): ModifyOperation[] => {
      if (op.operation === 'replace') return [op];
      const have = present.get(op.attribute.toLowerCase())!;
      const values = op.values.filter((v) => have.has(valueKey(String(v))) === (op.operation === 'delete'));
      return values.length > 0 ? [{ ...op, values }] : [];
    });
  }

  private async move(session: LdapSession, type: LdapTypeOptions, externalId: string, dnHint: string, newDn: string): Promise<Outcome> {
    const dn = await this.find(session, type, externalId, dnHint);
    if (sameDn(dn, newDn)) return { externalId, dn };
    const { rdn, superior } = rdnForModifyDn(newDn);
    const held = await this.ensureContainer(session, type, superior);
    if (held) return { externalId, dn, heldBack: held };
    await session.modifyDn(dn, rdn, superior);
    return { externalId, dn: newDn };
  }

  private async setEnabled(session: LdapSession, type: LdapTypeOptions, externalId: string, dnHint: string | undefined, enabled: boolean): Promise<Outcome> {
    if (!this.vendor.canDisable(type)) throw new NotSupportedError(this.name, `${enabled ? 'enable' : 'disable'} on ${type.name} (configure a way to disable it)`);
    const dn = await this.find(session, type, externalId, dnHint);
    await this.vendor.setEnabled(session, type, dn, enabled);
    return { externalId, dn };
  }

  private async remove(session: LdapSession, type: LdapTypeOptions, externalId: string, dnHint: string | undefined): Promise<Outcome> {
    const dn = await this.vendor.locate(session, type, externalId, dnHint);
    if (dn === undefined) return { externalId }; // already gone
    try {
      await session.delete(dn);
    } catch (error) {
      if (!(error instanceof ConnectorError && error.code === 'NoSuchObject')) throw error;
    }
    return { externalId, dn };
  }

  // ---------------------------------------------------------------- check

  async check(): Promise<CheckResult> {
    const started = Date.now();
    const warnings = connectionWarnings(this.options);
    const objectTypes: Record<string, { count: number }> = {};
    let session: LdapSession | undefined;
    let latencyMs = 0;
    let server: string | undefined;
    try {
      session = await this.open();
      const t0 = Date.now();
      const root = await session.rootDse(this.vendor.identityAttributes);
      latencyMs = Date.now() - t0;
      const identity = this.vendor.identify(root);
      server = identity.server;
      if (identity.warning) warnings.push(identity.warning);
      if (!(await session.read(this.options.baseDn, ['1.1']))) {
        throw new ConnectorError(this.name, 'BadBaseDn', `spec.connection.baseDn ${this.options.baseDn} does not exist on ${this.options.url}`);
      }
      for (const type of this.options.types.values()) {
        if (!(await session.read(type.searchBase, ['1.1']))) {
          throw new ConnectorError(this.name, 'BadBaseDn', `spec.objectTypes.${type.name}.searchBase ${type.searchBase} does not exist on ${this.options.url}`);
        }
        let count = 0;
        for await (const page of session.pages({ base: type.searchBase, filter: type.filter, scope: type.scope, attributes: ['1.1'] })) count += page.entries.length;
        objectTypes[type.name] = { count };
      }
      return { ok: true, latencyMs, ...(server ? { server } : {}), objectTypes, ...(warnings.length ? { warnings } : {}) };
    } catch (error) {
      const failure = error instanceof ConnectorError ? error : new ConnectorError(this.name, 'LdapError', (error as Error).message ?? String(error), { cause: error });
      return {
        ok: false,
        latencyMs: latencyMs || Date.now() - started,
        ...(server ? { server } : {}),
        objectTypes,
        error: { code: failure.code, message: failure.message },
        ...(warnings.length ? { warnings } : {}),
      };
    } finally {
      if (session) await this.release(session);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => this.release(s)));
  }
}
