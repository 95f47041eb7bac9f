/**
 * LDAP export, shared by the `active-directory` and `ldap` types: creates (with missing containers when
 * allowed), updates in bounded modify requests, moves, enables/disables through the DirectoryVendor, and
 * deletes. Every change is idempotent: a replayed create finds its object, a delete of a gone one succeeds.
 */
import type { Scalar, Value } from '../../config/model.js';
import { escapeDnValue } from '../../config/escape.js';
import { formatDn, parseDn, parentDn, sameDn } from '../../config/dn.js';
import { ConnectorError, NotSupportedError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { AttributeChange, ExportChange, ExportResult } from '../sdk.js';
import type { CreateChange, DirectoryVendor } from './directory-vendor.js';
import type { LdapCore } from './ldap-connector.js';
import type { LdapOptions, LdapTypeOptions } from './ldap-options.js';
import { attributeOf, dedupeNames, flagControl, PERMISSIVE_MODIFY_OID, type LdapSession, type ModifyOperation, type RawValue } from './ldap-session.js';

const REFUSED_INCREMENTAL = new Set(['ValueExists', 'NoSuchAttribute', 'UnwillingToPerform']);

/** Values per modify request when adding or removing many (AD refuses very large value sets at once). */
const VALUES_PER_MODIFY = 1000;

type Outcome = Omit<Extract<ExportResult, { ok: true }>, 'id' | 'ok'>;

/** Where export gets its connections: opened on first use, released when lost or done. */
export interface LdapSessions {
  open(): Promise<LdapSession>;
  release(session: LdapSession): Promise<void>;
}

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

function valueKey(value: string): string {
  try {
    return `dn:${formatDn(parseDn(value)).toLowerCase()}`;
  } catch {
    return value.toLowerCase();
  }
}

export class LdapExporter {
  private readonly name: string;
  private readonly options: LdapOptions;
  private readonly vendor: DirectoryVendor;
  private readonly log: Logger;

  constructor(core: LdapCore) {
    this.name = core.name;
    this.options = core.options;
    this.vendor = core.vendor;
    this.log = core.log;
  }

  /** Applies the changes in order on one connection (opened again after a lost one); each change is idempotent. */
  async export(sessions: LdapSessions, type: LdapTypeOptions, changes: readonly ExportChange[]): Promise<ExportResult[]> {
    const results: ExportResult[] = [];
    let session: LdapSession | undefined;
    try {
      for (const change of changes) {
        try {
          session ??= await sessions.open();
          results.push({ id: change.id, ok: true, ...(await this.apply(session, type, change)) });
        } catch (error) {
          const failure =
            error instanceof ConnectorError ? error : new ConnectorError(this.name, 'LdapError', `${change.op} failed: ${(error as Error).message ?? String(error)}`, { cause: error });
          results.push({ id: change.id, ok: false, error: { code: failure.code, message: failure.message, retryable: failure.retryable } });
          if (failure.code === 'ConnectionLost' || failure.code === 'Unreachable') {
            if (session) await sessions.release(session);
            session = undefined;
          }
        }
      }
    } finally {
      if (session) await sessions.release(session);
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
    const names = dedupeNames(batch.filter((op) => op.operation !== 'replace').map((op) => op.attribute));
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
}
