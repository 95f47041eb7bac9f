/**
 * `imesh convert`: the product documents' configuration shapes → one config repository (one Mesh,
 * Connectors, FlowRules, Projections, schedules) that `imesh validate` accepts. Each input shape has its
 * own module; this one reads the inputs, tells the shapes apart, applies update bodies to what they
 * update, and renders the repository.
 */
import { convertDirectory, type DirectoryInput } from './directory.js';
import { applyDirectoryUpdate, isDirectoryConnection, isDirectoryUpdate, readDirectoryConnection } from './directory-connection.js';
import { convertEntra, type EntraInput } from './entra-id.js';
import { ConvertError, isObject, readInput } from './input.js';
import { addIthbatTarget } from './ithbat-target.js';
import { convertOkta, type OktaInput } from './okta.js';
import { applyOktaAuthJson, applyOktaConfigFragment, isOktaAuthJson, isOktaConfigFragment, isOktaConfigJson, readOktaConfigJson, readOktaPair } from './okta-runbook.js';
import { PRODUCT_TYPES, readProductConnector } from './product-connector.js';
import { ConvertedRepository, type SecretToCreate } from './repository.js';
import { convertScimGroupMappings } from './scim-group-mappings.js';
import { convertSql, type SqlInput } from './sql.js';

export { ConvertError } from './input.js';

type Item =
  | { kind: 'directory'; value: DirectoryInput; update: false }
  | { kind: 'entra'; value: EntraInput }
  | { kind: 'okta'; value: OktaInput }
  | { kind: 'sql'; value: SqlInput }
  | { kind: 'scimGroupMappings'; input: string; value: Readonly<Record<string, unknown>> }
  | { kind: 'directoryUpdate'; input: string; value: Readonly<Record<string, unknown>> }
  | { kind: 'oktaAuth'; input: string; value: Readonly<Record<string, unknown>> }
  | { kind: 'oktaFragment'; input: string; value: Readonly<Record<string, unknown>> };

export interface ConvertResult {
  /** Relative path → content. */
  readonly files: ReadonlyMap<string, string>;
  readonly secrets: readonly SecretToCreate[];
}

const SHAPES =
  'expected one of: a connector body { "type": "active-directory" | "entra-id" | "okta" | "sql", "config": {…} } (the connector configuration examples), ' +
  'a directory connection { "type": "active_directory" | "ldap", "host": …, "syncSchedule": … } or its update body, ' +
  'an Okta ConfigJson { "OrgDomain": … } (or a fragment such as { "UserSearchFilter": … }) / AuthJson { "Mode", "ApiKey" }, or a YAML scimGroupMappings list';

function classify(input: string, value: unknown, at = ''): Item[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => classify(input, v, `${at}[${i}]`));
  if (!isObject(value)) throw new ConvertError(input, 'InputShape', `${at ? `${at} ` : ''}is not a configuration object; ${SHAPES}`);
  if ('scimGroupMappings' in value) return [{ kind: 'scimGroupMappings', input, value }];
  if ('ConfigJson' in value) return [{ kind: 'okta', value: readOktaPair(input, value) }];
  if (isOktaConfigJson(value)) return [{ kind: 'okta', value: readOktaConfigJson(input, value) }];
  if (isOktaAuthJson(value)) return [{ kind: 'oktaAuth', input, value }];
  if (isOktaConfigFragment(value)) return [{ kind: 'oktaFragment', input, value }];
  if (isDirectoryConnection(value)) return [{ kind: 'directory', value: readDirectoryConnection(input, value), update: false }];
  if (typeof value.type === 'string' && 'config' in value) {
    const connector = readProductConnector(input, value);
    return [connector.kind === 'directory' ? { kind: 'directory', value: connector.value, update: false } : (connector as Item)];
  }
  if (isDirectoryUpdate(value)) return [{ kind: 'directoryUpdate', input, value }];
  if (typeof value.type === 'string') {
    throw new ConvertError(input, 'InputShape', `${at ? `${at}: ` : ''}type "${value.type}" is not a shape imesh convert knows (connector types: ${PRODUCT_TYPES.join(', ')}; directory types: active_directory, ldap)`);
  }
  throw new ConvertError(input, 'InputShape', `${at ? `${at}: ` : ''}not a configuration shape imesh convert knows; ${SHAPES}`);
}

/** Applies update bodies (directory PUT, Okta AuthJson) to the one item of their kind they update. */
function applyUpdates(items: Item[]): Item[] {
  const out = items.filter((i) => i.kind !== 'directoryUpdate' && i.kind !== 'oktaAuth' && i.kind !== 'oktaFragment');
  for (const update of items) {
    if (update.kind !== 'directoryUpdate' && update.kind !== 'oktaAuth' && update.kind !== 'oktaFragment') continue;
    const kind = update.kind === 'directoryUpdate' ? 'directory' : 'okta';
    // Updates apply to the shapes they belong to: the directory-sync API's directory connections, the Okta runbook's ConfigJson.
    const candidates = out.filter((i) => (i.kind === 'directory' && kind === 'directory' && i.value.origin === 'directory-sync') || (i.kind === 'okta' && kind === 'okta' && i.value.origin === 'runbook'));
    const what = kind === 'directory' ? 'a directory connection (POST /api/v1/directories body)' : 'an Okta ConfigJson (with OrgDomain)';
    if (candidates.length !== 1) {
      throw new ConvertError(update.input, 'InputShape', `this update body applies to ${what} converted with it, and ${candidates.length === 0 ? 'there is none' : `there are ${candidates.length}`}; convert it together with exactly one`);
    }
    const index = out.indexOf(candidates[0]!);
    const target = candidates[0]!;
    if (update.kind === 'directoryUpdate' && target.kind === 'directory') out[index] = { ...target, value: applyDirectoryUpdate(target.value, update.input, update.value) };
    if (update.kind === 'oktaAuth' && target.kind === 'okta') out[index] = { ...target, value: applyOktaAuthJson(target.value, update.input, update.value) };
    if (update.kind === 'oktaFragment' && target.kind === 'okta') out[index] = { ...target, value: applyOktaConfigFragment(target.value, update.input, update.value) };
  }
  return out;
}

export async function convertFiles(paths: readonly string[]): Promise<ConvertResult> {
  if (paths.length === 0) throw new ConvertError('(none)', 'NoInput', 'give at least one input file');
  const inputs = [];
  for (const path of paths) inputs.push(await readInput(path));
  const items = applyUpdates(inputs.flatMap((input) => classify(input.path, input.value)));
  const repo = new ConvertedRepository();
  const synced: string[] = [];
  for (const item of items) {
    switch (item.kind) {
      case 'directory':
        convertDirectory(repo, item.value);
        if (item.value.origin === 'directory-sync') synced.push(item.value.input);
        break;
      case 'entra':
        convertEntra(repo, item.value);
        break;
      case 'okta':
        convertOkta(repo, item.value);
        break;
      case 'sql':
        convertSql(repo, item.value);
        break;
      case 'scimGroupMappings':
        convertScimGroupMappings(repo, item.input, item.value);
        break;
      default:
        break;
    }
  }
  if (synced.length > 0) addIthbatTarget(repo, synced.join(', '), repo.attributeNames('person'));
  if (!repo.hasMeshType('person')) repo.addAttribute('person', 'displayName');
  return { files: repo.render(), secrets: repo.secrets };
}
