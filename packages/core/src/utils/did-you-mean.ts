import { distance } from 'fastest-levenshtein';

/**
 * The candidates closest to `word`, best first, for "did you mean ...?" hints.
 *
 * A candidate qualifies when its edit distance (case-insensitive) is at most a third of the longer string
 * (at least 2 for words of 3 letters or more),
 * or when one contains the other (so `Res` suggests `ResNet`).
 */
export function closestMatches(word: string, candidates: Iterable<string>, max = 3): string[] {
  const needle = word.toLowerCase();
  const scored: Array<{ candidate: string; score: number }> = [];
  for (const candidate of new Set(candidates)) {
    const hay = candidate.toLowerCase();
    const d = distance(needle, hay);
    // Two edits even for short names: a swapped pair ('FNP' for 'FPN') costs two in Levenshtein distance.
    const limit = Math.max(needle.length >= 3 ? 2 : 1, Math.floor(Math.max(needle.length, hay.length) / 3));
    const contains = needle.length >= 3 && (hay.includes(needle) || needle.includes(hay));
    if (d <= limit || contains) scored.push({ candidate, score: contains ? Math.min(d, limit) : d });
  }
  scored.sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, max).map((s) => s.candidate);
}

/** ` Did you mean A or B?` for the closest candidates, or an empty string when none is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const matches = closestMatches(word, candidates);
  if (matches.length === 0) return '';
  const quoted = matches.map((m) => `'${m}'`);
  const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
  return ` Did you mean ${list}?`;
}
