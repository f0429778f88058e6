/** A strategy type the registry does not hold: a spec from another version of Tuneforge, or a rule not registered. */
export class UnknownStrategyError extends Error {
  constructor(
    readonly kind: string,
    readonly type: string,
    known: readonly string[],
  ) {
    super(`no ${kind} '${type}' is registered (known: ${known.join(', ')})`);
    this.name = 'UnknownStrategyError';
  }
}

/** The strategy registered for `type`; own keys only, so 'constructor' or 'toString' is unknown too. */
export function registered<R extends object>(registry: R, kind: string, type: string): R[keyof R] {
  if (!Object.hasOwn(registry, type)) throw new UnknownStrategyError(kind, type, Object.keys(registry));
  return registry[type as keyof R];
}
