/**
 * Where an `entra-id` connector sends its credentials: the client secret to the token endpoint
 * (`connection.authorityUrl`), and the access token it buys to Microsoft Graph (`connection.graphUrl`).
 * Both count: a token sent to a foreign "Graph" works against the real one until it expires.
 */
import type { ConnectorModel } from '../../config/model.js';
import { compileEntraSpec } from './entra-spec.js';

export function entraDestinations(model: ConnectorModel<'entra-id'>): string[] {
  const options = compileEntraSpec(model);
  return [...new Set([new URL(options.authorityUrl).origin, new URL(options.graphUrl).origin])];
}
