/**
 * A projection plan's changes. A preview (`imesh plan`) lists them all in memory, since its report lists
 * them all. A reconcile run keeps only their counts in memory: the planner hands them over a page at a
 * time and they go to a private scratch file of the cycle, one chunk per page and operation, so the
 * gates, the policies and the export read them back a page at a time (only the operations each needs)
 * and a cycle's memory is bounded by its page size, not by the size of the directory.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExportChange, ExportOp } from '../connectors/sdk.js';
import type { DesiredObject } from './projector.js';
import type { TargetLink } from './tables/target-links.js';

export interface PlannedChange {
  readonly projection: string;
  readonly meshId: string;
  readonly item: string;
  readonly change: ExportChange;
  /** Label for reports: DN, key or external id. */
  readonly object: string;
  /** The object is no longer projected (its removal: a delete or a disable by `onRemove`). */
  readonly removal?: true;
  /** Reference attributes whose referenced mesh objects are not projected to the target: their mesh ids. */
  readonly unresolved?: DesiredObject['unresolved'];
  readonly link?: TargetLink;
  /** The fingerprint of all the object's changes (export-attempts.ts), when it has more than one. */
  readonly fingerprint?: string;
}

/** Export order: moves before updates, so an update addresses the object where it now lives. */
export const OP_ORDER: readonly ExportOp[] = ['create', 'move', 'update', 'enable', 'disable', 'delete'];

const objectKey = (c: { meshId: string; item: string }): string => `${c.meshId}\u0000${c.item}`;

interface Chunk {
  readonly offset: number;
  readonly length: number;
  readonly iv: Buffer;
  readonly tag: Buffer;
  /** Its JSON is ASCII alone: its UTF-8 is its Latin-1, which is cheaper to write and read. */
  readonly ascii: boolean;
}

const CIPHER = 'aes-256-gcm';

/** One page's chunks, and its changes' operations in plan order (one OP_ORDER index each). */
interface Page {
  readonly chunks: Map<ExportOp, Chunk>;
  readonly order: Uint8Array;
}

export class PlannedChanges {
  private readonly listed: PlannedChange[] | undefined;
  private file: { readonly fd: number; end: number } | undefined;
  /** The scratch file's key: this object's alone, never written anywhere. */
  private readonly key = randomBytes(32);
  private readonly written: Page[] = [];
  private readonly counts = new Map<ExportOp, number>(OP_ORDER.map((op) => [op, 0]));
  /** Objects (meshId, item) whose changes are withheld after planning (a Policy invariant's hold). */
  private readonly withheld = new Set<string>();

  /** `spill`: keep the changes in a scratch file (a reconcile run), not in memory (a preview). */
  constructor(spill: boolean) {
    this.listed = spill ? undefined : [];
  }

  /** Changes not withheld. */
  get size(): number {
    let n = 0;
    for (const count of this.counts.values()) n += count;
    return n;
  }

  count(op: ExportOp): number {
    return this.counts.get(op) ?? 0;
  }

  /** One page of the plan's changes, in plan order. */
  add(page: readonly PlannedChange[]): void {
    if (page.length === 0) return;
    for (const change of page) this.counts.set(change.change.op, this.count(change.change.op) + 1);
    if (this.listed) {
      this.listed.push(...page);
      return;
    }
    const byOp = new Map<ExportOp, PlannedChange[]>();
    for (const change of page) {
      const list = byOp.get(change.change.op);
      if (list) list.push(change);
      else byOp.set(change.change.op, [change]);
    }
    const file = this.open();
    const chunks = new Map<ExportOp, Chunk>();
    for (const [op, changes] of byOp) {
      const iv = randomBytes(12);
      const cipher = createCipheriv(CIPHER, this.key, iv);
      const json = JSON.stringify(changes);
      // One byte a character: no character outside ASCII, so Latin-1 writes the same bytes as UTF-8.
      const ascii = Buffer.byteLength(json, 'utf8') === json.length;
      const bytes = sealed(cipher.update(json, ascii ? 'latin1' : 'utf8'), cipher.final());
      let written = 0;
      while (written < bytes.length) written += writeSync(file.fd, bytes, written, bytes.length - written, file.end + written);
      chunks.set(op, { offset: file.end, length: bytes.length, iv, tag: cipher.getAuthTag(), ascii });
      file.end += bytes.length;
    }
    this.written.push({ chunks, order: Uint8Array.from(page, (c) => OP_ORDER.indexOf(c.change.op)) });
  }

  /**
   * The changes of these operations (default: all), a page at a time, withheld ones left out: in export
   * order (operation, then plan order), or in plan order (the order the objects were planned in).
   */
  async *pages(ops: readonly ExportOp[] = OP_ORDER, order: 'export' | 'plan' = 'export'): AsyncGenerator<PlannedChange[]> {
    const wanted = OP_ORDER.filter((op) => ops.includes(op));
    if (this.listed) {
      const groups = order === 'plan' ? [wanted] : wanted.map((op) => [op]);
      for (const group of groups) {
        const changes = this.listed.filter((c) => group.includes(c.change.op) && !this.isWithheld(c));
        if (changes.length > 0) yield changes;
      }
      return;
    }
    if (order === 'export') {
      for (const op of wanted) {
        for (const page of this.written) {
          const chunk = page.chunks.get(op);
          const changes = chunk ? this.read(chunk).filter((c) => !this.isWithheld(c)) : [];
          if (changes.length > 0) yield changes;
        }
      }
      return;
    }
    for (const page of this.written) {
      const byOp = wanted.map((op) => {
        const chunk = page.chunks.get(op);
        return chunk ? this.read(chunk) : [];
      });
      const next = wanted.map(() => 0);
      const changes: PlannedChange[] = [];
      for (const index of page.order) {
        const at = wanted.indexOf(OP_ORDER[index]!);
        if (at === -1) continue;
        const change = byOp[at]![next[at]!++]!;
        if (!this.isWithheld(change)) changes.push(change);
      }
      if (changes.length > 0) yield changes;
    }
  }

  /** Every change, in plan order: a preview's list (its report lists them all). */
  list(): readonly PlannedChange[] {
    if (!this.listed) throw new Error('a reconcile run keeps its planned changes out of memory: read them with pages()');
    return this.listed.filter((c) => !this.isWithheld(c));
  }

  /** Withholds every change of these objects (meshId, item) from what is read and counted from now on. */
  async withhold(objects: readonly { meshId: string; item: string }[]): Promise<void> {
    const fresh = new Set(objects.map(objectKey).filter((key) => !this.withheld.has(key)));
    if (fresh.size === 0) return;
    for await (const page of this.pages()) {
      for (const change of page) if (fresh.has(objectKey(change))) this.counts.set(change.change.op, this.count(change.change.op) - 1);
    }
    for (const key of fresh) this.withheld.add(key);
  }

  /** Removes the scratch file; the plan's changes are not read again. */
  discard(): void {
    if (!this.file) return;
    closeSync(this.file.fd);
    this.file = undefined;
    this.written.length = 0;
  }

  private isWithheld(change: PlannedChange): boolean {
    return this.withheld.size > 0 && this.withheld.has(objectKey(change));
  }

  /**
   * Planned values are the directory's data, so the file is no new place to find them: it is removed
   * as soon as it is open (only this process's descriptor reaches it, and a killed process leaves
   * nothing behind), and what is written to it is encrypted with a key only this object holds.
   */
  private open(): { readonly fd: number; end: number } {
    if (!this.file) {
      const dir = mkdtempSync(join(tmpdir(), 'imesh-plan-'));
      try {
        this.file = { fd: openSync(join(dir, 'changes'), 'w+', 0o600), end: 0 };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return this.file;
  }

  private read(chunk: Chunk): PlannedChange[] {
    if (!this.file) throw new Error('the planned changes were discarded');
    const bytes = Buffer.allocUnsafe(chunk.length);
    let done = 0;
    while (done < chunk.length) {
      const n = readSync(this.file.fd, bytes, done, chunk.length - done, chunk.offset + done);
      if (n === 0) throw new Error('the planned changes file ended early');
      done += n;
    }
    const decipher = createDecipheriv(CIPHER, this.key, chunk.iv).setAuthTag(chunk.tag);
    // final() checks the tag: nothing is parsed before the whole chunk is authenticated.
    const plain = sealed(decipher.update(bytes), decipher.final());
    return JSON.parse(plain.toString(chunk.ascii ? 'latin1' : 'utf8')) as PlannedChange[];
  }
}

/** A cipher's output: GCM is a stream mode, so `final()` adds nothing and the output is not copied again. */
function sealed(body: Buffer, tail: Buffer): Buffer {
  return tail.length === 0 ? body : Buffer.concat([body, tail]);
}
