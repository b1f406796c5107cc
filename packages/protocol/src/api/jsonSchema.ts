/**
 * TypeScript types derived from `as const` JSON-schema objects, so a response schema the node serialises with is
 * also the type the SDK returns — one definition, no hand-copied mirror.
 *
 * Covers the subset the API's schemas use: `type` (one name or a list, e.g. `['string', 'null']`), `enum`, `anyOf`,
 * `properties` with `required` (a property not listed is optional), and `items`. Keywords that only constrain values
 * (`pattern`, `format`, `minimum`, `maxLength`, `description`…) do not change the type; `additionalProperties` is
 * not modelled (extra properties are not part of the contract). A schema outside the subset becomes `unknown`.
 */

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type Primitive<T> = T extends 'string'
  ? string
  : T extends 'integer' | 'number'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : never;

type ObjectOf<S> = S extends { properties: infer P }
  ? Simplify<
      { -readonly [K in keyof P & RequiredOf<S>]: FromSchema<P[K]> } & {
        -readonly [K in Exclude<keyof P, RequiredOf<S>>]?: FromSchema<P[K]> | undefined;
      }
    >
  : Record<string, unknown>;

type RequiredOf<S> = S extends { required: readonly (infer R)[] } ? R : never;

type TypeOf<S, T> = T extends 'object'
  ? ObjectOf<S>
  : T extends 'array'
    ? S extends { items: infer I }
      ? FromSchema<I>[]
      : unknown[]
    : Primitive<T>;

/**
 * The type of the JSON values a schema accepts.
 * @example
 * ```ts
 * import type { FromSchema } from '@souk/protocol'
 * const page = { type: 'object', required: ['items'], properties: { items: { type: 'array', items: { type: 'string' } } } } as const
 * type Page = FromSchema<typeof page> // { items: string[] }
 * ```
 */
export type FromSchema<S> = S extends { enum: readonly (infer E)[] }
  ? E
  : S extends { anyOf: readonly (infer A)[] }
    ? A extends unknown
      ? FromSchema<A>
      : never
    : S extends { type: infer T }
      ? T extends readonly (infer U)[]
        ? U extends unknown
          ? TypeOf<S, U>
          : never
        : TypeOf<S, T>
      : unknown;
