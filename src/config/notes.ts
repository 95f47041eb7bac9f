/**
 * Notes: what `imesh validate` says about a valid config that is worth knowing but is not a problem
 * (CI turns problems into errors, so notes are kept apart from them).
 */
import type { CompiledConfig } from './model.js';

export interface Note {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** A declared object type that no flow rule reads and no projection writes: it is imported all the same. */
export function declaredTypeNotes(config: CompiledConfig): Note[] {
  const used = new Set<string>();
  for (const rule of config.flowRules) used.add(`${rule.source.connector}\u0000${rule.source.objectType}`);
  for (const projection of config.projections) used.add(`${projection.target.connector}\u0000${projection.target.objectType}`);
  const notes: Note[] = [];
  for (const [name, model] of config.connectors) {
    for (const type of model.objectTypes) {
      if (used.has(`${name}\u0000${type}`)) continue;
      notes.push({
        ...model.location,
        message: `${name}/${type} is declared but no flow rule reads it and no projection writes it; it is imported (and counted by status) all the same, so a rule added later needs no full re-import — remove it from spec.objectTypes to stop reading it`,
      });
    }
  }
  return notes;
}
