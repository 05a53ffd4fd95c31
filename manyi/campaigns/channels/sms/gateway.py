"""What every SMS gateway (aliyun.py, tencent.py) offers the SMS channel, and its HTTP call.

A gateway sends one templated message (`send`) and reads the gateway's pushes: delivery
receipts (`receipts`) and customers' replies (`replies`). It never touches the database: the
channel (sms/__init__.py) decides what the outcomes change.
"""

import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass


class GatewayUnreachable(Exception):
    """No connection to the gateway: nothing was sent, the message may be tried again later."""


class BadPush(ValueError):
    """A receipt or reply push that is not in the gateway's format."""


@dataclass
class Sent:
    """The gateway's answer to one message: accepted (with its message id) or refused (why).
    `stop` marks a refusal that every further message would meet too (a wrong key, signature,
    sign name or template, no balance): the batch stops instead of failing one by one.
    `maybe_sent`: no answer came once the request was made, so the message may have gone out.
    `later`: refused for now by the gateway's frequency control on this one number (several
    contacts reached at one mobile): the message waits for a later run, the batch goes on."""

    ok: bool
    message_id: str = ""
    error: str = ""
    stop: bool = False
    maybe_sent: bool = False
    later: bool = False


@dataclass
class Receipt:
    """A delivery receipt: the message (our reference and/or the gateway's id), whether the
    handset received it, the carrier's code when it did not, and when."""

    reference: str
    message_id: str
    delivered: bool
    error: str
    at: str


@dataclass
class Reply:
    """A text a customer sent back: from which number, what, and the gateway's identity of it."""

    phone: str
    text: str
    key: str


# Bytes of an answer read at most: a gateway's answer to one message is well under 1 KB.
ANSWER_LIMIT = 64 * 1024
# HTTP statuses a server in front of the gateway answers before anything is sent (too many
# requests, bad gateway, unavailable): the message can go on a later run.
NOT_TAKEN = (429, 502, 503)


def post(url, body, headers, timeout):
    """POST `body` (bytes); returns (HTTP status, parsed JSON or None). A gateway answers its
    refusals with 4xx and a JSON body, which is returned like a success; an answer longer than
    ANSWER_LIMIT is no gateway's (None)."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"SMS_ENDPOINT must be an http(s) address, not {url!r}")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (checked above)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw = response.status, response.read(ANSWER_LIMIT + 1)
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read(ANSWER_LIMIT + 1)
    except urllib.error.URLError as error:
        if isinstance(error.reason, (ConnectionRefusedError, socket.gaierror)):
            raise GatewayUnreachable(str(error.reason)) from error
        raise
    if len(raw) > ANSWER_LIMIT:
        return status, None
    try:
        return status, json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return status, None


def refusal(status, code, error, *, stop=False, later=False):
    """The gateway's refusal of one message (`code` its error code): a server error is not the
    message's fault and fails nobody. Unavailable (NOT_TAKEN, ServiceUnavailable): nothing was
    sent, it waits with the rest; an internal error (5xx, InternalError): it may have gone
    out, so it is not sent again, and the rest wait. Anything else as the gateway module says."""
    if status in NOT_TAKEN or code.startswith("ServiceUnavailable"):
        return Sent(False, error=error, stop=True)
    if status >= 500 or code.startswith("InternalError"):
        return Sent(False, error=error, stop=True, maybe_sent=True)
    return Sent(False, error=error, stop=stop, later=later)


def no_answer(status, gateway_name):
    """What an HTTP answer that is not the gateway's JSON means for the message: a server in
    front refused it before anything was sent (NOT_TAKEN: it goes on a later run, with the rest),
    or anything else came back after the request was made (it may have gone out: not sent again)."""
    if status in NOT_TAKEN:
        return Sent(False, error=f"HTTP {status}: {gateway_name} did not take the message", stop=True)
    return Sent(False, error=f"HTTP {status}: no answer from {gateway_name}", stop=True, maybe_sent=True)


def json_list(body):
    """The JSON array a gateway pushes (a single object is taken as a list of one)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BadPush("not JSON") from error
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise BadPush("not a list of objects")
    return data


def text_of(item, name, required=True):
    value = item.get(name)
    if value is None or isinstance(value, (dict, list)):
        if required:
            raise BadPush(f"{name} missing")
        return ""
    return str(value)
