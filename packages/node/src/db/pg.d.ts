/**
 * Minimal typings of the parts of `pg` (node-postgres) the database layer uses; `@types/pg` is not installed.
 * Delete this file once `@types/pg` is a devDependency.
 */
declare module 'pg' {
  type TypeParser = (value: string) => unknown;
  interface ClientConfig {
    connectionString?: string;
    connectionTimeoutMillis?: number;
    options?: string;
    types?: { getTypeParser: (oid: number, format?: 'text' | 'binary') => TypeParser };
  }
  interface PoolConfig extends ClientConfig {
    max?: number;
  }
  interface QueryResult<R = Record<string, unknown>> {
    rows: R[];
    rowCount: number;
    command: 'UPDATE' | 'DELETE' | 'INSERT' | 'SELECT' | 'MERGE';
  }
  class Client {
    constructor(config?: ClientConfig);
    connect(): Promise<void>;
    query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>>;
    end(): Promise<void>;
  }
  interface PoolClient {
    query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>>;
    query<C extends { read(rowsCount: number): Promise<unknown[]> }>(cursor: C): C;
    release(error?: Error | boolean): void;
  }
  class Pool {
    constructor(config?: PoolConfig);
    connect(): Promise<PoolClient>;
    query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>>;
    end(): Promise<void>;
    on(event: 'error', listener: (error: Error) => void): this;
  }
  const types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => TypeParser };
  const pg: { Client: typeof Client; Pool: typeof Pool; types: typeof types };
  export default pg;
  export { Client, Pool, types };
}
