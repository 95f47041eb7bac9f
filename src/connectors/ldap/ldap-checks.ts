/** Semantic checks of an `active-directory` or `ldap` Connector document, and of a Projection that writes to it. */
import type { CheckContext } from '../../config/check-context.js';
import type { ConnectorDoc, ProjectionDoc } from '../../config/documents.js';
import type { ConnectorSpecOf } from '../../config/model.js';

type DirectorySpec = ConnectorSpecOf<'active-directory' | 'ldap'>;

export function checkDirectorySpec(ctx: CheckContext, doc: ConnectorDoc, spec: DirectorySpec): void {
  const { url, tls } = spec.connection;
  if (url.startsWith('ldaps://') && tls?.startTls === true) {
    ctx.report(doc, ['spec', 'connection', 'tls', 'startTls'], 'connection.tls.startTls: true contradicts connection.url "ldaps://…" (already TLS); use ldap:// with startTls, or drop startTls');
  }
}

/** Passwords are written only over TLS. */
export function checkDirectoryTarget(ctx: CheckContext, projection: ProjectionDoc, connector: ConnectorDoc, spec: DirectorySpec): void {
  const { connection } = spec;
  if (projection.value.spec.password && connection.url.startsWith('ldap://') && connection.tls?.startTls !== true) {
    ctx.report(projection, ['spec', 'password'], `password is sent only over TLS, but connector "${connector.name}" uses ${connection.url} without connection.tls.startTls; use ldaps:// or set startTls: true`, 'key');
  }
}
