// Optional properties that are absent rather than undefined. A record written to a file, handed to
// a library or compared as a whole should not carry `key: undefined`; this keeps the call sites
// from spelling `...(x === undefined ? {} : { x })` for each such property.

/** `fields` without those whose value is undefined. */
export function definedFields<T extends object>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>
  }
}
