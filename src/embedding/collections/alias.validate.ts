// Validation of the alias requests of EmbeddingService (CreateAlias, DeleteAlias, ListAliases, SwitchAlias).
import { invalidArgument } from '../../errors.js';
import { validateCollectionName } from '../embedding.validate.js';

/** CreateAlias and SwitchAlias: an alias name and the collection it is to point to. */
export function validateAliasTarget(request: { alias: string; collection: string }): { alias: string; collection: string } {
  const alias = validateCollectionName(request.alias, 'alias');
  const collection = validateCollectionName(request.collection, 'collection');
  if (alias === collection) throw invalidArgument(`alias "${alias}" cannot point to itself; name a collection other than the alias`, 'collection');
  return { alias, collection };
}

export function validateDeleteAlias(request: { alias: string }): string {
  return validateCollectionName(request.alias, 'alias');
}

/** The collection whose aliases to list, or undefined for all. */
export function validateListAliases(request: { collection: string }): string | undefined {
  return request.collection === '' ? undefined : validateCollectionName(request.collection, 'collection');
}
