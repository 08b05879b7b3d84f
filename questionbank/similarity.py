"""Near-duplicate stems: Jaccard similarity of the character-bigram multisets of the normalised texts.

Two stems are near-duplicates when, after normalising (full-width to half-width, no punctuation, spaces or answer
blanks), their character bigrams overlap by at least ``threshold`` (|A∩B| / |A∪B|, counting repeated bigrams).
One changed character in an 80-character stem gives 0.95; a different clause gives far less.

Comparing every pair is quadratic (50 million pairs for 10,000 items), so candidates come from prefix filtering
(AllPairs/PPJoin): with tokens in one global order, rarest first, two sets with Jaccard ≥ t share at least
α = ⌈t/(1+t)·(|A|+|B|)⌉ tokens, hence one among the first |A|−⌈t·|A|⌉+1 of each. Length and positional filters
prune further; every remaining candidate is verified exactly, so nothing is missed and nothing is invented.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from operator import itemgetter

PUNCT_RE = re.compile(r"[\s\W_]+", re.UNICODE)
BLANK_RE = re.compile(r"[（(][\s　]*[)）]")


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), lower case, and no punctuation, spaces or answer blanks."""
    text = unicodedata.normalize("NFKC", text)
    text = BLANK_RE.sub("", text)
    return PUNCT_RE.sub("", text).lower()


def tokens(text: str) -> list[str]:
    """Character bigrams of a normalised text; the k-th repeat of a bigram is its own token ``bigram#k`` (a multiset
    as a set; ``#`` never occurs in a normalised text)."""
    if len(text) < 2:
        return [text] if text else []
    grams = [text[i : i + 2] for i in range(len(text) - 1)]
    if len(set(grams)) == len(grams):  # the usual case: no bigram repeats
        return grams
    seen: dict[str, int] = {}
    out = []
    for gram in grams:
        k = seen.get(gram, 0)
        out.append(f"{gram}#{k}" if k else gram)
        seen[gram] = k + 1
    return out


def jaccard(a: set, b: set) -> float:
    if not a and not b:
        return 1.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def near_duplicates(texts: list[str], threshold: float = 0.9) -> list[tuple[int, int, float]]:
    """Pairs (i, j, similarity) with i < j whose normalised texts have bigram Jaccard ≥ ``threshold``."""
    token_lists = [tokens(normalise(t)) for t in texts]
    frequency = Counter(tok for toks in token_lists for tok in toks)
    # each token becomes its place in the global order (rarest first), so sorting and hashing work on small integers
    # (any one total order does: candidates are verified exactly, so the pairs found do not depend on it)
    rank = {tok: r for r, (tok, _) in enumerate(sorted(frequency.items(), key=itemgetter(1)))}
    ranked = [sorted(map(rank.__getitem__, toks)) for toks in token_lists]
    order = sorted(range(len(texts)), key=lambda i: len(ranked[i]))  # shorter first: partners are indexed
    ordered: dict[int, list] = {}
    index: dict[int, list[tuple[int, int]]] = defaultdict(list)
    pairs = []
    for x in order:
        mine = ranked[x]
        size = len(mine)
        if size == 0:
            continue
        ordered[x] = mine
        prefix_length = size - math.ceil(threshold * size - 1e-9) + 1
        overlap: dict[int, int] = {}
        for i, tok in enumerate(mine[:prefix_length]):
            for y, j in index[tok]:
                seen = overlap.get(y, 0)
                if seen < 0:
                    continue
                other = len(ordered[y])
                if other < threshold * size - 1e-9:  # length filter (y is never longer than x)
                    overlap[y] = -1
                    continue
                need = math.ceil(threshold / (1 + threshold) * (size + other) - 1e-9)
                if seen + 1 + min(size - i - 1, other - j - 1) >= need:  # positional filter
                    overlap[y] = seen + 1
                else:
                    overlap[y] = -1
            index[tok].append((x, i))
        if overlap:
            mine_set = set(mine)
            for y, seen in overlap.items():
                if seen > 0:
                    similarity = jaccard(mine_set, set(ranked[y]))
                    if similarity >= threshold:
                        pairs.append((min(x, y), max(x, y), similarity))
    return sorted(pairs)
