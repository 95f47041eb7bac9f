/** Seed 000's Microsoft Entra ID connector (`tenantId`, `clientId`, `clientSecret`, `scopes`, `attributeMapping`). */
import { groupFlowRule, userFlowRule, type AttributeMapping } from './flow-rules.js';
import type { ConvertedRepository } from './repository.js';
import { secretField } from './secret-fields.js';
import { entry, list, map, note, type YamlEntry } from './yaml-writer.js';

export interface EntraInput {
  readonly input: string;
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly mapping: Readonly<Record<string, string>>;
  readonly notes: readonly YamlEntry[];
}

export function convertEntra(repo: ConvertedRepository, e: EntraInput): void {
  const name = repo.uniqueName(e.name);
  const { config } = e;
  const secret = secretField(repo, config.clientSecret, `${name}-client-secret`, 'the app registration\'s client secret');
  const select = [...new Set(['id', ...Object.values(e.mapping), 'accountEnabled'])];
  const notes: YamlEntry[] = [...e.notes];
  if (Array.isArray(config.scopes)) {
    notes.push(
      note(
        `scopes (${config.scopes.map(String).join(', ')}): no equivalent. These are application permissions granted`,
        'to the app registration (with admin consent); the connector asks Graph for https://graph.microsoft.com/.default.',
      ),
    );
  }
  const spec = map([
    entry('type', 'entra-id'),
    entry(
      'connection',
      map([
        entry('tenantId', String(config.tenantId ?? '00000000-0000-0000-0000-000000000000'), ...(config.tenantId ? [] : ['CHANGE: the input gave no tenantId.'])),
        entry('clientId', String(config.clientId ?? '00000000-0000-0000-0000-000000000000'), ...(config.clientId ? [] : ['CHANGE: the input gave no clientId.'])),
        entry('clientSecret', secret.value, ...secret.comment),
      ]),
    ),
    entry('objectTypes', map([entry('user', map([entry('select', list(select, true))], true)), entry('group', map([]))])),
    ...notes,
  ]);
  repo.add(name, e.input, { kind: 'Connector', name, spec });
  const target = { repo, file: name, input: e.input, connector: name };
  const flows: AttributeMapping[] = Object.entries(e.mapping).map(([mesh, source]) => ({ mesh, source }));
  flows.push({ mesh: 'active', source: 'accountEnabled', type: 'boolean' });
  userFlowRule(target, 'user', flows);
  groupFlowRule(target, 'group', { name: 'displayName', description: 'description', members: 'members' });
}
