/**
 * The values an export change writes, as export history keeps them: an update's new values (null:
 * cleared; a list's added and removed items), a move's new DN, an enable's or disable's state. A
 * create keeps none: it writes the mesh values of its run, which the value history holds, and a first
 * cycle would otherwise write every value a second time. The initial password is never kept; a value
 * withheld from history reads `(withheld)`.
 */
import type { Value } from '../config/model.js';
import type { ExportChange } from '../connectors/sdk.js';
import { withheldFromHistory } from './history-secrets.js';
import type { ExportedValue, ExportedValues } from './tables/export-history.js';

export const WITHHELD = '(withheld)';

export function exportedValues(change: ExportChange): ExportedValues | null {
  const out: Record<string, ExportedValue> = {};
  const put = (name: string, value: ExportedValue) => {
    const plain: Value | null = value !== null && typeof value === 'object' && 'add' in value ? [...value.add, ...value.remove] : value;
    out[name] = plain !== null && withheldFromHistory(name, plain) ? WITHHELD : value;
  };
  switch (change.op) {
    case 'create':
      return null;
    case 'update':
      for (const [name, value] of Object.entries(change.attributes)) {
        if (value.to !== undefined || (value.add === undefined && value.remove === undefined)) put(name, value.to ?? null);
        else put(name, { add: value.add ?? [], remove: value.remove ?? [] });
      }
      return out;
    case 'move':
      return { dn: change.newDn };
    case 'enable':
    case 'disable':
      return { enabled: change.op === 'enable' };
    case 'delete':
      return null;
  }
}
