/** sql rows → staged objects: an isActiveColumn value that is not a boolean holds the row back (issue 14). */
import { describe, expect, it } from 'vitest';
import { rowMapping, toStagedObjects } from '../../../src/connectors/sql/sql-rows.js';
import type { SqlObjectTypeOptions } from '../../../src/connectors/sql/sql-spec.js';

const options = { name: 'user', key: 'id', columns: 'all', isActiveColumn: 'is_active', separator: ';', createTable: false, batchSize: 1000 } as unknown as SqlObjectTypeOptions;

describe('toStagedObjects', () => {
  it('reads booleans, 1/0 and yes/no; NULL and empty are no answer; anything else is rejected, never read as absent', () => {
    const page = { columns: ['id', 'is_active'], rows: [['A', true], ['B', 0], ['C', 'yes'], ['D', undefined], ['E', ' '], ['F', 'maybe'], ['G', 'aktiv']] };
    const mapping = rowMapping(options, page.columns);
    if (typeof mapping === 'string') throw new Error(mapping);
    const { objects, rejected } = toStagedObjects(options, page, mapping);
    expect(objects.map((o) => [o.externalId, o.enabled])).toEqual([['A', true], ['B', false], ['C', true], ['D', undefined], ['E', undefined]]);
    expect(rejected).toEqual([
      { externalId: 'F', reason: 'column is_active (isActiveColumn) holds "maybe", which is not a boolean (true/false, 1/0, yes/no)' },
      { externalId: 'G', reason: 'column is_active (isActiveColumn) holds "aktiv", which is not a boolean (true/false, 1/0, yes/no)' },
    ]);
  });
});
