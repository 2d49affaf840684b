/**
 * Collects ClickHouse query parameters: every value goes in as `{name:Type}`, never as text
 * inside the SQL.
 */
export class QueryParams {
  readonly values: Record<string, unknown> = {};
  #n = 0;

  /** Registers a value and returns its placeholder. */
  add(type: string, value: unknown): string {
    const name = `p${this.#n++}`;
    this.values[name] = value;
    return `{${name}:${type}}`;
  }
}
