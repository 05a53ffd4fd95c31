"""`manyi-text sentiment` on bad input: one label line per input line whatever comes, a clear
message on standard error, never a traceback."""

import io
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.analytics import text_cli
from manyi.analytics.sentiment import MIXED, NEGATIVE, POSITIVE


def run(data: bytes, *args: str):
    return subprocess.run(
        [sys.executable, "-m", "manyi.analytics.text_cli", *(args or ("sentiment",))],
        input=data,
        capture_output=True,
        timeout=120,
        check=False,
    )


def labels(done) -> list[str]:
    return done.stdout.decode().split("\n")[:-1]


def in_process(data: bytes) -> tuple[int, list[str], str]:
    out, err = io.StringIO(), io.StringIO()
    status = text_cli.sentiment_lines(io.BytesIO(data), out, err)
    return status, out.getvalue().split("\n")[:-1], err.getvalue()


def test_empty_and_blank_lines_get_an_empty_label_and_crlf_and_a_missing_last_newline_are_read():
    done = run("非常满意\r\n\r\n   \n\u3000\n快递太慢了，包装破损".encode())
    assert done.returncode == 0 and done.stderr == b""
    assert labels(done) == [POSITIVE, "", "", "", NEGATIVE]


def test_a_line_not_utf8_in_the_middle_is_named_and_left_empty_the_others_labelled():
    done = run(
        "非常满意\n".encode() + "东西不错".encode("gb18030") + b"\n\xe5\xbf\xab\x00\n" + "太差了\n".encode()
    )
    assert done.returncode == 1
    assert labels(done) == [POSITIVE, "", "", NEGATIVE]
    message = done.stderr.decode()
    assert "line 2 is not UTF-8 text" in message and "line 3 is not UTF-8 text" in message
    assert "Traceback" not in message


def test_utf16_input_says_what_to_do():
    done = run("非常满意\n太差了\n".encode("utf-16"))
    assert "UTF-16" in done.stderr.decode() and "Traceback" not in done.stderr.decode()
    assert done.returncode == 1


def test_a_utf8_byte_order_mark_is_skipped():
    assert labels(run("\ufeff非常满意\n".encode())) == [POSITIVE]


def test_a_huge_line_is_labelled_by_its_start_without_an_error_where_the_limit_cuts_a_character():
    # The limit falls inside a three-byte character: no "not UTF-8" for a line that is.
    filler = "东西不错，就是物流太慢了。" * (text_cli.MAX_LINE_BYTES // 30)
    assert filler.encode()[text_cli.MAX_LINE_BYTES] & 0xC0 == 0x80  # a character's second byte
    done = run(filler.encode() * 3 + b"\n" + "太差了\n".encode())
    assert done.returncode == 0, done.stderr
    assert labels(done) == [MIXED, NEGATIVE]


def test_lines_are_read_in_pieces_of_the_limit():
    stream = io.BytesIO(b"a" * 25 + b"\n" + b"b" * 5 + b"\n" + b"c" * 10)
    assert list(text_cli._lines(stream, limit=10)) == [b"a" * 10, b"b" * 5, b"c" * 10]


def test_a_closed_output_ends_quietly(tmp_path):
    many = tmp_path / "many.txt"
    many.write_text("非常满意\n" * 30_000, encoding="utf-8")
    done = subprocess.run(
        ["bash", "-c", f"'{sys.executable}' -m manyi.analytics.text_cli sentiment < '{many}' | head -n 1"],
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert done.stdout.decode() == POSITIVE + "\n"
    assert done.stderr == b""


def test_a_wrong_command_says_how_to_call_it():
    done = run(b"x\n", "sentimant")
    assert done.returncode == 2 and b"usage: manyi-text" in done.stderr


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=40).filter(lambda b: b"\n" not in b), max_size=8))
def test_any_bytes_give_one_label_line_per_input_line(lines):
    status, out, err = in_process(b"\n".join(lines) + b"\n" if lines else b"")
    assert len(out) == len(lines)
    assert set(out) <= {"", "positive", "negative", "mixed", "neutral"}
    assert status in (0, 1) and (status == 1) == bool(err)
