"""Themes of short texts, found offline: TF-IDF on unigrams and bigrams (English stop words
removed), smoothed by term co-occurrence, factored by non-negative matrix factorisation (NMF).

Customer comments are short, so two comments about one thing often share no word ("arrived a week
late", "delivery was delayed"). Each text therefore also borrows a little of the terms that occur
with its own terms across all texts (second-order co-occurrence, the document expansion of Sahami
& Heilman 2006, "A web-based kernel function for measuring the similarity of short text
snippets"), before NMF (Lee & Seung 1999) splits the texts into themes. A text belongs to the theme
that weighs most in it, but only when the text holds one of that theme's keywords: a theme is
always something its texts say. The number of themes, unless given, is the one whose keywords are
most coherent (mean NPMI of each theme's top keyword pairs over the texts, Bouma 2009; Röder et
al. 2015 found NPMI agrees best with people's judgement; a pair seen in one distinct text only is
no evidence), tried on a sample of the texts.

Texts are fitted once per distinct text, weighted by how often it was written.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

MIN_THEMES, MAX_THEMES = 2, 20  # a query may ask for a number of themes in this range
MAX_TERMS = 5_000  # the vocabulary: the most frequent unigrams and bigrams
NEIGHBOURS = 10  # the co-occurring terms each term lends weight to
KEYWORDS = 8  # keywords per theme, at most
MEMBER_TERMS = 25  # a text belongs to its theme only when it holds one of the theme's top terms
KEYWORD_FLOOR = 0.2  # a keyword weighs at least this share of the theme's top keyword
MIN_SUPPORT = 2  # distinct texts a keyword pair must share to count as evidence of a theme
COHERENCE_TOP = 5  # the keywords whose pairs score a theme's coherence
SELECTION_SAMPLE = 5_000  # distinct texts the number of themes is chosen on
SEED = 0  # NMF and sampling are seeded: the same texts give the same themes


@dataclass(frozen=True)
class Topics:
    """Themes found in a set of texts: each theme's keywords (best first), and the theme of each
    text (-1: none)."""

    keywords: list[list[str]]
    assignment: np.ndarray
    coherence: float  # mean NPMI of the themes' top keyword pairs, -1..1


def find_topics(texts: list[str], weights: np.ndarray, count: int | None = None) -> Topics:
    """The themes of distinct `texts`, each written `weights[i]` times; `count` themes, or the most
    coherent number when None."""
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), stop_words="english", sublinear_tf=True, max_features=MAX_TERMS,
                                 token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b")
    try:
        tfidf = vectorizer.fit_transform(texts)
    except ValueError:  # no text holds a word beyond stop words
        return Topics([], np.full(len(texts), -1), 0.0)
    terms = vectorizer.get_feature_names_out()
    present = (tfidf > 0).astype(np.float64).tocsc()
    weights = 1 + np.log(weights)  # volume counts, but a text written 500 times is not 500 themes' worth
    expanded = _expanded(tfidf, weights)
    largest = min(MAX_THEMES, len(texts) // 2, len(terms))  # a theme holds two distinct texts or more, on average
    if largest < MIN_THEMES:
        return Topics([], np.full(len(texts), -1), 0.0)
    if count is None:
        count = _most_coherent(expanded, present, weights, largest)
    count = min(count, largest)
    keywords, assignment = _factor(expanded, tfidf, weights, count, terms)
    return Topics(keywords, assignment, _coherence(keywords, present, weights, terms))


def _expanded(tfidf: sp.csr_matrix, weights: np.ndarray) -> sp.csr_matrix:
    """Each text's TF-IDF plus what its terms lend their strongest co-occurring terms (cosine over
    texts, weighted by volume), normalised to unit length."""
    unit = normalize(tfidf)
    cooccurrence = (unit.T @ sp.diags(weights) @ unit).tocsr()
    norms = np.sqrt(np.maximum(cooccurrence.diagonal(), 1e-12))
    cosine = sp.diags(1 / norms) @ cooccurrence @ sp.diags(1 / norms)
    cosine = sp.csr_matrix(cosine)
    cosine.setdiag(0)
    cosine.eliminate_zeros()
    return normalize(tfidf + tfidf @ _strongest(cosine, NEIGHBOURS))


def _strongest(matrix: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """`matrix` with only each row's `keep` largest entries."""
    rows, cols, vals = [], [], []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if end == start:
            continue
        order = np.argsort(-matrix.data[start:end])[:keep]
        rows.extend([row] * len(order))
        cols.extend(matrix.indices[start:end][order])
        vals.extend(matrix.data[start:end][order])
    return sp.csr_matrix((vals, (rows, cols)), shape=matrix.shape)


def _factor(expanded: sp.csr_matrix, tfidf: sp.csr_matrix, weights: np.ndarray, count: int,
            terms: np.ndarray) -> tuple[list[list[str]], np.ndarray]:
    # scaling a row by sqrt(w) weighs its squared error w times: a text written w times counts w times
    model = NMF(count, init="nndsvda", random_state=SEED, max_iter=1_000)
    model.fit(sp.diags(np.sqrt(weights)) @ expanded)
    loadings = model.transform(expanded)
    keyword_ids = [_keyword_ids(component) for component in model.components_]
    member_ids = [np.argsort(-component)[:MEMBER_TERMS] for component in model.components_]
    best = loadings.argmax(axis=1)
    holds = tfidf.tocsr()
    assignment = np.full(len(best), -1)
    for text, theme in enumerate(best):
        own = holds.indices[holds.indptr[text]:holds.indptr[text + 1]]
        if loadings[text, theme] > 0 and np.intersect1d(own, member_ids[theme]).size:
            assignment[text] = theme
    used = sorted({int(t) for t in assignment if t >= 0})
    renumber = {old: new for new, old in enumerate(used)}
    assignment = np.array([renumber.get(int(t), -1) for t in assignment])
    return [[str(terms[i]) for i in keyword_ids[old]] for old in used], assignment


def _keyword_ids(component: np.ndarray) -> np.ndarray:
    order = np.argsort(-component)[:KEYWORDS]
    return order[component[order] >= KEYWORD_FLOOR * component[order[0]]] if component[order[0]] > 0 else order[:0]


def _most_coherent(expanded: sp.csr_matrix, present: sp.csc_matrix, weights: np.ndarray, largest: int) -> int:
    rows = np.arange(expanded.shape[0])
    if len(rows) > SELECTION_SAMPLE:
        rows = np.random.default_rng(SEED).choice(rows, SELECTION_SAMPLE, replace=False, p=weights / weights.sum())
    sample, sample_present, sample_weights = expanded[rows], present[rows], weights[rows]
    terms = np.arange(expanded.shape[1]).astype(str)
    scores = {}
    for count in range(MIN_THEMES, largest + 1):
        model = NMF(count, init="nndsvda", random_state=SEED, max_iter=500)
        model.fit(sp.diags(np.sqrt(sample_weights)) @ sample)
        keywords = [[terms[i] for i in _keyword_ids(c)] for c in model.components_]
        scores[count] = _coherence(keywords, sample_present, sample_weights, terms)
    return max(scores, key=lambda count: (round(scores[count], 3), -count))


def _coherence(keywords: list[list[str]], present: sp.csc_matrix, weights: np.ndarray, terms: np.ndarray) -> float:
    """Mean normalised pointwise mutual information of each theme's top keyword pairs, where a
    text written w times counts w times; a pair never seen together scores -1."""
    index = {str(term): i for i, term in enumerate(terms)}
    total = weights.sum()
    scores = []
    for words in keywords:
        ids = [index[w] for w in words[:COHERENCE_TOP]]
        columns = [present[:, i].toarray().ravel() * weights for i in ids]
        flags = [present[:, i].toarray().ravel() > 0 for i in ids]
        pairs = []
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                joint = columns[a][flags[b]].sum() / total
                p_a, p_b = columns[a].sum() / total, columns[b].sum() / total
                if joint <= 0:
                    pairs.append(-1.0)
                elif (flags[a] & flags[b]).sum() < MIN_SUPPORT:
                    pairs.append(0.0)  # seen together in one distinct text: no evidence either way
                elif joint >= 1:
                    pairs.append(1.0)
                else:
                    pairs.append(math.log(joint / (p_a * p_b)) / -math.log(joint))
        if pairs:
            scores.append(sum(pairs) / len(pairs))
    return float(np.mean(scores)) if scores else 0.0
