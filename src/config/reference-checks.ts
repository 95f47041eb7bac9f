/**
 * Checks that names used in one document resolve: connectors and their object types, mesh types and
 * their attributes, and the attributes templates read.
 */
import type { CheckContext } from './check-context.js';
import type { ConfigDocument, ConnectorDoc } from './documents.js';
import type { CompiledTemplate } from './model.js';
import { formatPath, type PathSegment } from './positions.js';
import { secretNames } from './secrets.js';
import { didYouMean } from './suggest.js';
import { compileTemplate, TemplateSyntaxError } from './template.js';

/** The connector named by `{ connector, objectType }` at `path`, when both resolve. */
export function resolveObjectRef(
  ctx: CheckContext,
  doc: ConfigDocument,
  path: readonly PathSegment[],
  ref: { connector: string; objectType: string },
): ConnectorDoc | undefined {
  const connector = ctx.connectors.get(ref.connector);
  if (!connector) {
    if (!ctx.isInvalid('Connector', ref.connector)) {
      ctx.report(doc, [...path, 'connector'], `unknown connector "${ref.connector}"${didYouMean(ref.connector, ctx.connectors.keys())}${known('connectors', ctx.connectors.keys())}`);
    }
    return undefined;
  }
  const types = Object.keys(connector.value.spec.objectTypes);
  if (!types.includes(ref.objectType)) {
    ctx.report(
      doc,
      [...path, 'objectType'],
      `connector "${ref.connector}" has no object type "${ref.objectType}"${didYouMean(ref.objectType, types)}; it declares ${types.map((t) => `"${t}"`).join(', ')} (${connector.file}:${connector.location.line})`,
    );
    return undefined;
  }
  return connector;
}

/** Reports an unknown mesh type; true when it exists (or cannot be checked because the Mesh is invalid). */
export function checkMeshType(ctx: CheckContext, doc: ConfigDocument, path: readonly PathSegment[], name: string): boolean {
  if (!ctx.mesh) return false;
  if (ctx.meshType(name)) return true;
  const types = Object.keys(ctx.mesh.value.spec.objectTypes);
  ctx.report(doc, path, `unknown mesh type "${name}"${didYouMean(name, types)}${known('mesh types', types)}`);
  return false;
}

/** Reports an unknown attribute of a mesh type; true when it exists. */
export function checkMeshAttribute(ctx: CheckContext, doc: ConfigDocument, path: readonly PathSegment[], type: string, attribute: string): boolean {
  if (ctx.meshAttribute(type, attribute)) return true;
  const names = Object.keys(ctx.meshType(type)?.attributes ?? {});
  ctx.report(doc, path, `unknown attribute "${attribute}" of mesh type "${type}"${didYouMean(attribute, names)}`);
  return false;
}

export interface TemplateCheck {
  /** The names a template may read; undefined when any name goes (source attributes). */
  readonly allowed?: ReadonlySet<string>;
  /** For messages: whose attributes, e.g. `mesh type "person"`. */
  readonly owner: string;
  /** Secret references are refused here (they would end up in a target or the mesh in clear). */
  readonly noSecrets?: boolean;
  /** `{{item.FIELD}}` reads a field of a structured forEach value (structured-value.ts). */
  readonly itemFields?: boolean;
}

export function checkTemplate(ctx: CheckContext, doc: ConfigDocument, path: readonly PathSegment[], source: string, check: TemplateCheck): CompiledTemplate | undefined {
  let template: CompiledTemplate;
  try {
    template = compileTemplate(source);
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
    ctx.report(doc, path, `${formatPath(path.slice(1))}: ${error.message}`);
    return undefined;
  }
  if (check.noSecrets && secretNames(source).length > 0) {
    ctx.report(doc, path, `${formatPath(path.slice(1))} holds a secret reference; secrets belong only in connection settings and password.initial, never in values that are written or shown`);
  }
  if (check.allowed) {
    for (const name of template.attributes) {
      if (!check.allowed.has(name) && !(check.itemFields && /^item\.[A-Za-z_][A-Za-z0-9_]*$/.test(name))) {
        ctx.report(doc, path, `template "${source}" names unknown attribute "${name}" of ${check.owner}${didYouMean(name, check.allowed)}`);
      }
    }
  }
  return template;
}

function known(what: string, names: Iterable<string>): string {
  const list = [...names];
  return list.length === 0 ? `; no ${what} are defined` : `; known ${what}: ${list.map((n) => `"${n}"`).join(', ')}`;
}
