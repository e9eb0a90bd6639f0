import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StringDecoder } from 'string_decoder';

/**
 * Objects kept on disk, one file per group (a kind's rank in a chart's file), and read back
 * group by group in ascending order, each group in the order its objects came: a chart built
 * one batch at a time comes out ordered by kind, as it would be if built at once, without ever
 * holding its objects. One JSON document per line (JSON escapes line breaks in strings).
 */
export class ObjectSpill<T> {
  private readonly dir: string;
  private readonly pending = new Map<number, string[]>();
  private readonly pendingBytes = new Map<number, number>();
  private readonly written = new Set<number>();

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-platform-spill-'));
  }

  /** Keeps `value` in `group`. */
  public add(group: number, value: T): void {
    const line = `${JSON.stringify(value)}\n`;
    const list = this.pending.get(group);
    if (list) list.push(line);
    else this.pending.set(group, [line]);
    const bytes = (this.pendingBytes.get(group) ?? 0) + line.length;
    this.pendingBytes.set(group, bytes);
    if (bytes >= FLUSH_BYTES) this.flush(group);
  }

  /** Every value, group by group in ascending order, each group in the order it was added. */
  public *values(): Generator<T> {
    for (const group of [...new Set([...this.written, ...this.pending.keys()])].sort((a, b) => a - b)) {
      this.flush(group);
      const fd = fs.openSync(this.file(group), 'r');
      try {
        const decoder = new StringDecoder('utf8');
        const buffer = Buffer.alloc(READ_BYTES);
        let rest = '';
        for (;;) {
          const n = fs.readSync(fd, buffer, 0, buffer.length, null);
          if (n === 0) break;
          const lines = (rest + decoder.write(buffer.subarray(0, n))).split('\n');
          rest = lines.pop()!;
          for (const line of lines) yield JSON.parse(line) as T;
        }
        rest += decoder.end();
        if (rest !== '') yield JSON.parse(rest) as T;
      } finally {
        fs.closeSync(fd);
      }
    }
  }

  /** Removes the files. */
  public dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private flush(group: number): void {
    const list = this.pending.get(group);
    if (!list || list.length === 0) return;
    fs.appendFileSync(this.file(group), list.join(''));
    this.written.add(group);
    this.pending.delete(group);
    this.pendingBytes.delete(group);
  }

  private file(group: number): string {
    return path.join(this.dir, `${group}.jsonl`);
  }
}

const FLUSH_BYTES = 1 << 18;
const READ_BYTES = 1 << 20;
