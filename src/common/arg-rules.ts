import { badInput } from './errors';

/**
 * Bounds on arguments and input fields, checked by the schema's `validateFn` before a resolver
 * runs: a plain walk over the argument, instead of class-validator (which type-graphql loads with
 * a dynamic import on every validated argument, a cost paid by every read).
 */
type Rule = (value: unknown, path: string) => string | null;

const RULES = new WeakMap<object, Map<string, Rule[]>>();

function addRule(target: object, property: string, rule: Rule): void {
  let byProperty = RULES.get(target);
  if (!byProperty) RULES.set(target, (byProperty = new Map()));
  byProperty.set(property, [...(byProperty.get(property) ?? []), rule]);
}

/** An integer from `min` to `max`. */
export function Range(min: number, max: number): PropertyDecorator {
  return (target, property) =>
    addRule(target, String(property), (v, path) =>
      typeof v !== 'number' ? null : v < min ? `${path} must be at least ${min}` : v > max ? `${path} must be at most ${max}` : null,
    );
}

/** A string of at most `max` characters. */
export function MaxChars(max: number): PropertyDecorator {
  return (target, property) =>
    addRule(target, String(property), (v, path) => (typeof v === 'string' && [...v].length > max ? `${path} must be at most ${max} characters long` : null));
}

/** Every problem of one value (an args object or an input object, with nested inputs). */
function problems(value: unknown, prefix: string, out: string[]): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((item, k) => problems(item, `${prefix}${k}.`, out));
    return;
  }
  // Rules are declared on the class (and its parents): walk the prototype chain once.
  for (let proto = Object.getPrototypeOf(value); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const byProperty = RULES.get(proto);
    if (!byProperty) continue;
    for (const [property, rules] of byProperty) {
      const v = (value as Record<string, unknown>)[property];
      for (const rule of rules) {
        const problem = rule(v, `${prefix}${property}`);
        if (problem) out.push(problem);
      }
    }
  }
  for (const [key, v] of Object.entries(value)) if (v !== null && typeof v === 'object' && !(v instanceof Date)) problems(v, `${prefix}${key}.`, out);
}

/** type-graphql's `validateFn`: BAD_USER_INPUT naming every bound broken. */
export function checkArgument(value: unknown): void {
  const out: string[] = [];
  problems(value, '', out);
  if (out.length) throw badInput(`Invalid argument: ${out.join('; ')}`);
}
