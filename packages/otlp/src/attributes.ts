import type { Attributes, AttributeType } from "@runtrace/model";

/**
 * Collects decoded key/values into the row model's {@link Attributes}. Values are always
 * strings, so a key like `__proto__` cannot touch a prototype, but a plain assignment would
 * silently drop it: such keys are defined as own properties instead.
 */
export class AttributesBuilder {
  readonly values: Record<string, string> = {};
  readonly types: Record<string, AttributeType> = {};
  #typed = false;

  set(key: string, text: string, type: AttributeType | undefined): void {
    if (key === "__proto__") {
      define(this.values, key, text);
      if (type !== undefined) define(this.types, key, type);
    } else {
      this.values[key] = text;
      if (type !== undefined) this.types[key] = type;
    }
    if (type !== undefined) this.#typed = true;
    // A repeated key replaces the earlier value, type included: a string has no type.
    else if (this.#typed && Object.hasOwn(this.types, key)) delete this.types[key];
  }

  build(): Attributes {
    return { values: this.values, types: this.types };
  }
}

function define(record: object, key: string, value: string): void {
  Object.defineProperty(record, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
