/**
 * An object that answers with `overrides` where given and with `target` elsewhere; `target`'s own
 * methods stay bound to it, so an implementation with private fields keeps working.
 */
export function overlay<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(object, key) {
      if (Object.hasOwn(overrides, key)) return overrides[key as keyof T]
      const value: unknown = Reflect.get(object, key, object)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value
    },
  })
}
