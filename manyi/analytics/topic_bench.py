"""Measuring the topic rule (:mod:`manyi.analytics.topics`) on the labelled reviews. Pure; no Django.

- :func:`held_out_scores`: the seed topics with the shipped training part, scored once on the
  held-out part (40 % of ``text_data/topic_labels.tsv``, by a hash of the text): what
  ``make bench-text`` prints as ``BENCH text.topic_accuracy`` and the per-topic F1.
- :func:`tune`: how α, β, τ and the first-mention bonus were chosen — 5-fold cross-validation on the training part only
  (folds by a hash of the text), the grid below; run
  ``.venv/bin/python -m manyi.analytics.topic_bench tune``. The held-out part is never read by it.
- ``.venv/bin/python -m manyi.analytics.topic_bench`` prints the held-out figures.

The labelling guide of the set is ``text_data/topic_labels.md``.
"""

from __future__ import annotations

import hashlib
import itertools
import sys
import time
from dataclasses import dataclass

from manyi.analytics import topics

ALPHAS = (0.5, 1.0, 2.0, 4.0)
BETAS = (1.0, 2.0, 4.0, 8.0)
TAUS = (0.5, 0.7, 0.9)
FIRSTS = (0.0, 0.5, 1.0, 1.5)


@dataclass(frozen=True)
class TopicMeasure:
    """Held-out figures of one method."""

    scores: topics.TopicScores
    actionable_accuracy: float  # feedback.classify_feedback against the labelled actionable flag
    texts: int
    per_s: float
    random_accuracy: float  # on the randomly sampled texts of the held-out part only
    search_accuracy: float  # on the supplement found by searching for the rare topics


def _parts():
    rows = topics.read_labelled()
    train = [r for r in rows if topics.labelled_split(r.text) == "train"]
    test = [r for r in rows if topics.labelled_split(r.text) == "test"]
    return train, test


def _accuracy(rows, predicted, source):
    pairs = [(r, p) for r, p in zip(rows, predicted, strict=True) if r.source == source]
    return sum(r.topic == p for r, p in pairs) / len(pairs) if pairs else 0.0


def held_out_scores(examples: bool = True, keywords: bool = True) -> TopicMeasure:
    """The rule with the seed topics (without their keywords when ``keywords`` is False) and the
    training part (none when ``examples`` is False), scored on the held-out part."""
    from manyi.analytics.feedback import classify_feedback

    train, test = _parts()
    definitions = [
        topics.TopicDef(d.code, d.keywords if keywords else (), d.name) for d in topics.seed_definitions()
    ]
    classifier = topics.TopicClassifier(definitions, [(r.text, r.topic) for r in train] if examples else ())
    texts = [r.text for r in test]
    classifier.topic(texts[0])
    started = time.perf_counter()
    predicted = classifier.codes_of(texts)
    seconds = time.perf_counter() - started
    actionable = sum(classify_feedback(r.text).actionable == r.actionable for r in test) / len(test)
    return TopicMeasure(
        topics.score_topics(test, predicted),
        actionable,
        len(test),
        len(test) / seconds if seconds else float("inf"),
        _accuracy(test, predicted, "random"),
        _accuracy(test, predicted, "search"),
    )


def _fold(text: str, folds: int) -> int:
    return int.from_bytes(hashlib.sha256(("fold:" + text).encode("utf-8")).digest()[:4], "big") % folds


def cross_validated(alpha: float, beta: float, tau: float, first: float, folds: int = 5) -> float:
    """Mean accuracy over ``folds`` folds of the training part."""
    train, _ = _parts()
    definitions = topics.seed_definitions()
    right = 0
    for k in range(folds):
        fit = [(r.text, r.topic) for r in train if _fold(r.text, folds) != k]
        check = [r for r in train if _fold(r.text, folds) == k]
        classifier = topics.TopicClassifier(definitions, fit, alpha=alpha, beta=beta, tau=tau, first=first)
        right += sum(classifier.topic(r.text).code == r.topic for r in check)
    return right / len(train)


def tune() -> tuple[float, float, float, float, float]:
    """(accuracy, α, β, τ, first) of the best grid point by cross-validation on the training part
    (the first best in grid order when several tie)."""
    best = None
    for alpha, beta, tau, first in itertools.product(ALPHAS, BETAS, TAUS, FIRSTS):
        accuracy = cross_validated(alpha, beta, tau, first)
        print(f"alpha {alpha} beta {beta} tau {tau} first {first}: {accuracy:.4f}")
        if best is None or accuracy > best[0]:
            best = (accuracy, alpha, beta, tau, first)
    return best


def report(measure: TopicMeasure, prefix: str = "text.topic_") -> list[tuple[str, str]]:
    """``BENCH`` name/value pairs of one measure."""
    scores = measure.scores
    lines = [
        (prefix + "accuracy", f"{scores.accuracy:.4f}"),
        (prefix + "lenient_accuracy", f"{scores.lenient_accuracy:.4f}"),
        (prefix + "macro_f1", f"{scores.macro_f1:.4f}"),
        (prefix + "per_s", f"{measure.per_s:.0f}"),
    ]
    for code, (_precision, _recall, f1, _support) in scores.per_topic.items():
        lines.append((f"{prefix}f1.{code}", f"{f1:.4f}"))
    return lines


def main(argv=None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["tune"]:
        print("best (accuracy, alpha, beta, tau, first):", tune())
        return 0
    for name, measure in (
        ("rule", held_out_scores()),
        ("keywords only", held_out_scores(examples=False)),
        ("examples only", held_out_scores(keywords=False)),
    ):
        s = measure.scores
        print(
            f"{name}: accuracy {s.accuracy:.4f} (lenient {s.lenient_accuracy:.4f}, random sample "
            f"{measure.random_accuracy:.4f}, search supplement {measure.search_accuracy:.4f}), "
            f"macro-F1 {s.macro_f1:.4f}, {measure.per_s:.0f} texts/s on {measure.texts} held-out texts; "
            f"actionable agreement {measure.actionable_accuracy:.4f}"
        )
        for code, (p, r, f1, n) in s.per_topic.items():
            print(f"    {code:18s} P {p:.2f} R {r:.2f} F1 {f1:.2f} n {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
