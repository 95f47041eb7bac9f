/**
 * The small vendor type behind which directory quirks live (active-directory.ts, openldap.ts): the
 * anchor and its encoding, how `enabled` is stored, how changes and deletions are detected, and what a
 * create needs besides the projected attributes. The connector core (ldap-connector.ts) only calls this
 * interface; it never asks which vendor it talks to.
 */
import type { Logger } from '../../shared/logger.js';
import type { ExportChange, StagedObject } from '../sdk.js';
import type { LdapOptions, LdapTypeOptions } from './ldap-options.js';
import { attributeOf, type LdapSession, type RawEntry, type RawValue } from './ldap-session.js';

export type CreateChange = Extract<ExportChange, { op: 'create' }>;

export type DeltaPlan =
  | {
      readonly mode: 'delta';
      /** A filter ANDed with the object type's filter that selects what changed since the watermark. */
      readonly changedFilter: string;
      /** The signpost captured before reading: the watermark for the end of this read. */
      readonly watermark: string;
      /**
       * Search this wider base (subtree) for changes instead of the type's own: changed objects found
       * outside the type's base and scope have moved out of it, and are staged as deleted.
       */
      readonly changedBase?: string;
      /** Objects gone since the watermark (tombstones), as `deleted` objects; read alongside the changes. */
      readonly deletions?: (session: LdapSession, type: LdapTypeOptions) => AsyncIterable<StagedObject[]>;
    }
  | {
      /** The watermark cannot be continued; read everything. */
      readonly mode: 'full';
      /** Logged: why a full read replaces the delta. */
      readonly reason: string;
      readonly watermark: string;
    };

export interface CreatePlan {
  /** Extra attributes for the add (userAccountControl, unicodePwd …). */
  readonly attributes: ReadonlyMap<string, readonly RawValue[]>;
  /** Work after the add succeeded (e.g. a password through the Password Modify operation). */
  readonly afterAdd?: (session: LdapSession, dn: string) => Promise<void>;
  /** The object was created, but not as asked (e.g. left disabled); reported as held back. */
  readonly heldBack?: string;
}

export interface ServerIdentity {
  /** Product (and version, where the server says), for check(). */
  readonly server: string;
  /** Said when the server is not what the connector type expects. */
  readonly warning?: string;
}

export interface DirectoryVendor {
  /** The anchor attribute (objectGUID, entryUUID …), always read and always present in `attributes`. */
  anchorAttribute(type: LdapTypeOptions): string;
  /** Attributes this vendor reads as bytes and turns into canonical strings (decodeBinary). */
  readonly binaryAttributes: readonly string[];
  decodeBinary(attribute: string, bytes: Buffer): string | undefined;
  /** The anchor of an entry, or undefined when it has none. */
  anchorOf(type: LdapTypeOptions, entry: RawEntry): string | undefined;
  /** Attributes needed to compute `enabled` (read even when not configured). */
  stateAttributes(type: LdapTypeOptions): readonly string[];
  enabled(type: LdapTypeOptions, entry: RawEntry): boolean | undefined;
  canDisable(type: LdapTypeOptions): boolean;
  /** Object classes for creates when the type configures none. */
  defaultObjectClasses(type: LdapTypeOptions): readonly string[];
  /** Object classes for a missing container with this RDN attribute (`OU`, `CN`), if it can be created. */
  containerObjectClasses(rdnType: string): readonly string[] | undefined;
  /** Completes an entry the server returned partially (e.g. ranged `member;range=0-1499`). */
  completeEntry?(session: LdapSession, entry: RawEntry): Promise<RawEntry>;
  /** The watermark for a read that starts now (captured before reading). */
  signpost(session: LdapSession): Promise<string>;
  planDelta(session: LdapSession, type: LdapTypeOptions, watermark: string): Promise<DeltaPlan>;
  /** The current DN of the object with this anchor, or undefined when it does not exist. */
  locate(session: LdapSession, type: LdapTypeOptions, externalId: string, dnHint?: string): Promise<string | undefined>;
  prepareCreate(type: LdapTypeOptions, change: CreateChange): CreatePlan;
  setEnabled(session: LdapSession, type: LdapTypeOptions, dn: string, enabled: boolean): Promise<void>;
  /** Root DSE attributes identify needs. */
  readonly identityAttributes: readonly string[];
  identify(rootDse: RawEntry): ServerIdentity;
}

export interface VendorContext {
  readonly options: LdapOptions;
  readonly log: Logger;
}

export type VendorFactory = (context: VendorContext) => DirectoryVendor;

/** The first value of an attribute as text. */
export function text(entry: RawEntry, attribute: string): string | undefined {
  const value = attributeOf(entry, attribute)?.values[0];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.toString('utf8');
}

export function texts(entry: RawEntry, attribute: string): string[] {
  return (attributeOf(entry, attribute)?.values ?? []).map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
}

/** `vendorName vendorVersion` from the root DSE (RFC 3045), if the server publishes them. */
export function publishedVendor(rootDse: RawEntry): string | undefined {
  const name = text(rootDse, 'vendorName');
  const version = text(rootDse, 'vendorVersion');
  return name ? (version ? `${name} ${version}` : name) : undefined;
}
