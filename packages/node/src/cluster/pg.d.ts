/**
 * The events of `pg` (node-postgres) clients the leader lease listens to, merged into the declarations of
 * `db/pg.d.ts` (`@types/pg` is not installed). Delete with that file once `@types/pg` is a devDependency.
 */
export {};

declare module 'pg' {
  interface Client {
    on(event: 'error', listener: (error: Error) => void): this;
    on(event: 'end', listener: () => void): this;
  }
}
