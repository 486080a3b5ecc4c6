/**
 * The numbering of world items (wire.ts) on each side: one table per process (the run's on the
 * coordinator, so a level's worlds are kept as tuples of these numbers, a few bytes per node, not
 * a world object), and per peer a view of it that sends each item's text to that peer once.
 */
export class ItemTable {
  private readonly ids = new Map<string, number>();
  readonly texts: string[] = [];

  intern(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.ids.set(text, id);
      this.texts.push(text);
    }
    return id;
  }

  text(id: number): string {
    return this.texts[id]!;
  }
}

/** The table's items as one peer knows them: its own numbers, given in order as items are first sent. */
export class ItemsToPeer {
  private map = new Int32Array(1024).fill(-1);
  private next = 0;
  private fresh: string[] = [];
  private first = 0;

  constructor(private readonly table: ItemTable) {}

  id(global: number): number {
    if (global >= this.map.length) {
      const bigger = new Int32Array(Math.max(this.map.length * 2, global + 1)).fill(-1);
      bigger.set(this.map);
      this.map = bigger;
    }
    let id = this.map[global]!;
    if (id < 0) {
      id = this.next++;
      this.map[global] = id;
      this.fresh.push(this.table.text(global));
    }
    return id;
  }

  takeFresh(): { first: number; texts: string[] } {
    const out = { first: this.first, texts: this.fresh };
    this.first += this.fresh.length;
    this.fresh = [];
    return out;
  }
}
