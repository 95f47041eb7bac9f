/**
 * The `rest` connector: a REST/JSON API described by configuration (README.md in this folder). Reads
 * each object type's list endpoint page by page (rest-pages.ts), maps items by JSON pointers
 * (rest-mapping.ts), reads changes since a watermark (rest-watermark.ts), and writes through configured
 * request templates (rest-export.ts). Deletions: items flagged by `deleted` import as deleted on every
 * read; items that disappear are swept by full imports (marked `complete`), as the Mesh's `schedule.full`
 * (weekly by default) runs them.
 */
import type { Logger } from '../../shared/logger.js';
import { ConnectorError, errorCode, errorMessage } from '../../shared/errors.js';
import { BatchBuffer } from '../http/batching.js';
import { mapConcurrent } from '../http/semaphore.js';
import type { CheckResult, ConnectorContext, ExportChange, ExportResult, IdentityConnector, ImportBatch, ObjectTypeCapabilities, StagedObject } from '../sdk.js';
import { readPointer } from './json-pointer.js';
import { RestApi, type RestApiOverrides } from './rest-api.js';
import { exportChanges } from './rest-export.js';
import { stagedObject } from './rest-mapping.js';
import { restPages, totalOf } from './rest-pages.js';
import { compileRestSpec, type RestOptions, type RestTypeOptions } from './rest-spec.js';
import { underBase } from './rest-url.js';
import { formatWatermark, lowerBound, newer, parseWatermark, watermarkValue, type WatermarkValue } from './rest-watermark.js';

export class RestConnector implements IdentityConnector {
  private readonly options: RestOptions;
  private readonly api: RestApi;
  private readonly log: Logger;
  /** Present when an object type configures `get`: the engine then confirms exports by key. */
  readonly readObjects?: (type: string, externalIds: readonly string[]) => AsyncIterable<ImportBatch>;

  constructor(context: ConnectorContext<'rest'>, overrides: RestApiOverrides = {}) {
    this.options = compileRestSpec(context.model, context.configPath);
    this.log = context.log;
    this.api = new RestApi(this.options, context.log, context.secrets, overrides);
    if ([...this.options.types.values()].some((t) => t.get !== undefined)) this.readObjects = (type, ids) => this.readByKey(this.declared(type), ids);
  }

  /** Requests, retries and 429s so far, and OAuth2 tokens fetched (benchmarks, tests). */
  stats(): ReturnType<RestApi['stats']> & { tokens: number } {
    return { ...this.api.stats(), tokens: this.api.tokensFetched };
  }

  capabilities(type: string): ObjectTypeCapabilities {
    const t = this.declared(type);
    const e = t.export;
    const canDisable = e.disable !== undefined || (t.enabled !== undefined && e.update !== undefined);
    return {
      delta: t.delta !== undefined,
      export: e.create !== undefined || e.update !== undefined || e.delete !== undefined || e.disable !== undefined,
      addressing: 'server-assigned',
      canDisable,
      inactiveMeansDeleted: false,
    };
  }

  async check(): Promise<CheckResult> {
    const started = Date.now();
    let latencyMs = 0;
    const objectTypes: Record<string, { count: number }> = {};
    const warnings: string[] = [];
    try {
      for (const type of this.options.types.values()) {
        const typeStarted = Date.now();
        if (type.count) {
          const response = await this.api.send<unknown>({ url: underBase(this.api.client, type.count.path.slice(1)).href });
          const count = totalOf(response.body, type.count.pointer);
          if (count === undefined) throw new ConnectorError(this.options.connector, 'MalformedResponse', `the count endpoint of ${type.name} (${type.count.path}) answered without a number at "${type.count.pointer.source}"`);
          objectTypes[type.name] = { count };
        } else {
          // The first page proves the list answers with items where list.items says; its total, if the API gives one, is the count.
          const first = await restPages(this.api, type, this.options.pageSize).next();
          const page = first.done ? undefined : first.value;
          const total = type.pagination.style === 'offset' || type.pagination.style === 'page' ? totalOf(page?.body, type.pagination.total) : undefined;
          const size = page?.items.length ?? 0;
          objectTypes[type.name] = { count: total ?? size };
          if (total === undefined && page && size > 0 && type.pagination.style !== 'none') warnings.push(`${type.name}: counted the first page only (${size}); give objectTypes.${type.name}.count for the total`);
        }
        if (latencyMs === 0) latencyMs = Date.now() - typeStarted;
      }
      return { ok: true, latencyMs, server: `REST ${this.api.client.baseUrl.host}`, objectTypes, ...(warnings.length > 0 ? { warnings } : {}) };
    } catch (error) {
      return { ok: false, latencyMs: latencyMs || Date.now() - started, objectTypes, error: { code: errorCode(error, 'CheckFailed'), message: errorMessage(error) } };
    }
  }

  fullImport(type: string): AsyncIterable<ImportBatch> {
    return this.read(this.declared(type), undefined);
  }

  deltaImport(type: string, watermark: string): AsyncIterable<ImportBatch> {
    const t = this.declared(type);
    if (!t.delta) return this.read(t, undefined);
    const since = parseWatermark(watermark);
    if (since === undefined) {
      this.log.warn({ event: 'watermark-unreadable', objectType: t.name, watermark }, `the ${t.name} watermark is not {"newest": …}; reading every ${t.name} instead`);
      return this.read(t, undefined);
    }
    return this.read(t, since);
  }

  async export(type: string, changes: readonly ExportChange[]): Promise<ExportResult[]> {
    const t = this.declared(type);
    if (changes.length === 0) return [];
    return exportChanges(this.api, this.options, t, changes);
  }

  async close(): Promise<void> {
    await this.api.close();
  }

  private declared(type: string): RestTypeOptions {
    const t = this.options.types.get(type);
    if (t) return t;
    throw new ConnectorError(this.options.connector, 'UnknownObjectType', `object type "${type}" is not declared under spec.objectTypes (declared: ${[...this.options.types.keys()].join(', ')})`);
  }

  /** The objects with these ids that exist: one GET each where `get` is configured, else the list filtered. */
  private async *readByKey(type: RestTypeOptions, externalIds: readonly string[]): AsyncGenerator<ImportBatch> {
    const buffer = new BatchBuffer();
    const get = type.get;
    if (!get) {
      const wanted = new Set(externalIds);
      for await (const batch of this.read(type, undefined)) yield* buffer.add(batch.objects.filter((o) => wanted.has(o.externalId)));
      yield buffer.finish({});
      return;
    }
    const fetchOne = async (externalId: string): Promise<StagedObject | undefined> => {
      const rendered = get.path.render((name) => (name === 'externalId' ? externalId : undefined));
      if (!rendered.ok) return undefined; // an id that cannot fill a path (".."): no such object
      const response = await this.api.send<unknown>({ url: underBase(this.api.client, rendered.path).href, accept: [404, 410] });
      if (response.status === 404 || response.status === 410) return undefined;
      return stagedObject(readPointer(response.body, get.item), type);
    };
    for await (const object of mapConcurrent(externalIds, this.options.concurrency, fetchOne)) {
      if (object) yield* buffer.add([object]);
    }
    yield buffer.finish({});
  }

  /** Every item (since === undefined: complete, so the engine sweeps what is gone) or the changes since a watermark. */
  private async *read(type: RestTypeOptions, since: WatermarkValue | undefined): AsyncGenerator<ImportBatch> {
    const started = Date.now();
    const buffer = new BatchBuffer();
    const extra = since !== undefined && type.delta ? { [type.delta.param]: lowerBound(since, type.delta.overlapMs) } : {};
    let newest: WatermarkValue | undefined = since;
    let pages = 0;
    let read = 0;
    let deleted = 0;
    let skipped = 0;
    for await (const page of restPages(this.api, type, this.options.pageSize, extra)) {
      pages++;
      const objects: StagedObject[] = [];
      for (const item of page.items) {
        const object = stagedObject(item, type);
        if (!object) {
          skipped++;
          continue;
        }
        if (type.delta) newest = newer(newest, watermarkValue(readPointer(item, type.delta.watermark)));
        if (object.deleted) deleted++;
        objects.push(object);
      }
      read += objects.length;
      yield* buffer.add(objects);
    }
    if (skipped > 0) {
      this.log.warn({ event: 'rest-items-skipped', objectType: type.name, count: skipped }, `${skipped} ${type.name} items had no id at "${type.externalId.source}" and were skipped`);
    }
    if (type.delta && newest === undefined && read > 0) {
      this.log.warn({ event: 'rest-no-watermark', objectType: type.name }, `no ${type.name} item had a value at "${type.delta.watermark.source}"; the next import reads everything again`);
    }
    const watermark = newest !== undefined ? formatWatermark(newest) : undefined;
    const mode = since === undefined ? 'full' : 'delta';
    this.log.info({ event: 'rest-import', objectType: type.name, mode, pages, read, deleted, skipped, ...(since !== undefined ? { since } : {}), ms: Date.now() - started }, `read ${read} ${type.name} objects in ${pages} pages (${mode})`);
    yield buffer.finish({ ...(watermark !== undefined ? { watermark } : {}), complete: since === undefined });
  }
}

export function createRestConnector(context: ConnectorContext<'rest'>, overrides: RestApiOverrides = {}): IdentityConnector {
  return new RestConnector(context, overrides);
}
