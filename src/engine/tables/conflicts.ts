/**
 * The `conflict` table: attribute conflicts, ambiguous joins and objects held back at import, plan or
 * export. A conflict is keyed by its kind, its subject and an attribute; the subject's text form and the
 * scope's (which run replaces it) are written here only, from the typed forms below.
 */
import type { Queryable } from '../../store/db.js';

export type ConflictKind = 'attribute' | 'ambiguousJoin' | 'heldBack';

/** What a conflict is about. */
export type ConflictSubject =
  /** A mesh object (attribute conflicts). */
  | { readonly on: 'mesh'; readonly meshId: string }
  /** A source object: ambiguous at join, or held back at import (an id the store cannot hold is given printable). */
  | { readonly on: 'source'; readonly connector: string; readonly objectType: string; readonly externalId: string }
  /** One projected item of a mesh object: held back or ambiguous at plan or export. */
  | { readonly on: 'projected'; readonly projection: string; readonly meshId: string; readonly item: string };

/** Where a conflict was found: the stage that reviews that scope again replaces its conflicts. */
export type ConflictScope =
  | { readonly in: 'mesh' }
  | { readonly in: 'flow'; readonly rule: string }
  | { readonly in: 'import'; readonly connector: string; readonly objectType: string }
  | { readonly in: 'projection'; readonly projection: string };

export interface NewConflict {
  readonly kind: ConflictKind;
  readonly subject: ConflictSubject;
  readonly scope: ConflictScope;
  /** The attribute in conflict; '' when the conflict is about the whole subject. */
  readonly attribute: string;
  readonly meshType: string;
  readonly details: unknown;
}

export interface StoredConflict {
  readonly kind: ConflictKind;
  readonly subject: string;
  readonly attribute: string;
  readonly meshType: string;
  readonly details: Record<string, unknown>;
  readonly firstSeen: Date | string;
}

export function subjectText(subject: ConflictSubject): string {
  switch (subject.on) {
    case 'mesh':
      return subject.meshId;
    case 'source':
      return `${subject.connector}/${subject.objectType}/${subject.externalId}`;
    case 'projected':
      return `${subject.projection}/${subject.meshId}/${subject.item}`;
  }
}

function scopeText(scope: ConflictScope): string {
  switch (scope.in) {
    case 'mesh':
      return 'mesh';
    case 'flow':
      return `flow:${scope.rule}`;
    case 'import':
      return `import:${scope.connector}/${scope.objectType}`;
    case 'projection':
      return `projection:${scope.projection}`;
  }
}

/** Records conflicts in one statement; one already recorded keeps its first sighting. */
export async function insertConflicts(q: Queryable, conflicts: readonly NewConflict[]): Promise<void> {
  if (conflicts.length === 0) return;
  const rows = conflicts.map((c) => ({ kind: c.kind, subject: subjectText(c.subject), attribute: c.attribute, mesh_type: c.meshType, scope: scopeText(c.scope), details: c.details }));
  await q.query(
    `INSERT INTO conflict (kind, subject, attribute, mesh_type, scope, details)
     SELECT x.kind, x.subject, x.attribute, x.mesh_type, x.scope, x.details
       FROM ${q.dialect.records('$1', { kind: 'text', subject: 'text', attribute: 'text', mesh_type: 'text', scope: 'text', details: 'jsonb' })} WHERE true
     ON CONFLICT (kind, subject, attribute) DO UPDATE SET details = EXCLUDED.details, scope = EXCLUDED.scope, last_seen = ${q.dialect.now}`,
    [JSON.stringify(rows)],
  );
}

/**
 * Forgets the conflicts of these kinds about these subjects (in `scope` only, when given); with no
 * subjects, every one of `scope`.
 */
export async function clearConflicts(q: Queryable, kinds: readonly ConflictKind[], where: { readonly scope?: ConflictScope; readonly subjects?: readonly ConflictSubject[] }): Promise<void> {
  const d = q.dialect;
  const { scope, subjects } = where;
  if (subjects !== undefined && subjects.length === 0) return;
  if (scope === undefined && subjects === undefined) throw new Error('clearConflicts needs a scope or subjects');
  // One kind (the sync and resolver's per-page case) is an equality, so the primary key is used as before.
  const conditions = [kinds.length === 1 ? 'kind = $1' : `kind ${d.in('$1')}`];
  const params: unknown[] = [kinds.length === 1 ? kinds[0] : kinds];
  if (scope !== undefined) {
    params.push(scopeText(scope));
    conditions.push(`scope = $${params.length}`);
  }
  if (subjects !== undefined) {
    params.push(subjects.map(subjectText));
    conditions.push(`subject ${d.in(`$${params.length}`)}`);
  }
  await q.query(`DELETE FROM conflict WHERE ${conditions.join(' AND ')}`, params);
}

/** Whether any conflict of these kinds is recorded in the scope (looked up by the scope's index). */
export async function anyConflicts(q: Queryable, kinds: readonly ConflictKind[], scope: ConflictScope): Promise<boolean> {
  const rows = await q.query(`SELECT 1 AS found FROM conflict WHERE scope = $1 AND kind ${q.dialect.in('$2')} LIMIT 1`, [scopeText(scope), kinds]);
  return rows.length > 0;
}

/** Which of these subjects' held-back conflicts an earlier run's gate accepted (`details.accepted`). */
export async function acceptedHeldBack(q: Queryable, subjects: readonly ConflictSubject[]): Promise<Set<string>> {
  if (subjects.length === 0) return new Set();
  const rows = await q.query<{ subject: string; details: { accepted?: boolean } }>(
    `SELECT subject, details FROM conflict WHERE kind = 'heldBack' AND subject ${q.dialect.in('$1')}`,
    [subjects.map(subjectText)],
  );
  return new Set(rows.filter((r) => r.details?.accepted === true).map((r) => r.subject));
}

/** Every conflict, by kind, subject and attribute. */
export async function loadConflicts(q: Queryable): Promise<StoredConflict[]> {
  const rows = await q.query<{ kind: ConflictKind; subject: string; attribute: string; mesh_type: string; details: Record<string, unknown>; first_seen: Date | string }>(
    'SELECT kind, subject, attribute, mesh_type, details, first_seen FROM conflict ORDER BY kind, subject, attribute',
  );
  return rows.map((row) => ({ kind: row.kind, subject: row.subject, attribute: row.attribute, meshType: row.mesh_type, details: row.details, firstSeen: row.first_seen }));
}
