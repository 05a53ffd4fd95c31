"""manyi-text: the text analysis of open answers on the command line (installed by `make install`).

    manyi-text sentiment < answers.txt > labels.txt

reads one text per line on standard input (UTF-8) and writes one label per line, in the same
order: positive, negative, mixed or neutral (:mod:`manyi.analytics.sentiment`). An empty line
gets an empty line; a line that is not UTF-8 gets an empty label and a message on standard
error naming the line (the other lines are labelled as usual), so the output always has as many
lines as the input. Exit status 0, or 1 when some line was not readable.

``manyi-text topics`` is not available yet: it says so and exits with status 2.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

USAGE = "usage: manyi-text {sentiment,topics} < texts (one a line)"
MAX_LINE_BYTES = 1_000_000  # a longer line is read whole but only its start is scored


def sentiment_lines(stdin, stdout, stderr) -> int:
    from manyi.analytics import sentiment

    model = sentiment.model()
    unreadable = 0
    for number, raw in enumerate(stdin, 1):
        line = raw.rstrip(b"\r\n")
        try:
            text = line[:MAX_LINE_BYTES].decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None or "\x00" in text:
            unreadable += 1
            stderr.write(f"manyi-text: line {number} is not UTF-8 text; its label is left empty.\n")
            stdout.write("\n")
            continue
        stdout.write(model.classify(text).label + "\n")
    stdout.flush()
    return 1 if unreadable else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["sentiment"]:
        return sentiment_lines(sys.stdin.buffer, sys.stdout, sys.stderr)
    if args == ["topics"]:
        print("manyi-text topics: not available yet.", file=sys.stderr)
        return 2
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
