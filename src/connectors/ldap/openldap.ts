/**
 * Generic LDAP (written and tested against OpenLDAP slapd) for the connector core.
 *
 * - Anchor: `entryUUID` (RFC 4530, an operational attribute, so it is always asked for by name);
 *   an object type's `externalIdAttribute` names another (389-DS: nsUniqueId).
 * - enabled: the object type's `disabled: { attribute, value }`: an entry whose attribute holds the value
 *   (compared case-insensitively) is disabled; enabling removes the attribute.
 * - Delta: `(modifyTimestamp>=<generalized time>)`. The signpost is the server's clock when its root DSE
 *   publishes `currentTime`, otherwise ours, minus 60 seconds (LdapOptions.deltaOverlapSeconds) to cover clock
 *   skew and changes committed within the same second; replays are harmless (the anchor dedupes).
 * - Deletions: plain LDAP keeps no tombstones; deleted entries (and entries that left the search base or
 *   the filter) are found by the engine's sweep after a full import.
 * - Passwords: set after the add with the RFC 3062 Password Modify extended operation, so the server
 *   hashes them by its own policy; only over TLS.
 */
import { escapeFilterValue } from '../../config/escape.js';
import { publishedVendor, text, texts, type DeltaPlan, type DirectoryVendor, type ServerIdentity, type VendorContext } from './directory-vendor.js';
import type { LdapTypeOptions } from './ldap-options.js';
import type { LdapSession, RawEntry, RawValue } from './ldap-session.js';

interface TimeWatermark {
  readonly modifyTimestamp: string;
}

const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,]\d+)?Z$/;

function toGeneralizedTime(date: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(date.getUTCFullYear(), 4)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}Z`;
}

function fromGeneralizedTime(value: string): Date | undefined {
  const m = GENERALIZED_TIME.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}

function parseWatermark(watermark: string): TimeWatermark | undefined {
  try {
    const value = JSON.parse(watermark) as Partial<TimeWatermark>;
    if (typeof value.modifyTimestamp === 'string' && fromGeneralizedTime(value.modifyTimestamp)) return { modifyTimestamp: value.modifyTimestamp };
  } catch {
    // not JSON
  }
  return undefined;
}

export function createOpenLdapVendor({ options }: VendorContext): DirectoryVendor {
  const anchorOf = (type: LdapTypeOptions) => type.anchorAttribute ?? 'entryUUID';

  async function signpost(session: LdapSession): Promise<string> {
    const root = await session.rootDse(['currentTime']);
    const serverNow = fromGeneralizedTime(text(root, 'currentTime') ?? '');
    const now = serverNow ?? new Date();
    const from = new Date(now.getTime() - options.deltaOverlapSeconds * 1000);
    return JSON.stringify({ modifyTimestamp: toGeneralizedTime(from) });
  }

  function isDisabled(type: LdapTypeOptions, entry: RawEntry): boolean | undefined {
    if (!type.disabled) return undefined;
    const wanted = type.disabled.value.toLowerCase();
    return texts(entry, type.disabled.attribute).some((v) => v.toLowerCase() === wanted);
  }

  return {
    anchorAttribute: anchorOf,
    binaryAttributes: [],
    decodeBinary: () => undefined,
    anchorOf: (type, entry) => text(entry, anchorOf(type)),
    stateAttributes: (type) => (type.disabled ? [type.disabled.attribute] : []),
    enabled(type, entry) {
      const disabled = isDisabled(type, entry);
      return disabled === undefined ? undefined : !disabled;
    },
    canDisable: (type) => type.disabled !== undefined,
    defaultObjectClasses: () => ['top', 'person', 'organizationalPerson', 'inetOrgPerson'],
    containerObjectClasses: (rdnType) => (rdnType.toLowerCase() === 'ou' ? ['top', 'organizationalUnit'] : undefined),
    signpost,
    async planDelta(session, _type, watermark): Promise<DeltaPlan> {
      const next = await signpost(session);
      const previous = parseWatermark(watermark);
      if (!previous) {
        return { mode: 'full', reason: `the stored watermark is not a {modifyTimestamp} watermark: ${watermark.slice(0, 200)}`, watermark: next };
      }
      return { mode: 'delta', changedFilter: `(modifyTimestamp>=${previous.modifyTimestamp})`, watermark: next };
    },
    async locate(session, type, externalId, dnHint) {
      const anchor = anchorOf(type);
      if (dnHint) {
        const entry = await session.read(dnHint, [anchor]);
        if (entry && text(entry, anchor)?.toLowerCase() === externalId.toLowerCase()) return entry.dn;
      }
      for await (const page of session.pages({ base: options.baseDn, filter: `(${anchor}=${escapeFilterValue(externalId)})`, scope: 'sub', attributes: [anchor] })) {
        const found = page.entries[0];
        if (found) return found.dn;
      }
      return undefined;
    },
    prepareCreate(type, change) {
      const attributes = new Map<string, readonly RawValue[]>();
      if (type.disabled && change.enabled === false) attributes.set(type.disabled.attribute, [type.disabled.value]);
      const password = change.password;
      return {
        attributes,
        ...(password !== undefined ? { afterAdd: (session: LdapSession, dn: string) => session.passwordModify(dn, password) } : {}),
      };
    },
    async setEnabled(session, type, dn, enabled) {
      if (!type.disabled) return;
      const entry = await session.read(dn, [type.disabled.attribute]);
      const disabled = entry ? isDisabled(type, entry) : undefined;
      if (disabled === !enabled) return;
      await session.modify(dn, [{ operation: 'replace', attribute: type.disabled.attribute, values: enabled ? [] : [type.disabled.value] }]);
    },
    identityAttributes: ['objectClass', 'structuralObjectClass', 'vendorName', 'vendorVersion', 'supportedCapabilities'],
    identify(rootDse): ServerIdentity {
      const classes = [...texts(rootDse, 'objectClass'), ...texts(rootDse, 'structuralObjectClass')].map((c) => c.toLowerCase());
      if (classes.includes('openldaprootdse')) return { server: publishedVendor(rootDse) ?? 'OpenLDAP' };
      if (texts(rootDse, 'supportedCapabilities').includes('1.2.840.113556.1.4.800')) {
        return { server: 'Active Directory', warning: `${options.url} is an Active Directory domain controller; use type active-directory (objectGUID anchors, USN deltas, tombstones)` };
      }
      return { server: publishedVendor(rootDse) ?? 'LDAP server' };
    },
  };
}
