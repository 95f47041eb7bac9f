/**
 * Secret fields of the product documents' configurations, as `{{secret:NAME}}` references. A reference
 * the input already holds is kept; a secret-store path (`secret://okta/contoso/apitoken`, DPAPI and
 * `IM_Secrets` behind it) becomes a name; a literal password becomes a name whose value the user stores
 * — the literal itself is never written anywhere, not even in a comment.
 */
import type { ConvertedRepository } from './repository.js';
import { kebab } from './repository.js';

const REFERENCE = /^\{\{\s*secret\s*:\s*([A-Za-z0-9_-]+)\s*\}\}$/;
const STORE_PATH = /^secret:\/\/(.+)$/;

export interface SecretField {
  /** The `{{secret:NAME}}` reference to write. */
  readonly value: string;
  /** Comment lines for the field. */
  readonly comment: string[];
}

function where(name: string): string {
  return `IMESH_SECRET_${name.toUpperCase().replace(/-/g, '_')} or the file $IMESH_SECRETS_DIR/${name}`;
}

/**
 * `fallbackName` names the secret when the input gives no reference (a literal, or nothing); `holds`
 * says what the secret holds, for the list printed after conversion.
 */
export function secretField(repo: ConvertedRepository, raw: unknown, fallbackName: string, holds: string): SecretField {
  const text = typeof raw === 'string' ? raw.trim() : '';
  const reference = REFERENCE.exec(text);
  if (reference) {
    const name = reference[1]!;
    repo.addSecret({ name, holds });
    return { value: `{{secret:${name}}}`, comment: [] };
  }
  const store = STORE_PATH.exec(text);
  if (store) {
    const name = kebab(store[1]!) || fallbackName;
    repo.addSecret({ name, holds });
    return {
      value: `{{secret:${name}}}`,
      comment: [
        `The input's secret-store reference ${text} (DPAPI / IM_Secrets, Key Vault or Vault behind it) has no equivalent:`,
        `secrets are resolved at run time from ${where(name)} (a Kubernetes Secret mount).`,
      ],
    };
  }
  const name = kebab(fallbackName);
  repo.addSecret({ name, holds });
  if (text === '') {
    return { value: `{{secret:${name}}}`, comment: [`The input gave no value; store ${holds} as the secret "${name}" (${where(name)}).`] };
  }
  return {
    value: `{{secret:${name}}}`,
    comment: [
      `The input held this password in clear. It is not written here (this file goes to Git): store it as`,
      `the secret "${name}" (${where(name)}), and rotate it, since it has been kept in a file.`,
    ],
  };
}

/** Keys of a connection string that hold credentials (ADO.NET / ODBC style). */
const CREDENTIAL_KEYS = /(^|;)\s*(password|pwd|user\s*id|uid|user|username|access\s*token)\s*=/i;

/** A URL with credentials in its user-info part (postgres://user:pass@host). */
const URL_CREDENTIALS = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i;

/** Does this connection string hold a credential (so it may only be a secret, never shown)? */
export function holdsCredential(connectionString: string): boolean {
  return CREDENTIAL_KEYS.test(connectionString) || URL_CREDENTIALS.test(connectionString);
}
