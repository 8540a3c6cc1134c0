/**
 * The simulated host's agenda: things due at a log time (microseconds), run in time order.
 * Ties run in the order they were scheduled, so a run is reproducible.
 */

/** A session written as a generator: it writes lines, then yields the pause (µs) before its next step. */
export type Script = Generator<number, void, void>;

export interface Agendum {
  t: number;
  seq: number;
  /** the traffic kind the lines written by this step are charged to (rate control) */
  kind: number;
  script: Script | null;
  fn: (() => void) | null;
}

export class Agenda {
  private readonly heap: Agendum[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** time of the next item, or Infinity */
  peekTime(): number {
    return this.heap.length > 0 ? this.heap[0]!.t : Infinity;
  }

  add(t: number, kind: number, script: Script | null, fn: (() => void) | null): void {
    this.insert({ t, seq: this.seq++, kind, script, fn });
  }

  /** put a popped item back for a later time (a script's next step), without allocating */
  readd(item: Agendum, t: number): void {
    item.t = t;
    item.seq = this.seq++;
    this.insert(item);
  }

  private insert(item: Agendum): void {
    const t = item.t;
    const h = this.heap;
    let i = h.length;
    h.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (parent.t < t || (parent.t === t && parent.seq < item.seq)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = item;
  }

  pop(): Agendum | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    const n = h.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let child = h[l]!;
      if (r < n) {
        const right = h[r]!;
        if (right.t < child.t || (right.t === child.t && right.seq < child.seq)) {
          c = r;
          child = right;
        }
      }
      if (last.t < child.t || (last.t === child.t && last.seq < child.seq)) break;
      h[i] = child;
      i = c;
    }
    h[i] = last;
    return top;
  }
}
