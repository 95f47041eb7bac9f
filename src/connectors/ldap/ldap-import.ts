/**
 * LDAP import, shared by the `active-directory` and `ldap` types: one batch per page of a paged search,
 * each entry staged through the DirectoryVendor (anchor, binary values, enabled state). A delta follows
 * the vendor's plan: changes since the watermark plus its deletions, or a full read when it must.
 */
import type { Value } from '../../config/model.js';
import { isUnder, parentDn, sameDn } from '../../config/dn.js';
import { ConnectorError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { ENABLED_ATTRIBUTE, type ImportBatch, type StagedObject } from '../sdk.js';
import type { DirectorySchema } from './directory-schema.js';
import type { DirectoryVendor } from './directory-vendor.js';
import type { LdapCore } from './ldap-connector.js';
import type { LdapTypeOptions } from './ldap-options.js';
import { dedupeNames, type LdapSession, type RawEntry } from './ldap-session.js';

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

async function collectAll<T>(batches: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const batch of batches) all.push(...batch);
  return all;
}

export class LdapImporter {
  private readonly name: string;
  private readonly vendor: DirectoryVendor;
  private readonly log: Logger;

  constructor(private readonly core: LdapCore) {
    this.name = core.name;
    this.vendor = core.vendor;
    this.log = core.log;
  }

  /** Every object of the type, then the watermark captured before the read began. */
  async *full(session: LdapSession, type: LdapTypeOptions): AsyncIterable<ImportBatch> {
    const watermark = await this.vendor.signpost(session);
    for await (const objects of this.read(session, type, type.filter)) yield { objects };
    yield { objects: [], watermark, complete: true };
  }

  /** The objects changed or deleted since `watermark` (or every object, when the vendor cannot tell). */
  async *delta(session: LdapSession, type: LdapTypeOptions, watermark: string): AsyncIterable<ImportBatch> {
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
  }

  private directorySchema(session: LdapSession): Promise<DirectorySchema> {
    return this.core.directorySchema(session);
  }

  private requestedAttributes(type: LdapTypeOptions): string[] {
    const wanted = type.attributes.length > 0 ? type.attributes : ['*'];
    return dedupeNames([...wanted, this.vendor.anchorAttribute(type), ...this.vendor.stateAttributes(type)]);
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
}
