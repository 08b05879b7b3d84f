"""Near-duplicate stems: normalised similarity (RapidFuzz ratio) of at least a threshold.

Comparing every pair is quadratic (50 million pairs for 10,000 items), so candidates come from prefix filtering
on character bigrams, which provably keeps every pair whose ratio reaches the threshold:

ratio = 2·LCS/(m+n) ≥ t means the indel distance D = m+n−2·LCS ≤ (1−t)(m+n). Each insertion or deletion
destroys at most two bigrams, so the strings share at least max(m,n) − 1 − 2D bigram occurrences; over every
partner length that ratio allows this is at least (1 − 4(1−t))·m − 1 for a string of length m (t = 0.9: 0.6m − 1).
With tokens in one global order (rarest first), two sets that share at least k tokens share one among the first
|A|−k+1 tokens of each, so only those prefixes are indexed and probed. Every candidate is then verified exactly.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict

from rapidfuzz.distance import Indel

PUNCT_RE = re.compile(r"[\s\W_]+", re.UNICODE)
BLANK_RE = re.compile(r"[（(][\s　]*[)）]")


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), lower case, and no punctuation, spaces or answer blanks."""
    text = unicodedata.normalize("NFKC", text)
    text = BLANK_RE.sub("", text)
    return PUNCT_RE.sub("", text).lower()


def _tokens(text: str) -> list[tuple[str, int]]:
    seen: Counter[str] = Counter()
    out = []
    for i in range(len(text) - 1):
        gram = text[i : i + 2]
        out.append((gram, seen[gram]))  # the k-th occurrence is its own token: set overlap = multiset overlap
        seen[gram] += 1
    return out


def near_duplicates(texts: list[str], threshold: float = 0.9) -> list[tuple[int, int, float]]:
    """Pairs (i, j, similarity) with i < j whose normalised texts are at least ``threshold`` similar."""
    norm = [normalise(t) for t in texts]
    token_lists = [_tokens(t) for t in norm]
    frequency = Counter(tok for toks in token_lists for tok in set(toks))
    factor = 1 - 4 * (1 - threshold)
    index: dict[tuple[str, int], list[int]] = defaultdict(list)
    pairs = []
    for i, toks in enumerate(token_lists):
        m = len(norm[i])
        if m == 0:
            continue
        if m < 3:  # too short for bigrams to say anything: compare exact
            candidates = {j for j in index.get(("short", m), []) if norm[j] == norm[i]}
            index[("short", m)].append(i)
        else:
            ordered = sorted(set(toks), key=lambda tok: (frequency[tok], tok))
            need = max(1, math.ceil(factor * m - 1)) if factor > 0 else 1
            prefix = ordered[: max(1, len(ordered) - need + 1)] if factor > 0 else ordered
            candidates = set()
            for tok in prefix:
                candidates.update(index[tok])
                index[tok].append(i)
        for j in candidates:
            similarity = Indel.normalized_similarity(norm[i], norm[j])
            if similarity >= threshold:
                pairs.append((min(i, j), max(i, j), similarity))
    return sorted(pairs)
