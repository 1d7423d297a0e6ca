// The breaking-change check of `make lint`: node scripts/schema_diff.mjs BASE.graphql CURRENT.graphql
//
// BASE is the schema clients build against (schema.graphql of main's last commit), CURRENT the one
// the code exports. Exits 1, naming each, on a breaking change (graphql-inspector's verdict), or on
// a deprecation whose reason does not name what to use instead. Removing a field that BASE already
// marks deprecated is allowed: that is how a deprecation ends (README, "Changing the schema").
import { readFileSync } from 'node:fs';
import { buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import { CriticalityLevel, diff, DiffRule } from '@graphql-inspector/core';

// "Use `newField` instead." or "No replacement: ...": a client must learn what to do next.
const NAMES_A_REPLACEMENT = /\bUse `[^`]+`|\bNo replacement\b/;

function deprecationsWithoutReplacement(schema) {
  const found = [];
  const check = (path, reason) => {
    if (reason != null && !NAMES_A_REPLACEMENT.test(reason)) found.push(`${path}: "${reason}"`);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.deprecationReason);
        for (const arg of field.args ?? []) check(`${type.name}.${field.name}(${arg.name})`, arg.deprecationReason);
      }
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.deprecationReason);
    }
  }
  return found;
}

const [basePath, currentPath] = process.argv.slice(2);
if (!basePath || !currentPath) {
  console.error('usage: node scripts/schema_diff.mjs BASE.graphql CURRENT.graphql');
  process.exit(2);
}
const base = buildSchema(readFileSync(basePath, 'utf8'));
const current = buildSchema(readFileSync(currentPath, 'utf8'));

const changes = await diff(base, current, [DiffRule.suppressRemovalOfDeprecatedField]);
const breaking = changes.filter((change) => change.criticality.level === CriticalityLevel.Breaking);
const unnamed = deprecationsWithoutReplacement(current);

for (const change of breaking) console.error(`breaking: ${change.message} (${change.path ?? change.type})`);
for (const deprecation of unnamed) {
  console.error(`deprecated without naming a replacement ("Use \`field\`" or "No replacement: why"): ${deprecation}`);
}
if (breaking.length || unnamed.length) {
  console.error(
    'The schema must stay compatible with main: keep the old field, mark it ' +
      '@deprecated(reason: "Use `newField`."), and remove it in a later change (README, "Changing the schema").',
  );
  process.exit(1);
}
const kept = changes.length;
console.log(`schema: no breaking change against the base (${kept} compatible change${kept === 1 ? '' : 's'})`);
