"""manyi-text: the text analysis of open answers on the command line (installed by `make install`).

    manyi-text sentiment < answers.txt > labels.txt

reads one text per line on standard input (UTF-8) and writes one label per line, in the same
order: positive, negative, mixed or neutral (:mod:`manyi.analytics.sentiment`). An empty line
gets an empty line; a line that is not UTF-8 (or holds a NUL byte: binary data) gets an empty
label and a message on standard error naming the line (the other lines are labelled as usual),
so the output always has as many lines as the input. A line longer than ``MAX_LINE_BYTES`` is
labelled by its start (the rest is read and dropped, never held in memory; a character cut in
two at the limit is no error). A UTF-8 byte-order mark at the start is skipped; for input in
UTF-16 (what some Windows editors save as "Unicode") the message says to save it as UTF-8. Exit
status 0, 1 when some line was not readable, 2 for a wrong command; a closed output
(``| head``) or Ctrl-C ends the command quietly, without a traceback.

    manyi-text topics < answers.txt > topics.txt

does the same with one topic code per line (:mod:`manyi.analytics.topics`, the rule as shipped:
the ten seed topics product_quality, delivery, service_attitude, after_sales, price, technical,
environment, billing, communication, other, and the labelled reviews' training part; a company's
own list is read by the application, not by this command). A line without any letter gets an
empty code; unreadable lines, exit status and the rest as above.
"""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Iterator, Sequence

USAGE = "usage: manyi-text {sentiment,topics} < texts (one a line)"
MAX_LINE_BYTES = 1_000_000  # a longer line is labelled by its first 1,000,000 bytes
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _lines(stdin, limit: int = MAX_LINE_BYTES) -> Iterator[bytes]:
    """Each line of a binary stream without its line ending, at most ``limit`` bytes of it: the
    rest of a longer line is read in pieces and dropped."""
    while True:
        piece = stdin.readline(limit)
        if not piece:
            return
        if len(piece) >= limit and not piece.endswith(b"\n"):
            rest = piece
            while rest and not rest.endswith(b"\n"):
                rest = stdin.readline(limit)
        yield piece.rstrip(b"\r\n")


def _text(line: bytes) -> str | None:
    """The line as text, or None when it is not UTF-8 or holds a NUL byte. A multi-byte character
    cut by the length limit at the end is dropped, not taken for an error."""
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(line, final=False)
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def sentiment_lines(stdin, stdout, stderr) -> int:
    from manyi.analytics import sentiment

    model = sentiment.model()
    return label_lines(stdin, stdout, stderr, lambda text: model.classify(text).label)


def topic_lines(stdin, stdout, stderr) -> int:
    from manyi.analytics import topics

    model = topics.shipped_classifier()
    return label_lines(stdin, stdout, stderr, lambda text: model.topic(text).code)


def label_lines(stdin, stdout, stderr, label) -> int:
    """``label(text)`` of each line of ``stdin``, one a line (the rules of the module doc)."""
    unreadable = 0
    for number, line in enumerate(_lines(stdin), 1):
        utf16 = number == 1 and line.startswith(UTF16_BOMS)
        text = _text(line.removeprefix(codecs.BOM_UTF8) if number == 1 else line)
        if text is None:
            unreadable += 1
            hint = " (it looks like UTF-16: save the texts as UTF-8)" if utf16 else ""
            stderr.write(f"manyi-text: line {number} is not UTF-8 text{hint}; its label is left empty.\n")
            stdout.write("\n")
            continue
        stdout.write(label(text) + "\n")
    stdout.flush()
    return 1 if unreadable else 0


def _quietly(run) -> int:
    """run() with a closed output (the reader, e.g. head, stopped) or Ctrl-C ending it without a
    traceback: 0 and 130, as shell tools do."""
    try:
        return run()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python flushes at exit
        return 0
    except KeyboardInterrupt:
        return 130


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["sentiment"]:
        return _quietly(lambda: sentiment_lines(sys.stdin.buffer, sys.stdout, sys.stderr))
    if args == ["topics"]:
        return _quietly(lambda: topic_lines(sys.stdin.buffer, sys.stdout, sys.stderr))
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
