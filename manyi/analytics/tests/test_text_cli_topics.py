"""`manyi-text topics`: one topic code per input line, in order, whatever comes (issue 18 points
2 and 3); the same reading of lines as `manyi-text sentiment` (text_cli.label_lines)."""

import io
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.analytics import text_cli, topics


def run(data: bytes):
    return subprocess.run(
        [sys.executable, "-m", "manyi.analytics.text_cli", "topics"],
        input=data,
        capture_output=True,
        timeout=120,
        check=False,
    )


def codes(done) -> list[str]:
    return done.stdout.decode().split("\n")[:-1]


def test_one_code_per_line_in_order():
    done = run("快递太慢了\n价格太贵\n客服态度很差\n挺好\n".encode())
    assert done.returncode == 0 and done.stderr == b""
    assert codes(done) == ["delivery", "price", "service_attitude", "other"]


def test_blank_letterless_and_unreadable_lines_get_an_empty_code_and_a_message():
    done = run(
        "快递太慢了\n\n。。。\n".encode()
        + b"\xff\xfe\x00x\n"
        + "东西不错".encode("gb18030")
        + "\n价格太贵".encode()
    )
    assert done.returncode == 1
    assert codes(done) == ["delivery", "", "", "", "", "price"]
    message = done.stderr.decode()
    assert "line 4 is not UTF-8 text" in message and "line 5 is not UTF-8 text" in message
    assert "Traceback" not in message


def test_the_command_agrees_with_the_shipped_rule():
    texts = [row.text for row in topics.read_labelled()[:40]]
    done = run("\n".join(texts).encode() + b"\n")
    model = topics.shipped_classifier()
    assert codes(done) == [model.topic(t).code for t in texts]


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_one_code_line_per_input_line_and_never_a_traceback(data):
    out, err = io.StringIO(), io.StringIO()
    status = text_cli.topic_lines(io.BytesIO(data), out, err)
    assert status in (0, 1)
    expected = data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)
    lines = out.getvalue().split("\n")[:-1]
    assert len(lines) == expected
    assert set(lines) <= {"", *topics.SEED_CODES}
