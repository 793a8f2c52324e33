// Validation of the alias requests: names checked like collection names, an alias never pointing to itself.
import { expect } from 'chai';
import { validateAliasTarget, validateDeleteAlias, validateListAliases } from '../../src/embedding/collections/alias.validate.js';
import { rejection } from './collection-fixture.js';

describe('embedding alias validation', () => {
  it('accepts an alias and a collection, both valid names', () => {
    expect(validateAliasTarget({ alias: 'clip', collection: 'clip-v2' })).to.deep.equal({ alias: 'clip', collection: 'clip-v2' });
    expect(validateDeleteAlias({ alias: 'clip' })).to.equal('clip');
    expect(validateListAliases({ collection: '' })).to.equal(undefined);
    expect(validateListAliases({ collection: 'clip-v2' })).to.equal('clip-v2');
  });

  it('names the field at fault and what to send', () => {
    expect(rejection(() => validateAliasTarget({ alias: '', collection: 'clip' }))).to.include({ kind: 'invalid_argument', field: 'alias' });
    expect(rejection(() => validateAliasTarget({ alias: 'clip', collection: 'Clip V2' }))).to.include({ kind: 'invalid_argument', field: 'collection' });
    const self = rejection(() => validateAliasTarget({ alias: 'clip', collection: 'clip' }));
    expect(self.message).to.equal('alias "clip" cannot point to itself; name a collection other than the alias');
    expect(rejection(() => validateDeleteAlias({ alias: '9lives' })).message).to.match(/alias "9lives" is not a valid name/);
  });
});
