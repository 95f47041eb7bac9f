/**
 * `imesh check --server URL [CONNECTOR...]`: each connector's connection check run by the controller
 * (POST /connectors/{name}/check, an operator call), with the controller's secrets and network.
 */
import type { ConnectorCheck } from '../../controller/api/connector-check.js';
import type { ConnectorView } from '../../controller/api/status-views.js';
import { UsageError } from '../verb.js';
import type { OperatorClient } from './operator-client.js';

export async function remoteCheck(api: OperatorClient, names: readonly string[]): Promise<ConnectorCheck[]> {
  const defined = (await api.get<{ items: ConnectorView[] }>('/connectors')).items.map((c) => c.name);
  const unknown = names.filter((name) => !defined.includes(name));
  if (unknown.length > 0) throw new UsageError(`unknown connector(s) on ${api.display}: ${unknown.join(', ')} (defined: ${defined.join(', ') || 'none'})`);
  const results: ConnectorCheck[] = [];
  for (const name of names.length > 0 ? names : defined) results.push(await api.post<ConnectorCheck>(`/connectors/${encodeURIComponent(name)}/check`));
  return results;
}
