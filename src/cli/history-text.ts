/** `imesh history` as text: each attribute's values in order, then the exports to target objects. */
import { HISTORY_OFF, type History } from '../engine/history.js';
import type { ExportHistoryEntry } from '../engine/tables/export-history.js';
import type { ValueHistoryEntry } from '../engine/tables/value-history.js';

const show = (value: unknown): string => JSON.stringify(value);

/** A Git commit as `git log --oneline` shows it; a content hash (config outside Git) likewise shortened. */
function revisionLabel(revision: string | null): string {
  if (revision === null) return 'no revision';
  return `revision ${/^[0-9a-f]{40,64}$/.test(revision) ? revision.slice(0, 12) : revision}`;
}

function valueLine(entry: ValueHistoryEntry): string {
  const value = entry.withheld ? '(value withheld: a secret is never history)' : entry.value === null ? '(no value)' : show(entry.value);
  const source = entry.connector === null ? 'no source contributes one' : `from ${entry.connector}/${entry.externalId} via ${entry.rule} at confidence ${entry.confidence}`;
  return `  ${entry.at}  ${value}  ${source} (${revisionLabel(entry.revision)}, run ${entry.run})`;
}

function exportLine(entry: ExportHistoryEntry): string {
  // A create keeps no values: it wrote the mesh values of its run.
  const written = entry.attributes === null && entry.op === 'create' ? [`the mesh values of run ${entry.run}`] : Object.entries(entry.attributes ?? {}).map(([name, value]) => `${name}=${show(value)}`);
  const result = entry.result === 'ok' ? 'ok' : `${entry.result}${entry.error ? `: ${entry.error}` : ''}`;
  return `  ${entry.at}  ${entry.op} ${entry.connector}/${entry.objectType} ${entry.object}${entry.item ? ` item ${entry.item}` : ''} (${entry.projection})${written.length > 0 ? ` ${written.join(', ')}` : ''} → ${result} (${revisionLabel(entry.revision)}, run ${entry.run})`;
}

export function renderHistory(h: History): string {
  const key = Object.values(h.keys).find((v): v is string | number => typeof v === 'string' || typeof v === 'number');
  const lines = [`${h.type}/${key ?? h.id}${key !== undefined ? ` (mesh id ${h.id})` : ''}${h.deleted ? ' (deleted)' : ''}${h.attribute ? ` ${h.attribute}` : ''}`, h.retain === HISTORY_OFF ? 'history is off (Mesh.spec.history.retain: 0s)' : `history kept for ${h.retain}`];
  if (h.values.length === 0 && h.exports.length === 0) {
    lines.push('', h.attribute ? `no recorded changes of ${h.attribute}` : 'no recorded changes');
    return lines.join('\n') + '\n';
  }
  const byAttribute = new Map<string, ValueHistoryEntry[]>();
  for (const entry of h.values) byAttribute.set(entry.attribute, [...(byAttribute.get(entry.attribute) ?? []), entry]);
  for (const name of [...byAttribute.keys()].sort()) lines.push('', name, ...byAttribute.get(name)!.map(valueLine));
  if (h.exports.length > 0) lines.push('', 'exports:', ...h.exports.map(exportLine));
  return lines.join('\n') + '\n';
}
