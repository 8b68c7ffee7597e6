/** InnoDB's default full-text stopwords: requiring one of them would match nothing. */
const STOPWORDS = new Set(
  'a about an are as at be by com de en for from how i in is it la of on or that the this to was what when where who will with und www'.split(
    ' ',
  ),
);
/** InnoDB does not index shorter words (innodb_ft_min_token_size, default 3). */
const MIN_WORD_LENGTH = 3;
const MAX_WORDS = 10;

/**
 * Turns what a shopper typed into a BOOLEAN MODE expression: every usable word required, each as a
 * prefix (`shir` finds "shirt"). Operators in the input are never passed through. Returns null when
 * no word can be searched for (only stopwords or too-short words): the answer is then empty.
 */
export function toFullTextQuery(input: string): string | null {
  const words = input
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length >= MIN_WORD_LENGTH && !STOPWORDS.has(word));
  const unique = [...new Set(words)].slice(0, MAX_WORDS);
  return unique.length === 0 ? null : unique.map((word) => `+${word}*`).join(' ');
}
