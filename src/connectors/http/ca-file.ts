import { readFileSync } from 'node:fs';
import { ConnectorError, errorMessage } from '../../shared/errors.js';

/** The PEM of `spec.connection.tls.caFile`; an unreadable file is a ConnectorError naming the setting. */
export function readCaFile(connector: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConnectorError(connector, 'FileUnreadable', `spec.connection.tls.caFile ${file} cannot be read (${errorMessage(error)})`, { cause: error });
  }
}
