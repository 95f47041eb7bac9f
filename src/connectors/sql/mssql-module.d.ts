/**
 * The part of `mssql` (v12, on tedious) that mssql-dialect.ts uses. The package ships no type
 * declarations; this file is the small structural interface through which the dialect reaches it.
 * Nothing outside src/connectors/sql/ imports `mssql`.
 */
declare module 'mssql' {
  import type { Readable } from 'node:stream';

  interface SqlType {
    readonly declaration?: string;
  }
  type SqlTypeFactory = SqlType & ((...args: number[]) => SqlType);

  interface ColumnMetadata {
    readonly index: number;
    readonly name: string;
    readonly length: number;
    readonly type: SqlTypeFactory | undefined;
    readonly scale?: number;
    readonly precision?: number;
    readonly nullable: boolean;
  }

  interface QueryResult {
    readonly recordset?: unknown[][] | Record<string, unknown>[];
    readonly recordsets?: unknown[];
    readonly rowsAffected: number[];
    readonly columns?: ColumnMetadata[][];
  }

  interface PoolConfig {
    server?: string;
    port?: number;
    database?: string;
    user?: string;
    password?: string;
    domain?: string;
    connectionTimeout?: number;
    requestTimeout?: number;
    arrayRowMode?: boolean;
    validateConnection?: boolean | 'socket';
    pool?: { max?: number; min?: number; idleTimeoutMillis?: number };
    options?: {
      encrypt?: boolean;
      trustServerCertificate?: boolean;
      appName?: string;
      useUTC?: boolean;
      instanceName?: string;
      [key: string]: unknown;
    };
    [key: string]: unknown;
  }

  class ConnectionPool {
    constructor(config: PoolConfig);
    static parseConnectionString(connectionString: string): PoolConfig;
    connect(): Promise<ConnectionPool>;
    request(): Request;
    close(): Promise<void>;
    on(event: 'error', listener: (error: Error) => void): this;
  }

  class Transaction {
    constructor(parent: ConnectionPool);
    begin(): Promise<Transaction>;
    commit(): Promise<void>;
    rollback(): Promise<void>;
  }

  class Request {
    constructor(parent: ConnectionPool | Transaction);
    stream: boolean;
    arrayRowMode: boolean;
    input(name: string, type: SqlType | SqlTypeFactory, value: unknown): Request;
    query(command: string): Promise<QueryResult>;
    query(command: string, callback: (error?: Error) => void): Request;
    toReadableStream(options?: { highWaterMark?: number }): Readable;
    on(event: 'recordset', listener: (columns: ColumnMetadata[]) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    on(event: 'done', listener: () => void): this;
  }

  interface Mssql {
    ConnectionPool: typeof ConnectionPool;
    Transaction: typeof Transaction;
    Request: typeof Request;
    NVarChar: SqlTypeFactory;
    Bit: SqlTypeFactory;
    BigInt: SqlTypeFactory;
    Int: SqlTypeFactory;
    Float: SqlTypeFactory;
    VarBinary: SqlTypeFactory;
    MAX: number;
  }

  const mssql: Mssql;
  export default mssql;
  export type { ColumnMetadata, PoolConfig, QueryResult, SqlType, SqlTypeFactory };
  export { ConnectionPool, Request, Transaction };
}
