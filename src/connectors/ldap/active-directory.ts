/**
 * Active Directory (and Samba AD) quirks for the LDAP connector core.
 *
 * - Anchor: `objectGUID`, 16 bytes in the GUID packet representation: Data1, Data2 and Data3 are
 *   little-endian, Data4 is a byte sequence ([MS-DTYP] 2.3.4.2). The canonical string reverses the first
 *   three groups: bytes 3210-54-76-89-101112131415, lower-case hex.
 * - `objectSid`: revision, sub-authority count, a 48-bit big-endian identifier authority, then
 *   little-endian 32-bit sub-authorities ([MS-DTYP] 2.4.2.2) → `S-1-5-21-…`.
 * - enabled: `userAccountControl` bit ADS_UF_ACCOUNTDISABLE 0x2; 512 = NORMAL_ACCOUNT, 514 = disabled
 *   ([MS-ADTS] / ADS_USER_FLAG_ENUM). Other bits (e.g. DONT_EXPIRE_PASSWD 0x10000) are preserved.
 * - Delta: "Polling for changes using uSNChanged" (learn.microsoft.com, windows/win32/ad): before reading,
 *   take `highestCommittedUSN` and `dsServiceName` from the root DSE and the `invocationId` of that NTDS
 *   Settings object; read `(uSNChanged>=usn)` where usn = that highestCommittedUSN + 1. USNs are per DC, and a restored DC gets a new invocationId,
 *   so a different DC or invocationId means the watermark cannot be continued: read everything.
 * - Deletions: tombstones keep objectGUID, get `isDeleted: TRUE` and move to CN=Deleted Objects; they
 *   are visible only with the LDAP_SERVER_SHOW_DELETED_OID control 1.2.840.113556.1.4.417 (no value)
 *   ([MS-ADTS] 3.1.1.3.4.1.14). We read them from the naming-context root.
 * - Range retrieval ("Attribute Range Retrieval", learn.microsoft.com ADSI): a server may return
 *   `member;range=0-1499` instead of `member`; ask for `member;range=1500-*` and so on until the
 *   returned range ends in `*`. (Windows caps at MaxValRange 1500; Samba returns every value unless
 *   asked for a range.)
 * - Passwords: `unicodePwd` is the password in double quotes, UTF-16LE, written only over a protected
 *   connection ([MS-ADTS] 3.1.1.3.1.5.1). We send it in the add, with userAccountControl 512, so an
 *   account is never left enabled without a password nor half-created.
 */
import { parseDn, isUnder, sameDn } from '../../config/dn.js';
import {
  publishedVendor,
  text,
  texts,
  type CreateChange,
  type CreatePlan,
  type DeltaPlan,
  type DirectoryVendor,
  type ServerIdentity,
  type VendorContext,
} from './directory-vendor.js';
import type { LdapTypeOptions } from './ldap-options.js';
import { attributeOf, flagControl, type LdapSession, type RawAttribute, type RawEntry, type RawValue } from './ldap-session.js';
import type { StagedObject } from '../sdk.js';
import { ConnectorError } from '../../shared/errors.js';

const SHOW_DELETED_OID = '1.2.840.113556.1.4.417';
/** supportedCapabilities value LDAP_CAP_ACTIVE_DIRECTORY_OID. */
const AD_CAPABILITY_OID = '1.2.840.113556.1.4.800';
const UF_ACCOUNTDISABLE = 0x2;
const UF_NORMAL_ACCOUNT = 0x200;
const ACCOUNT_CLASSES = new Set(['user', 'computer', 'inetorgperson']);
const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const USER_CLASSES = ['top', 'person', 'organizationalPerson', 'user'] as const;
const GROUP_CLASSES = ['top', 'group'] as const;

/** The schema's documented defaults: users `[top, person, organizationalPerson, user]`, groups `[top, group]`. */
function objectClassesOf(type: LdapTypeOptions): readonly string[] {
  if (type.objectClasses.length > 0) return type.objectClasses;
  return /\(\s*object(Class|Category)\s*=\s*group\s*\)/i.test(type.filter) ? GROUP_CLASSES : USER_CLASSES;
}

export function guidToString(bytes: Buffer): string {
  if (bytes.length !== 16) throw new Error(`a GUID has 16 bytes, got ${bytes.length}`);
  const hex = (order: readonly number[]) => order.map((i) => bytes[i]!.toString(16).padStart(2, '0')).join('');
  return `${hex([3, 2, 1, 0])}-${hex([5, 4])}-${hex([7, 6])}-${hex([8, 9])}-${hex([10, 11, 12, 13, 14, 15])}`;
}

export function guidToBytes(guid: string): Buffer {
  if (!GUID_PATTERN.test(guid)) throw new Error(`not a GUID: ${guid}`);
  const b = Buffer.from(guid.replace(/-/g, ''), 'hex');
  return Buffer.from([b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!, ...b.subarray(8)]);
}

export function sidToString(bytes: Buffer): string {
  if (bytes.length < 8) throw new Error(`a SID has at least 8 bytes, got ${bytes.length}`);
  const count = bytes[1]!;
  if (bytes.length < 8 + 4 * count) throw new Error(`SID truncated: ${count} sub-authorities in ${bytes.length} bytes`);
  const authority = bytes.readUIntBE(2, 6);
  const subs: number[] = [];
  for (let i = 0; i < count; i++) subs.push(bytes.readUInt32LE(8 + 4 * i));
  return [`S-${bytes[0]!}-${authority}`, ...subs].join('-');
}

/** The quoted, UTF-16LE form AD requires in unicodePwd. */
export function encodeUnicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

interface AdWatermark {
  readonly dc: string;
  readonly invocationId: string;
  readonly usn: string;
}

function parseWatermark(watermark: string): AdWatermark | undefined {
  try {
    const value = JSON.parse(watermark) as Partial<AdWatermark>;
    if (typeof value.dc === 'string' && typeof value.invocationId === 'string' && typeof value.usn === 'string' && /^\d+$/.test(value.usn)) {
      return { dc: value.dc, invocationId: value.invocationId, usn: value.usn };
    }
  } catch {
    // not JSON
  }
  return undefined;
}

const RANGE = /^(.+);range=(\d+)-(\d+|\*)$/i;

/** Follows ranged attributes (`member;range=0-1499`) until the server says `*`. */
async function completeRanges(session: LdapSession, entry: RawEntry): Promise<RawEntry> {
  const ranged = entry.attributes.filter((a) => RANGE.test(a.name));
  if (ranged.length === 0) return entry;
  let attributes = entry.attributes.filter((a) => !RANGE.test(a.name));
  for (const first of ranged) {
    const [, base, , end] = RANGE.exec(first.name)!;
    const values: RawValue[] = [...first.values];
    let last = end!;
    while (last !== '*') {
      const next = Number(last) + 1;
      const page = await session.read(entry.dn, [`${base!};range=${next}-*`]);
      const part = page?.attributes.find((a) => RANGE.exec(a.name)?.[1]?.toLowerCase() === base!.toLowerCase());
      if (!part) break; // the attribute shrank meanwhile; what we have is all there is
      values.push(...part.values);
      last = RANGE.exec(part.name)![3]!;
    }
    const key = base!.toLowerCase();
    const merged: RawAttribute = { name: base!, key, values: [...(attributes.find((a) => a.key === key)?.values ?? []), ...values] };
    attributes = [...attributes.filter((a) => a.key !== key), merged];
  }
  return { dn: entry.dn, attributes };
}

function isAccountType(type: LdapTypeOptions): boolean {
  return objectClassesOf(type).some((c) => ACCOUNT_CLASSES.has(c.toLowerCase()));
}

function uacOf(entry: RawEntry): number | undefined {
  const value = text(entry, 'userAccountControl');
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isInteger(n) ? n : undefined;
}

export function createActiveDirectoryVendor({ options, log }: VendorContext): DirectoryVendor {
  const connector = options.connector;

  /**
   * The signpost: highestCommittedUSN and dsServiceName from the root DSE, and the invocationId of that
   * NTDS Settings object. With `knownDc` (the previous watermark's DC) both reads go out together.
   */
  async function signpostOf(session: LdapSession, knownDc?: string): Promise<AdWatermark & { namingContexts: string[] }> {
    const invocationOf = async (dc: string) => {
      const settings = await session.read(dc, ['invocationId'], { binary: ['invocationId'] });
      const raw = attributeOf(settings, 'invocationId')?.values[0];
      return Buffer.isBuffer(raw) ? guidToString(raw) : undefined;
    };
    const [root, guessed] = await Promise.all([
      session.rootDse(['dsServiceName', 'highestCommittedUSN', 'namingContexts']),
      knownDc ? invocationOf(knownDc) : Promise.resolve(undefined),
    ]);
    const dc = text(root, 'dsServiceName');
    const usn = text(root, 'highestCommittedUSN');
    if (!dc || !usn) {
      throw new ConnectorError(connector, 'NotActiveDirectory', `${options.url} publishes no dsServiceName/highestCommittedUSN in its root DSE; is it an Active Directory DC? (use type ldap for other directories)`);
    }
    const invocationId = knownDc && sameDn(knownDc, dc) ? guessed : await invocationOf(dc);
    if (!invocationId) throw new ConnectorError(connector, 'NotActiveDirectory', `cannot read the invocationId of ${dc}`);
    return { dc, invocationId, usn, namingContexts: texts(root, 'namingContexts') };
  }

  const watermarkOf = (s: AdWatermark) => JSON.stringify({ dc: s.dc, invocationId: s.invocationId, usn: String(BigInt(s.usn) + 1n) });

  function namingContextOf(base: string, contexts: readonly string[]): string {
    const holding = contexts.filter((nc) => isUnder(base, nc)).sort((a, b) => parseDn(b).length - parseDn(a).length);
    return holding[0] ?? options.baseDn;
  }

  function guidOf(entry: RawEntry): string | undefined {
    const raw = attributeOf(entry, 'objectGUID')?.values[0];
    return Buffer.isBuffer(raw) && raw.length === 16 ? guidToString(raw) : undefined;
  }

  function tombstonesSince(usn: string, nc: string) {
    return async function* tombstones(session: LdapSession): AsyncIterable<StagedObject[]> {
      // Tombstones of the whole naming context: a tombstone has lost objectCategory and lives under
      // CN=Deleted Objects, so neither the type's filter nor its search base can select it. The engine
      // ignores anchors it never saw.
      for await (const page of session.pages({
        base: nc,
        filter: `(&(isDeleted=TRUE)(uSNChanged>=${usn}))`,
        scope: 'sub',
        attributes: ['objectGUID', 'isDeleted'],
        binary: ['objectGUID'],
        controls: [flagControl(SHOW_DELETED_OID, true)],
      })) {
        const gone = page.entries.flatMap((entry): StagedObject[] => {
          const externalId = guidOf(entry);
          return externalId ? [{ externalId, dn: entry.dn, attributes: {}, deleted: true }] : [];
        });
        if (gone.length > 0) yield gone;
      }
    };
  }

  return {
    anchorAttribute: () => 'objectGUID',
    binaryAttributes: ['objectGUID', 'objectSid', 'sIDHistory'],
    decodeBinary(attribute, bytes) {
      const name = attribute.toLowerCase();
      if (name === 'objectguid' && bytes.length === 16) return guidToString(bytes);
      if ((name === 'objectsid' || name === 'sidhistory') && bytes.length >= 8) return sidToString(bytes);
      return undefined;
    },
    anchorOf: (_type, entry) => guidOf(entry),
    stateAttributes: (type) => (isAccountType(type) ? ['userAccountControl'] : []),
    enabled(type, entry) {
      if (!isAccountType(type)) return undefined;
      const uac = uacOf(entry);
      return uac === undefined ? undefined : (uac & UF_ACCOUNTDISABLE) === 0;
    },
    canDisable: isAccountType,
    defaultObjectClasses: objectClassesOf,
    containerObjectClasses(rdnType) {
      const type = rdnType.toLowerCase();
      if (type === 'ou') return ['top', 'organizationalUnit'];
      if (type === 'cn') return ['top', 'container'];
      return undefined;
    },
    completeEntry: completeRanges,
    async signpost(session) {
      return watermarkOf(await signpostOf(session));
    },
    async planDelta(session, type, watermark): Promise<DeltaPlan> {
      const previous = parseWatermark(watermark);
      const now = await signpostOf(session, previous?.dc);
      if (!previous) {
        return { mode: 'full', reason: `the stored watermark is not an Active Directory watermark {dc, invocationId, usn}: ${watermark.slice(0, 200)}`, watermark: watermarkOf(now) };
      }
      if (!sameDn(previous.dc, now.dc)) {
        return { mode: 'full', reason: `the domain controller changed from ${previous.dc} to ${now.dc}; USNs are per DC`, watermark: watermarkOf(now) };
      }
      if (previous.invocationId.toLowerCase() !== now.invocationId.toLowerCase()) {
        return {
          mode: 'full',
          reason: `the invocationId of ${now.dc} changed from ${previous.invocationId} to ${now.invocationId} (the DC was restored or its database replaced); its USNs cannot be continued`,
          watermark: watermarkOf(now),
        };
      }
      if (BigInt(previous.usn) > BigInt(now.usn) + 1n) {
        return { mode: 'full', reason: `the stored USN ${previous.usn} is ahead of ${now.dc}'s highestCommittedUSN ${now.usn}`, watermark: watermarkOf(now) };
      }
      // Changes are read from the naming-context root: a changed object of this type found outside the
      // search base has moved out of scope (uSNChanged is indexed, so the wider base costs little).
      const nc = namingContextOf(type.searchBase, now.namingContexts);
      return { mode: 'delta', changedFilter: `(uSNChanged>=${previous.usn})`, changedBase: nc, watermark: watermarkOf(now), deletions: tombstonesSince(previous.usn, nc) };
    },
    async locate(session, _type, externalId) {
      if (!GUID_PATTERN.test(externalId)) {
        throw new ConnectorError(connector, 'InvalidAnchor', `"${externalId}" is not an objectGUID`);
      }
      // AD accepts <GUID=…> as a DN (extended DN syntax), so the anchor finds the object wherever it moved.
      const entry = await session.read(`<GUID=${externalId}>`, ['objectGUID'], { binary: ['objectGUID'] });
      return entry?.dn;
    },
    prepareCreate(type: LdapTypeOptions, change: CreateChange): CreatePlan {
      if (!isAccountType(type)) return { attributes: new Map() };
      const given = Object.entries(change.attributes).find(([k]) => k.toLowerCase() === 'useraccountcontrol')?.[1];
      const base = given !== undefined && Number.isInteger(Number(given)) ? Number(given) : UF_NORMAL_ACCOUNT;
      const attributes = new Map<string, readonly RawValue[]>();
      const enable = change.enabled === true && change.password !== undefined;
      attributes.set('userAccountControl', [String(enable ? base & ~UF_ACCOUNTDISABLE : base | UF_ACCOUNTDISABLE)]);
      if (change.password !== undefined) attributes.set('unicodePwd', [encodeUnicodePwd(change.password)]);
      const heldBack =
        change.enabled === true && change.password === undefined
          ? 'created disabled: Active Directory cannot enable an account without a password (give the projection a password)'
          : undefined;
      return { attributes, ...(heldBack ? { heldBack } : {}) };
    },
    async setEnabled(session, _type, dn, enabled) {
      const entry = await session.read(dn, ['userAccountControl']);
      const uac = entry ? uacOf(entry) : undefined;
      if (uac === undefined) throw new ConnectorError(connector, 'NotSupported', `${dn} has no userAccountControl; only accounts can be enabled or disabled`);
      const next = enabled ? uac & ~UF_ACCOUNTDISABLE : uac | UF_ACCOUNTDISABLE;
      if (next === uac) return;
      await session.modify(dn, [{ operation: 'replace', attribute: 'userAccountControl', values: [String(next)] }]);
      log.debug({ event: 'ldap-uac', connector, dn, from: uac, to: next }, enabled ? 'account enabled' : 'account disabled');
    },
    identityAttributes: ['supportedCapabilities', 'forestFunctionality', 'domainControllerFunctionality', 'vendorName', 'vendorVersion', 'dnsHostName'],
    identify(rootDse): ServerIdentity {
      const isAd = texts(rootDse, 'supportedCapabilities').includes(AD_CAPABILITY_OID) || text(rootDse, 'forestFunctionality') !== undefined;
      if (!isAd) {
        return {
          server: publishedVendor(rootDse) ?? 'LDAP server (not Active Directory)',
          warning: `${options.url} is not an Active Directory domain controller (no ${AD_CAPABILITY_OID} in supportedCapabilities); use type ldap`,
        };
      }
      const vendor = publishedVendor(rootDse);
      const level = text(rootDse, 'forestFunctionality');
      const host = text(rootDse, 'dnsHostName');
      return { server: `Active Directory${vendor ? ` (${vendor})` : ''}${host ? ` on ${host}` : ''}${level ? `, forest functional level ${level}` : ''}` };
    },
  };
}
