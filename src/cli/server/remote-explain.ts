/** `imesh explain TYPE/KEY [ATTR] --server URL`: the controller's GET /objects/{type}/{key}. */
import type { Explanation } from '../../engine/explain.js';
import type { OperatorClient } from './operator-client.js';

export async function remoteExplain(api: OperatorClient, type: string, key: string, attribute: string | undefined): Promise<Explanation> {
  const query = attribute === undefined ? '' : `?attribute=${encodeURIComponent(attribute)}`;
  return api.get<Explanation>(`/objects/${encodeURIComponent(type)}/${encodeURIComponent(key)}${query}`);
}
