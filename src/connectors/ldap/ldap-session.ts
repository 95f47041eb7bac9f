/**
 * One bound LDAP connection (ldapts `Client`), with the few operations the connector needs. Every
 * failure leaves here as a ConnectorError (ldap-errors.ts). Searches stream page by page; referrals
 * are never followed (ldapts does not chase them; we count and report them).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Attribute, BerWriter, Change, Client, Control, type Entry } from 'ldapts';
import type { SecretResolver } from '../sdk.js';
import { registerSecret } from '../../shared/logger.js';
import { ConnectorError } from '../../shared/errors.js';
import { ldapError } from './ldap-errors.js';
import type { LdapOptions } from './ldap-options.js';

export type RawValue = string | Buffer;

export interface RawAttribute {
  /** The attribute name as the server returned it (may carry options such as `;range=0-1499`). */
  readonly name: string;
  /** `name` lower-cased. */
  readonly key: string;
  readonly values: readonly RawValue[];
}

export interface RawEntry {
  readonly dn: string;
  /** In the server's order; a handful per entry, so a list beats a map. */
  readonly attributes: readonly RawAttribute[];
}

/** The attribute of an entry by name, case-insensitively. */
export function attributeOf(entry: RawEntry | undefined, name: string): RawAttribute | undefined {
  if (!entry) return undefined;
  const key = lower(name);
  return entry.attributes.find((a) => a.key === key);
}

// Attribute names repeat on every entry: lower-case each spelling once.
const lowered = new Map<string, string>();
function lower(name: string): string {
  let key = lowered.get(name);
  if (key === undefined) {
    key = name.toLowerCase();
    if (lowered.size < 10_000) lowered.set(name, key);
  }
  return key;
}

/** Attribute names without repeats, compared as LDAP does (case-insensitively); the first spelling wins. */
export function dedupeNames(names: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const name of names) if (!seen.has(name.toLowerCase())) seen.set(name.toLowerCase(), name);
  return [...seen.values()];
}

export interface SearchRequest {
  readonly base: string;
  readonly filter: string;
  readonly scope: 'base' | 'one' | 'sub';
  /** Attributes to return; empty = all user attributes. */
  readonly attributes: readonly string[];
  /** Attributes whose values must stay bytes (binary syntaxes). */
  readonly binary?: readonly string[];
  readonly controls?: readonly Control[];
}

export interface SearchPage {
  readonly entries: readonly RawEntry[];
  /** Continuation references returned (and not followed) in this page. */
  readonly referrals: number;
}

export interface ModifyOperation {
  readonly operation: 'add' | 'delete' | 'replace';
  readonly attribute: string;
  readonly values: readonly RawValue[];
}

/** RFC 3062 Password Modify extended operation. */
const PASSWORD_MODIFY_OID = '1.3.6.1.4.1.4203.1.11.1';
/** LDAP_SERVER_PERMISSIVE_MODIFY_OID: adding a present value / deleting an absent one succeeds. */
export const PERMISSIVE_MODIFY_OID = '1.2.840.113556.1.4.1413';

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** What a reader of the connector's config should know about how it connects. */
export function connectionWarnings(options: LdapOptions): string[] {
  const warnings: string[] = [];
  if ((options.secure || options.tls.startTls) && !options.tls.rejectUnauthorized) {
    warnings.push(`TLS certificate verification is off for ${options.url} (spec.connection.tls.rejectUnauthorized: false): anyone on the path can impersonate the server`);
  }
  if (!options.secure && !options.tls.startTls && options.bindPassword !== undefined && !isLoopback(options.host)) {
    warnings.push(`binding with a password over plain ${options.url}: the password crosses the network unencrypted (use ldaps:// or spec.connection.tls.startTls: true)`);
  }
  return warnings;
}

function toRawEntry(entry: Entry): RawEntry {
  const attributes: RawAttribute[] = [];
  for (const name in entry) {
    if (name === 'dn') continue;
    const value = entry[name]!;
    if (Array.isArray(value)) {
      if (value.length > 0) attributes.push({ name, key: lower(name), values: value }); // [] = requested but absent
    } else {
      attributes.push({ name, key: lower(name), values: [value] });
    }
  }
  return { dn: entry.dn, attributes };
}

function binaryVariants(names: readonly string[] | undefined): string[] {
  // ldapts matches explicitBufferAttributes case-sensitively against the name the server returns.
  const out = new Set<string>();
  for (const name of names ?? []) {
    out.add(name);
    out.add(name.toLowerCase());
  }
  return [...out];
}

export class LdapSession {
  private constructor(
    private readonly client: Client,
    private readonly options: LdapOptions,
    /** The connection is protected by TLS (ldaps:// or StartTLS). */
    readonly secure: boolean,
  ) {}

  static async open(options: LdapOptions, secrets: SecretResolver): Promise<LdapSession> {
    const connector = options.connector;
    let tls: ConnectionOptions = { rejectUnauthorized: options.tls.rejectUnauthorized };
    if (options.tls.caFile) {
      try {
        tls = { ...tls, ca: readFileSync(options.tls.caFile) };
      } catch (error) {
        throw new ConnectorError(connector, 'TlsFailure', `cannot read spec.connection.tls.caFile ${options.tls.caFile}: ${(error as Error).message}`, { cause: error });
      }
    }
    if (options.tls.servername) tls = { ...tls, servername: options.tls.servername };
    else if (!isIP(options.host)) tls = { ...tls, servername: options.host };
    const client = new Client({
      url: options.url,
      timeout: options.timeoutMs,
      connectTimeout: Math.min(options.timeoutMs, 15_000),
      ...(options.secure ? { tlsOptions: tls } : {}),
    });
    const server = options.url;
    try {
      if (options.tls.startTls) {
        try {
          await client.startTLS({ ...tls, host: options.host });
        } catch (error) {
          throw ldapError(connector, 'StartTLS', error, server);
        }
      }
      if (options.bindDn) {
        const password = options.bindPassword === undefined ? '' : secrets.resolve(options.bindPassword);
        registerSecret(password);
        try {
          await client.bind(options.bindDn, password);
        } catch (error) {
          throw ldapError(connector, `bind as ${options.bindDn}`, error, server);
        }
      }
    } catch (error) {
      await client.unbind().catch(() => undefined);
      throw error;
    }
    return new LdapSession(client, options, options.secure || options.tls.startTls);
  }

  private fail(action: string, error: unknown): ConnectorError {
    return ldapError(this.options.connector, action, error);
  }

  /**
   * Streams a paged search (RFC 2696) one page at a time. The next page is requested as soon as one
   * arrives, so the server prepares it while the caller converts this one (at most two pages in memory).
   */
  async *pages(request: SearchRequest): AsyncGenerator<SearchPage> {
    const action = `search ${request.filter} under ${request.base}`;
    const iterator = this.client.searchPaginated(
      request.base,
      {
        scope: request.scope,
        filter: request.filter,
        attributes: [...request.attributes],
        explicitBufferAttributes: binaryVariants(request.binary),
        paged: { pageSize: this.options.pageSize },
        timeLimit: 0,
      },
      [...(request.controls ?? [])],
    );
    const fetch = () => {
      const next = iterator.next();
      next.catch(() => undefined); // observed below; a caller that stops early must not leave it unhandled
      return next;
    };
    let pending = fetch();
    while (true) {
      let next: IteratorResult<{ searchEntries: Entry[]; searchReferences: string[] }>;
      try {
        next = await pending;
      } catch (error) {
        throw this.fail(action, error);
      }
      if (next.done) return;
      pending = fetch();
      yield { entries: next.value.searchEntries.map(toRawEntry), referrals: next.value.searchReferences.length };
    }
  }

  /** Reads one entry (base search); undefined when it does not exist. */
  async read(dn: string, attributes: readonly string[], options: { binary?: readonly string[]; controls?: readonly Control[]; filter?: string } = {}): Promise<RawEntry | undefined> {
    try {
      const result = await this.client.search(
        dn,
        { scope: 'base', filter: options.filter ?? '(objectClass=*)', attributes: [...attributes], explicitBufferAttributes: binaryVariants(options.binary), timeLimit: 0 },
        options.controls ? [...options.controls] : undefined,
      );
      const entry = result.searchEntries[0];
      return entry ? toRawEntry(entry) : undefined;
    } catch (error) {
      const mapped = this.fail(`read ${dn || 'the root DSE'}`, error);
      if (mapped.code === 'NoSuchObject') return undefined;
      throw mapped;
    }
  }

  async rootDse(attributes: readonly string[]): Promise<RawEntry> {
    const entry = await this.read('', attributes);
    if (!entry) throw new ConnectorError(this.options.connector, 'LdapError', 'the server returned no root DSE');
    return entry;
  }

  async add(dn: string, attributes: ReadonlyMap<string, readonly RawValue[]>): Promise<void> {
    const list = [...attributes].map(([type, values]) => new Attribute({ type, values: values as Buffer[] | string[] }));
    try {
      await this.client.add(dn, list);
    } catch (error) {
      throw this.fail(`add ${dn}`, error);
    }
  }

  async modify(dn: string, operations: readonly ModifyOperation[], controls?: readonly Control[]): Promise<void> {
    if (operations.length === 0) return;
    const changes = operations.map(
      (op) => new Change({ operation: op.operation, modification: new Attribute({ type: op.attribute, values: op.values as Buffer[] | string[] }) }),
    );
    try {
      await this.client.modify(dn, changes, controls ? [...controls] : undefined);
    } catch (error) {
      throw this.fail(`modify ${dn}`, error);
    }
  }

  /**
   * ModifyDN with deleteOldRdn. `newRdn` must be escaped with hex pairs for `,` and `\` (see rdnForModifyDn):
   * ldapts splits its `newDN` argument at the first comma not preceded by a backslash.
   */
  async modifyDn(dn: string, newRdn: string, newSuperior: string): Promise<void> {
    try {
      await this.client.modifyDN(dn, `${newRdn},${newSuperior}`);
    } catch (error) {
      throw this.fail(`move ${dn} to ${newRdn},${newSuperior}`, error);
    }
  }

  async delete(dn: string): Promise<void> {
    try {
      await this.client.del(dn);
    } catch (error) {
      throw this.fail(`delete ${dn}`, error);
    }
  }

  /** Sets a password through the RFC 3062 Password Modify extended operation (the server hashes it). */
  async passwordModify(dn: string, password: string): Promise<void> {
    // PasswdModifyRequestValue ::= SEQUENCE { userIdentity [0] OCTET STRING, newPasswd [2] OCTET STRING }
    const writer = new BerWriter();
    writer.startSequence();
    writer.writeString(dn, 0x80);
    writer.writeString(password, 0x82);
    writer.endSequence();
    try {
      await this.client.exop(PASSWORD_MODIFY_OID, writer.buffer);
    } catch (error) {
      throw this.fail(`set the password of ${dn}`, error);
    }
  }

  async close(): Promise<void> {
    await this.client.unbind().catch(() => undefined);
  }
}

/** A control without a value (Show Deleted, Permissive Modify …). */
export function flagControl(oid: string, critical: boolean): Control {
  return new Control(oid, { critical });
}
