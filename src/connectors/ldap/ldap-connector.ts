/**
 * The LDAP connector core, shared by the `active-directory` and `ldap` types. Everything that differs
 * between directories goes through the DirectoryVendor it is given; this file never asks which one.
 * It holds the connections and the schema cache; import (ldap-import.ts) streams one batch per page of a
 * paged search, export (ldap-export.ts) applies changes one by one (directories serialize writes
 * anyway) on one connection, each idempotent.
 */
import { ConnectorError, ConfigError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { CheckResult, ConnectorContext, ExportChange, ExportResult, IdentityConnector, ImportBatch, ObjectTypeCapabilities } from '../sdk.js';
import { readSchema, type DirectorySchema } from './directory-schema.js';
import type { DirectoryVendor, VendorFactory } from './directory-vendor.js';
import { LdapExporter } from './ldap-export.js';
import { LdapImporter } from './ldap-import.js';
import { compileLdapOptions, type LdapOptions, type LdapTypeOptions } from './ldap-options.js';
import { connectionWarnings, LdapSession } from './ldap-session.js';

/** What import and export share: the compiled options, the vendor, the log, and the directory's schema. */
export interface LdapCore {
  readonly name: string;
  readonly options: LdapOptions;
  readonly vendor: DirectoryVendor;
  readonly log: Logger;
  directorySchema(session: LdapSession): Promise<DirectorySchema>;
}

export class LdapConnector implements IdentityConnector, LdapCore {
  readonly options: LdapOptions;
  readonly vendor: DirectoryVendor;
  readonly log: Logger;
  private readonly sessions = new Set<LdapSession>();
  private schema?: Promise<DirectorySchema>;
  private readonly importer: LdapImporter;
  private readonly exporter: LdapExporter;

  constructor(
    private readonly context: ConnectorContext<'active-directory' | 'ldap'>,
    vendorFactory: VendorFactory,
  ) {
    this.options = compileLdapOptions(context.model, context.configPath);
    this.log = context.log;
    this.vendor = vendorFactory({ options: this.options, log: this.log });
    this.importer = new LdapImporter(this);
    this.exporter = new LdapExporter(this);
  }

  get name(): string {
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

  directorySchema(session: LdapSession): Promise<DirectorySchema> {
    this.schema ??= readSchema(session).catch((error: unknown) => {
      this.schema = undefined;
      throw error;
    });
    return this.schema;
  }

  async *fullImport(typeName: string): AsyncIterable<ImportBatch> {
    const type = this.type(typeName);
    const session = await this.open();
    try {
      yield* this.importer.full(session, type);
    } finally {
      await this.release(session);
    }
  }

  async *deltaImport(typeName: string, watermark: string): AsyncIterable<ImportBatch> {
    const type = this.type(typeName);
    const session = await this.open();
    try {
      yield* this.importer.delta(session, type, watermark);
    } finally {
      await this.release(session);
    }
  }

  export(typeName: string, changes: readonly ExportChange[]): Promise<ExportResult[]> {
    const type = this.type(typeName);
    return this.exporter.export({ open: () => this.open(), release: (session) => this.release(session) }, type, changes);
  }

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
