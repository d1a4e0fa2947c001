/** `T` with `undefined` removed from every property type (for options under `exactOptionalPropertyTypes`). */
export type Defined<T> = { [K in keyof T]: Exclude<T[K], undefined> };

/** `value` without its keys whose value is undefined (a validated JSON object as builder options). */
export function withoutUndefined<T extends object>(value: T): Defined<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Defined<T>;
}

/** The options of a validated JSON part: its keys but `kind`, without keys whose value is undefined. */
export function optionsOf<T extends { readonly kind: string }>(json: T): Defined<Omit<T, 'kind'>> {
  const { kind: _, ...options } = json;
  return withoutUndefined(options) as Defined<Omit<T, 'kind'>>;
}
