import { queryTerms, searchIndexTerms } from './search-terms';

describe('queryTerms', () => {
  it('requires every word, lower case', () => {
    expect(queryTerms('Linen Shirt')).toEqual(['linen', 'shirt']);
  });

  it('ignores operators typed by a shopper', () => {
    expect(queryTerms('-linen +"shirt" (wool)* ~x @3')).toEqual(['linen', 'shirt', 'wool']);
  });

  it('drops stopwords and words shorter than three letters', () => {
    expect(queryTerms('the of a xy')).toBeNull();
    expect(queryTerms('shirt for the beach')).toEqual(['shirt', 'beach']);
  });

  it('folds accents and case, keeps letters of any script and repeats a word once', () => {
    expect(queryTerms('Überzieher überzieher UBERZIEHER')).toEqual(['uberzieher']);
    expect(queryTerms('Straße Crème')).toEqual(['strasse', 'creme']);
    expect(queryTerms('Кофта шерсть')).toEqual(['кофта', 'шерсть']);
  });

  it('looks a long word up by its first 32 characters', () => {
    expect(queryTerms('x'.repeat(40))).toEqual(['x'.repeat(32)]);
  });
});

describe('searchIndexTerms', () => {
  const terms = (title: string, text = '') =>
    new Map(searchIndexTerms(title, text).map(({ term, relevance }) => [term, relevance]));

  it('holds every prefix of three letters or more of every word, so a prefix finds the word', () => {
    expect([...terms('Shirt').keys()]).toEqual(['shi', 'shir', 'shirt']);
    for (const word of queryTerms('shi shir shirt') ?? []) expect(terms('Linen Shirt').has(word)).toBe(true);
    expect(terms('Linen Shirt').has('shirts')).toBe(false);
  });

  it('ranks a title term above a description term, and a shorter title above a longer one', () => {
    const index = terms('Wool Coat', 'lined with silk');
    expect(index.get('coat')).toBe(1000 + 999 - 'Wool Coat'.length);
    expect(index.get('silk')).toBe(999 - 'Wool Coat'.length);
    expect(terms('Wool Coat Long').get('coat')).toBeLessThan(index.get('coat')!);
  });

  it('indexes words the way queries are cut: accents folded, stopwords and short words left out', () => {
    const index = terms('Crème Brûlée', 'made in the EU');
    expect(index.has('creme')).toBe(true);
    expect(index.has('brul')).toBe(true);
    expect(index.has('the')).toBe(false);
    expect(index.has('eu')).toBe(false);
  });
});
