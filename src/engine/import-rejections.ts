/**
 * Objects an import could not take as they are: the connector rejected them (an unparseable boolean in
 * an active column) or they hold a NUL character, which the store's JSON cannot keep. Each is held back
 * on its own — the rest of the source imports, the object keeps what was staged for it before (so it is
 * neither changed nor swept as deleted), and it is reported as a `heldBack` conflict naming the
 * connector, object type and external id, with the reason (file, line and column where the connector
 * knows them).
 */
import type { RejectedObject, StagedObject } from '../connectors/sdk.js';
import type { Queryable } from '../store/db.js';
import type { CycleContext } from './context.js';
import { clearConflicts, insertConflicts, type ConflictScope, type ConflictSubject } from './tables/conflicts.js';

/** `text` with NUL and other control characters written as \uXXXX, for subjects and messages. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Why `object` cannot be staged (a NUL character somewhere), or undefined. */
export function nulProblem(object: StagedObject): string | undefined {
  if (object.externalId.includes('\0')) return 'the external id contains a NUL character (U+0000), which the store cannot hold';
  if (object.dn?.includes('\0')) return 'the DN contains a NUL character (U+0000), which the store cannot hold';
  for (const [name, value] of Object.entries(object.attributes)) {
    const values = Array.isArray(value) ? value : [value];
    if (name.includes('\0') || values.some((item) => typeof item === 'string' && item.includes('\0'))) {
      return `attribute ${printable(name)} contains a NUL character (U+0000), which the store cannot hold`;
    }
  }
  return undefined;
}

/**
 * Replaces this import's held-back conflicts: a complete read clears every earlier one of the object
 * type (the objects read fine now, or are gone); a delta read clears those of the objects it read.
 */
export async function recordRejections(ctx: CycleContext, q: Queryable, connector: string, objectType: string, rejected: readonly RejectedObject[], read: readonly string[], complete: boolean): Promise<void> {
  const scope: ConflictScope = { in: 'import', connector, objectType };
  if (complete) await clearConflicts(q, ['heldBack'], { scope });
  else if (read.length > 0) await clearConflicts(q, ['heldBack'], { scope, subjects: read.map((id) => subject(connector, objectType, id)) });
  if (rejected.length === 0) return;
  const meshType = ctx.config.flowRules.find((rule) => rule.source.connector === connector && rule.source.objectType === objectType)?.meshType ?? objectType;
  await insertConflicts(
    q,
    rejected.map((r) => ({
      kind: 'heldBack',
      subject: subject(connector, objectType, r.externalId),
      attribute: '',
      meshType,
      scope,
      details: { reason: `${connector}/${objectType} ${printable(r.externalId)}: ${printable(r.reason)}; the object is held back (its previous state is kept) until the source is fixed`, object: `${connector}/${objectType}/${printable(r.externalId)}` },
    })),
  );
  for (const r of rejected) ctx.log.warn({ event: 'import-held-back', connector, objectType, externalId: printable(r.externalId), reason: printable(r.reason) }, 'object held back at import');
}

function subject(connector: string, objectType: string, externalId: string): ConflictSubject {
  return { on: 'source', connector, objectType, externalId: printable(externalId) };
}
