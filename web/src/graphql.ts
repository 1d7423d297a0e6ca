// gql.tada types every document from schema.graphql: `gql-tada generate output` (make install) writes
// graphql-env.d.ts from it, and `make lint` (gql-tada check, tsc) fails on a query the schema does not have.
import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.d.ts';

export const graphql = initGraphQLTada<{
  introspection: introspection;
  // Fragments spread their fields into the result as GraphQL returns them.
  disableMasking: true;
  // Amounts and times arrive as strings, never as numbers.
  scalars: { Decimal: string; DateTime: string; Date: string; JSON: unknown };
}>();

export type { ResultOf, VariablesOf } from 'gql.tada';
