/** `imesh history TYPE/KEY [ATTR] --server URL`: the controller's GET /objects/{type}/{key}/history. */
import type { History } from '../../engine/history.js';
import type { OperatorClient } from './operator-client.js';

export async function remoteHistory(api: OperatorClient, type: string, key: string, attribute: string | undefined): Promise<History> {
  const query = attribute === undefined ? '' : `?attribute=${encodeURIComponent(attribute)}`;
  return api.get<History>(`/objects/${encodeURIComponent(type)}/${encodeURIComponent(key)}/history${query}`);
}
