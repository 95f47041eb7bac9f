/**
 * Where a `sql` connector sends the secrets in its connection string: `postgres://host:port/database`
 * or `mssql://server[\instance]:port/database`, worked out by the driver's own parser (so a `?host=`
 * override or an ADO `Server=tcp:…` counts exactly as the driver will read it). References are masked,
 * never resolved: a reference inside the host or database name stays visible as `{{secret:NAME}}`.
 * A connection string that is itself one secret is named by that reference (`postgres:{{secret:NAME}}`).
 * `driver: embedded` is a local folder and sends nothing anywhere.
 */
import type { ConnectorModel } from '../../config/model.js';
import { maskSecretRefs } from '../../config/secrets.js';
import { ConfigError } from '../../shared/errors.js';
import { compileSqlOptions } from './sql-spec.js';

export async function sqlDestinations(model: ConnectorModel<'sql'>): Promise<string[]> {
  const { connection } = compileSqlOptions(model.name, model.spec);
  if (connection.driver === 'embedded') return [];
  const masked = maskSecretRefs(connection.connectionString ?? '');
  // The whole string is a secret (`"{{secret:hr-db-url}}"`): the operator's value decides where it goes,
  // and no config change can alter that, so the reference itself names the destination.
  if (/^(imeshsecretref\d+x)+$/.test(masked.text.trim())) return [`${connection.driver}:${masked.restore(masked.text.trim())}`];
  if (connection.driver === 'postgres') {
    if (!/^postgres(ql)?:\/\//i.test(masked.text)) {
      throw new ConfigError('ConnectionStringInvalid', `${model.name}: connection.connectionString is not a PostgreSQL URL (postgres://user@host:port/database)`);
    }
    const { default: pg } = await import('pg');
    // The client parses the string (and the PG* environment defaults) as a pool would; it does not connect.
    const client = new pg.Client({ connectionString: masked.text });
    const host = String(client.host ?? 'localhost');
    return [masked.restore(`postgres://${host.includes(':') ? `[${host}]` : host.toLowerCase()}:${client.port}/${client.database ?? ''}`)];
  }
  const { parseMssqlConnectionString } = await import('./mssql-dialect.js');
  const config = parseMssqlConnectionString(model.name, masked.text);
  const instance = (config.options as { instanceName?: string } | undefined)?.instanceName;
  const server = `${(config.server ?? '').toLowerCase()}${instance ? `\\${instance}` : ''}`;
  return [masked.restore(`mssql://${server}${config.port ? `:${config.port}` : ''}/${config.database ?? ''}`)];
}
