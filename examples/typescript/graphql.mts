// gql.tada types each document from schema.graphql: `npx gql-tada generate output` writes
// graphql-env.d.ts from it, and tsc then checks every query, variable and field access.
import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.js';

export const graphql = initGraphQLTada<{
  introspection: introspection;
  // Rapport's scalars as JSON carries them: amounts and times are strings, never numbers.
  scalars: { Decimal: string; DateTime: string; Date: string; JSON: unknown };
}>();
