/**
 * A small kustomize renderer for the tests (no kubectl or kustomize binary here): `resources` (files and
 * directories with a kustomization.yaml) and `patches` given by `path` as strategic-merge patches, which
 * is all deploy/kubernetes uses — a kustomization using anything else is refused, so nothing is silently
 * skipped. Strategic merge as Kubernetes does it for what the manifests hold: maps merge, `null`
 * deletes a key, lists of objects merge by their merge key (`name`; `mountPath` for volumeMounts,
 * `containerPort` for ports), other lists are replaced, and `$patch: delete` removes a list item or,
 * at the top of a patch, the whole resource.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; [k: string]: unknown }; [key: string]: unknown };
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'patches']);
const MERGE_KEYS: Readonly<Record<string, string>> = { volumeMounts: 'mountPath', ports: 'containerPort' };

export function readYaml(path: string): Manifest[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  for (const doc of docs) if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]!.message}`);
  return docs.map((d) => d.toJS() as Manifest).filter((m) => m !== null);
}

function isMap(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeList(field: string, base: Json[], patch: Json[]): Json[] {
  const key = MERGE_KEYS[field] ?? 'name';
  if (!patch.every((item) => isMap(item) && item[key] !== undefined) || !base.every((item) => isMap(item))) return patch;
  const out: Json[] = [...base];
  for (const item of patch as { [k: string]: Json }[]) {
    const at = out.findIndex((b) => (b as { [k: string]: Json })[key] === item[key]);
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) out[at] = merge(out[at]!, item, field);
    else out.push(item);
  }
  return out;
}

function merge(base: Json, patch: Json, field = ''): Json {
  if (Array.isArray(base) && Array.isArray(patch)) return mergeList(field, base, patch);
  if (!isMap(base) || !isMap(patch)) return patch;
  const out: { [key: string]: Json } = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = key in out ? merge(out[key]!, value, key) : value;
  }
  return out;
}

/** The manifests `kustomize build DIR` would print (for the subset above). */
export function render(dir: string): Manifest[] {
  const file = join(dir, 'kustomization.yaml');
  const [k] = readYaml(file) as unknown as [{ resources?: string[]; patches?: { path?: string; [key: string]: unknown }[] }];
  const unknown = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unknown.length > 0) throw new Error(`${file}: the test renderer does not support ${unknown.join(', ')}`);
  let out: Manifest[] = [];
  for (const resource of k.resources ?? []) {
    const path = resolve(dir, resource);
    out.push(...(existsSync(join(path, 'kustomization.yaml')) ? render(path) : readYaml(path)));
  }
  for (const patch of k.patches ?? []) {
    if (Object.keys(patch).some((key) => key !== 'path')) throw new Error(`${file}: only patches given by path are supported`);
    for (const p of readYaml(resolve(dir, patch.path!))) {
      const at = out.findIndex((m) => m.kind === p.kind && m.metadata.name === p.metadata.name);
      if (at < 0) throw new Error(`${patch.path}: no ${p.kind}/${p.metadata.name} to patch`);
      if ((p as { $patch?: string }).$patch === 'delete') out = out.filter((_, i) => i !== at);
      else out[at] = merge(out[at] as unknown as Json, p as unknown as Json) as unknown as Manifest;
    }
  }
  return out;
}
