import { matchesIfNoneMatch } from './cached-response';
import { buildTree } from './storefront.service';

describe('conditional requests', () => {
  it('matches a listed, weak or wildcard entity tag', () => {
    expect(matchesIfNoneMatch('"abc"', '"abc"')).toBe(true);
    expect(matchesIfNoneMatch('"x", W/"abc"', '"abc"')).toBe(true);
    expect(matchesIfNoneMatch('*', '"abc"')).toBe(true);
    expect(matchesIfNoneMatch('"abd"', '"abc"')).toBe(false);
    expect(matchesIfNoneMatch(undefined, '"abc"')).toBe(false);
  });
});

describe('category tree', () => {
  it('nests rows of any depth under their parents, keeping order', () => {
    const tree = buildTree([
      { id: 'a', parentId: null, slug: 'a', name: 'A', position: 0 },
      { id: 'b', parentId: 'a', slug: 'b', name: 'B', position: 0 },
      { id: 'c', parentId: 'b', slug: 'c', name: 'C', position: 0 },
      { id: 'd', parentId: null, slug: 'd', name: 'D', position: 1 },
    ]);
    expect(tree.map((node) => node.id)).toEqual(['a', 'd']);
    expect(tree[0].children[0].children[0].id).toBe('c');
  });
});
