import type { DataSource } from "typeorm";
import type { Reach } from "../gate/reach";
import type { PersonalDataRegistry } from "../personal-data/registry";
import { StatementCache, StatementRunner } from "../store/statements";
import type { RowRule } from "./row-rule";
import { selectionOf, type Selection } from "./selection";

/**
 * What every request's data layer shares, built once when the gateway starts: the store,
 * the declaration, the composed row rules, the compiled statements and, per operation
 * document, what each declared table's reads select.
 */
export class KernelData {
  readonly runner: StatementRunner;
  readonly statements = new StatementCache();
  private readonly selections = new WeakMap<Reach, Map<string, Selection>>();

  constructor(
    readonly db: DataSource,
    readonly registry: PersonalDataRegistry,
    readonly rowRules: readonly RowRule[],
  ) {
    this.runner = new StatementRunner(db);
    Object.freeze(this);
  }

  /** The selection of `table` for an operation's reach (computed once per document). */
  selection(reach: Reach | null, tableName: string, extraColumns: readonly string[] = []): Selection {
    const table = this.registry.table(tableName);
    if (!reach) return selectionOf(this.registry, table, () => false, extraColumns);
    let byTable = this.selections.get(reach);
    if (!byTable) this.selections.set(reach, (byTable = new Map()));
    const key = extraColumns.length ? `${tableName}+${extraColumns.join(",")}` : tableName;
    let selection = byTable.get(key);
    if (!selection) {
      selection = selectionOf(this.registry, table, (coordinate) => reach.fields.has(coordinate), extraColumns);
      byTable.set(key, selection);
    }
    return selection;
  }
}
