import { toFullTextQuery } from './full-text-query';

describe('toFullTextQuery', () => {
  it('requires every word as a prefix', () => {
    expect(toFullTextQuery('Linen Shirt')).toBe('+linen* +shirt*');
  });

  it('strips boolean-mode operators so input cannot change the query', () => {
    expect(toFullTextQuery('-linen +"shirt" (wool)* ~x @3')).toBe('+linen* +shirt* +wool*');
  });

  it('drops stopwords and words InnoDB does not index', () => {
    expect(toFullTextQuery('the of a xy')).toBeNull();
    expect(toFullTextQuery('shirt for the beach')).toBe('+shirt* +beach*');
  });

  it('keeps letters of any script and repeats a word once', () => {
    expect(toFullTextQuery('Überzieher überzieher')).toBe('+überzieher*');
  });
});
