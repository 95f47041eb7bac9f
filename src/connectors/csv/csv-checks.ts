/** Semantic checks of a `csv` Connector document, and of a Projection that writes one of its files. */
import { isAbsolute, relative, resolve } from 'node:path';
import type { CheckContext } from '../../config/check-context.js';
import { checkCsvFile } from '../../config/csv-file-checks.js';
import type { ConnectorDoc, ProjectionDoc } from '../../config/documents.js';
import type { ConnectorSpecOf } from '../../config/model.js';
import { checkSoftDelete } from '../../config/setting-checks.js';

export function checkCsvSpec(ctx: CheckContext, doc: ConnectorDoc, spec: ConnectorSpecOf<'csv'>): void {
  for (const [name, type] of Object.entries(spec.objectTypes)) {
    if (!type) continue;
    checkSoftDelete(ctx, doc, name, type.isActiveColumn, type.softDeleteColumn, type.softDeleteValue);
    if (typeof type.file === 'string') checkCsvFile(ctx, doc, name, type.file);
  }
}

/**
 * A csv target rewritten by the controller inside the config repository (the config path) would change
 * the revision it runs from, and dirty or conflict with the Git checkout it was read from.
 */
export function checkCsvTarget(ctx: CheckContext, projection: ProjectionDoc, connector: ConnectorDoc, spec: ConnectorSpecOf<'csv'>): void {
  const objectType = projection.value.spec.target.objectType;
  const file = spec.objectTypes[objectType]?.file;
  if (file === undefined) return;
  const absolute = resolve(ctx.configPath, file);
  const inside = relative(ctx.configPath, absolute);
  if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) {
    ctx.report(
      connector,
      ['spec', 'objectTypes', objectType, 'file'],
      `objectTypes.${objectType}.file "${file}" is inside the config repository, but projection "${projection.name}" writes it (${projection.file}:${projection.location.line}); put it outside the repository, under the working directory or a data root (--data-root DIR, IMESH_DATA_ROOTS)`,
    );
  }
}
