/**
 * The words of a search and of a product, cut the same way on both sides: the storefront's search index
 * (product_search_terms) holds, for every visible product, each prefix of each of its words, so a word a
 * shopper typed is found — as a prefix, as InnoDB FULLTEXT `+word*` found it — with one B-tree equality.
 */

/** InnoDB's default full-text stopwords (the search this replaced never matched them). */
const STOPWORDS = new Set(
  'a about an are as at be by com de en for from how i in is it la of on or that the this to was what when where who will with und www'.split(
    ' ',
  ),
);
/** Shorter words are neither indexed nor searched for (InnoDB's innodb_ft_min_token_size). */
export const MIN_WORD_LENGTH = 3;
/** Longer words of a product are not indexed (InnoDB's innodb_ft_max_token_size). */
const MAX_WORD_LENGTH = 84;
/** Prefixes are stored up to this length; a longer search word is looked up by its first 32 characters. */
export const MAX_TERM_LENGTH = 32;
const MAX_QUERY_WORDS = 10;
/** Letters the accent-stripping below does not fold but utf8mb4_unicode_ci (the FULLTEXT columns') did. */
const FOLDS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ł: 'l', ı: 'i' };
const FOLDABLE = new RegExp(`[${Object.keys(FOLDS).join('')}]`, 'gu');

/**
 * The indexable words of a text, in order (repeats kept): lower case, accents and ligatures folded
 * (utf8mb4_unicode_ci compared them so), split at anything that is not a letter or a digit.
 */
function wordsOf(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]+/g, '')
    .toLowerCase()
    .replace(FOLDABLE, (letter) => FOLDS[letter])
    .normalize('NFC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => {
      const length = [...word].length;
      return length >= MIN_WORD_LENGTH && length <= MAX_WORD_LENGTH && !STOPWORDS.has(word);
    });
}

function truncate(word: string, length: number): string {
  const characters = [...word];
  return characters.length <= length ? word : characters.slice(0, length).join('');
}

/**
 * What a shopper typed, as the terms to look up: every usable word is required. Operators in the input
 * mean nothing. Null when no word can be searched for (only stopwords or too-short words): the answer is
 * then empty.
 */
export function queryTerms(input: string): string[] | null {
  const terms = [...new Set(wordsOf(input).map((word) => truncate(word, MAX_TERM_LENGTH)))].slice(
    0,
    MAX_QUERY_WORDS,
  );
  return terms.length === 0 ? null : terms;
}

/** One row of the search index: a term (a word's prefix) of a product and the product's rank for it. */
export interface IndexedTerm {
  term: string;
  relevance: number;
}

/**
 * A product's rank is the same for every query, never from corpus statistics (a score that moves with
 * other products would move cursor positions): 1000 when the term is in the title, plus the shorter (more
 * specific) title first. A search for several words ranks a product by the lowest of its terms' ranks, so
 * the title bonus counts only when every word is in the title — as MATCH(title) with every word required.
 */
export function searchIndexTerms(title: string, searchText: string): IndexedTerm[] {
  const specificity = 999 - Math.min([...title].length, 999);
  const terms = new Map<string, number>();
  const add = (text: string, inTitle: boolean) => {
    for (const word of new Set(wordsOf(text))) {
      const characters = [...word];
      for (let length = MIN_WORD_LENGTH; length <= Math.min(characters.length, MAX_TERM_LENGTH); length++) {
        const term = characters.slice(0, length).join('');
        if (!terms.has(term)) terms.set(term, (inTitle ? 1000 : 0) + specificity);
      }
    }
  };
  add(title, true);
  add(searchText, false);
  return [...terms].map(([term, relevance]) => ({ term, relevance }));
}
