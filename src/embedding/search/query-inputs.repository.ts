// What a search-like call reads before it searches: the collections it names (from the registry, unless the service
// passes cached ones) and the stored vectors it starts from (more-like-this points, Recommend's examples,
// SearchContent's example points and content means), in one statement.
import type { Db } from '../../db/connect.js';
import { withSession, type Session } from '../../db/session.js';
import { guarded, resolveCollections } from '../collections/collection-registry.repository.js';
import type { CollectionInfo } from '../embedding.types.js';
import { fromPgvectorText } from '../vectors/vector-codec.js';
import { storedVectorsStatement } from './search.sql.js';
import type { QueryInputRequest, QueryInputs, StoredVector, StoredVectorLookup } from './search.types.js';

interface StoredVectorRow {
  fresh?: boolean;
  lookup: number | null;
  kind: 'point' | 'mean' | null;
  key: string | null;
  content_id: string | null;
  vector_text: string | null;
}

/** Repository of the collections and stored vectors searches start from. */
export class QueryInputRepository {
  constructor(private readonly db: Db) {}

  /**
   * The collections the request's names stand for (a name or an alias; NOT_FOUND naming the first unknown one) and
   * the stored vectors of its lookups. With `cached` collections (the service's cache) the registry is not
   * read: the vectors' statement checks them against it instead (`fresh`), and without lookups no statement runs at
   * all. Without, the registry is read first, on the same connection: two statements at most.
   */
  async read({ tenantId, names, lookups }: QueryInputRequest, cached: ReadonlyMap<string, CollectionInfo> | undefined): Promise<QueryInputs> {
    if (cached && lookups.size === 0) return { collections: cached, points: new Map(), contentMeans: new Map(), fresh: true };
    return guarded(names.join('", "'), () =>
      withSession(this.db, async (session) => {
        const collections = cached ?? (await resolveCollections(session, tenantId, names));
        return { collections, ...(await this.storedVectors(session, collections, lookups, cached ? tenantId : undefined)) };
      }),
    );
  }

  private async storedVectors(
    session: Session,
    collections: ReadonlyMap<string, CollectionInfo>,
    lookups: ReadonlyMap<string, StoredVectorLookup>,
    checkTenant: string | undefined,
  ): Promise<Omit<QueryInputs, 'collections'>> {
    const names = [...lookups.keys()];
    const points = new Map<string, Map<string, StoredVector>>();
    const contentMeans = new Map<string, Map<string, Float32Array>>();
    if (names.length === 0) return { points, contentMeans, fresh: true };
    const statement = storedVectorsStatement(
      names.map((name) => ({ collection: collections.get(name)!, ...lookups.get(name)! })),
      checkTenant,
    );
    const rows = (await session.query<StoredVectorRow>(statement.sql, statement.params)).rows;
    for (const row of rows) {
      if (row.lookup === null || row.key === null || row.vector_text === null) continue;
      const name = names[row.lookup]!;
      const vector = fromPgvectorText(row.vector_text);
      if (row.kind === 'point') inner(points, name).set(row.key, { vector, contentId: row.content_id! });
      else inner(contentMeans, name).set(row.key, vector);
    }
    return { points, contentMeans, fresh: checkTenant === undefined || rows[0]?.fresh === true };
  }
}

/** The map under `key`, created empty when missing. */
function inner<V>(outer: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let found = outer.get(key);
  if (!found) outer.set(key, (found = new Map()));
  return found;
}
