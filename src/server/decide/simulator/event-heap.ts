/** A binary min-heap of timed events; ties keep insertion order so runs are deterministic. */
export interface EventHeap<T> {
  push(at: number, value: T): void;
  pop(): { at: number; value: T } | undefined;
  readonly size: number;
}

export function createEventHeap<T>(): EventHeap<T> {
  const items: { at: number; seq: number; value: T }[] = [];
  let seq = 0;
  const less = (i: number, j: number): boolean => {
    const a = items[i];
    const b = items[j];
    if (!a || !b) return false;
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  };
  const swap = (i: number, j: number): void => {
    const t = items[i];
    items[i] = items[j] as (typeof items)[number];
    items[j] = t as (typeof items)[number];
  };
  return {
    push(at, value) {
      items.push({ at, seq: seq++, value });
      let i = items.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!less(i, parent)) break;
        swap(i, parent);
        i = parent;
      }
    },
    pop() {
      const top = items[0];
      if (!top) return undefined;
      const last = items.pop();
      if (items.length > 0 && last) {
        items[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const rgt = l + 1;
          let m = i;
          if (l < items.length && less(l, m)) m = l;
          if (rgt < items.length && less(rgt, m)) m = rgt;
          if (m === i) break;
          swap(i, m);
          i = m;
        }
      }
      return { at: top.at, value: top.value };
    },
    get size() {
      return items.length;
    },
  };
}
