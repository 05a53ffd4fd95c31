"""Tencent Cloud SMS (腾讯云短信, API 3.0, version 2021-01-11): SendSms, status callbacks
(短信下发状态) and reply callbacks (短信回复).

Requests are JSON POSTs signed with TC3-HMAC-SHA256: the canonical request is
"POST\\n/\\n\\ncontent-type:application/json; charset=utf-8\\nhost:<host>\\n\\ncontent-type;host\\n"
+ hex SHA-256 of the body; the string to sign is "TC3-HMAC-SHA256\\n<timestamp>\\n<UTC
date>/sms/tc3_request\\n" + hex SHA-256 of the canonical request; the key is derived
HMAC-SHA256("TC3" + SecretKey, date) → service → "tc3_request", and the signature is the hex
HMAC-SHA256 of the string to sign. Tencent's worked example (DescribeInstances, timestamp
1551113065) gives 2230eefd…652c (tests/test_sms_signing.py).

Callbacks are POSTed to the addresses configured in the console, unsigned, so our address
carries a secret (SMS_CALLBACK_SECRET) instead.
"""

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from .gateway import BadPush, Receipt, Reply, Sent, json_list, no_answer, post, refusal, text_of

NAME = "tencent"
ENDPOINT = "https://sms.tencentcloudapi.com/"
SERVICE = "sms"
VERSION = "2021-01-11"
REGION = "ap-guangzhou"
CONTENT_TYPE = "application/json; charset=utf-8"

# Refusals every further message would meet as well (a wrong key or app, the account's daily
# quotas, the API's request rate): stop the batch.
STOP_PREFIXES = ("AuthFailure", "UnauthorizedOperation", "RequestLimitExceeded", "LimitExceeded.App")
STOP_CODES = {
    "LimitExceeded.DailyLimit",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.InsufficientBalanceInSmsPackage",
    "FailedOperation.MissingSignature",
    "FailedOperation.MissingTemplate",
    "InvalidParameterValue.TemplateParameterFormatError",
}

# Refusals for now of one number (so many messages in 30 seconds, an hour, a day to one mobile):
# that message waits for a later run, the others go out.
LATER_PREFIX = "LimitExceeded.PhoneNumber"

ACKNOWLEDGEMENT = {"result": 0, "errmsg": "OK"}


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _hmac(key, message):
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def authorization(secret_id, secret_key, *, host, payload, timestamp, service=SERVICE):
    """The Authorization header of a POST of `payload` (bytes) to `host` at `timestamp`."""
    canonical_request = (
        f"POST\n/\n\ncontent-type:{CONTENT_TYPE}\nhost:{host}\n\ncontent-type;host\n{_sha256(payload)}"
    )
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{_sha256(canonical_request.encode())}"
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"


class Gateway:
    name = NAME

    def __init__(self, *, key_id, secret, sign_name, app_id, endpoint="", region="", timeout=10, **_ignored):
        self.key_id, self.secret, self.sign_name, self.app_id = key_id, secret, sign_name, app_id
        self.endpoint = endpoint or ENDPOINT
        self.region = region or REGION
        self.timeout = timeout

    def send(self, phone, template, params, *, reference):
        """SendSms to one mainland number; `params` fill the template's {1}, {2}, … in order and
        `reference` (our invitation id) is the SessionContext."""
        payload = json.dumps(
            {
                "PhoneNumberSet": [f"+86{phone}"],
                "SmsSdkAppId": self.app_id,
                "SignName": self.sign_name,
                "TemplateId": template,
                "TemplateParamSet": [str(value) for value in params.values()],
                "SessionContext": reference,
            },
            ensure_ascii=False,
        ).encode()
        host = urlsplit(self.endpoint).netloc
        timestamp = int(time.time())
        headers = {
            "Authorization": authorization(
                self.key_id, self.secret, host=host, payload=payload, timestamp=timestamp
            ),
            "Content-Type": CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": "SendSms",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": VERSION,
            "X-TC-Region": self.region,
        }
        status, answer = post(self.endpoint, payload, headers, self.timeout)
        response = answer.get("Response") if isinstance(answer, dict) else None
        if not isinstance(response, dict):
            return no_answer(status, "Tencent Cloud SMS")
        if "Error" in response:
            code = str(response["Error"].get("Code", ""))
            return refusal(status, code, f"{code}: {response['Error'].get('Message', '')}", stop=_stops(code))
        statuses = response.get("SendStatusSet") or [{}]
        result = statuses[0]
        code = str(result.get("Code", ""))
        if code == "Ok":
            return Sent(True, message_id=str(result.get("SerialNo", "")))
        return refusal(
            status,
            code,
            f"{code}: {result.get('Message', '')}",
            stop=_stops(code),
            later=code.startswith(LATER_PREFIX) and code != "LimitExceeded.PhoneNumberCountLimit",
        )

    def receipts(self, body):
        """Status callback: [{user_receive_time, nationcode, mobile, report_status, errmsg,
        description, sid}, …]; report_status SUCCESS or FAIL."""
        found = []
        for item in json_list(body):
            status = text_of(item, "report_status")
            if status not in ("SUCCESS", "FAIL"):
                raise BadPush("report_status is not SUCCESS or FAIL")
            delivered = status == "SUCCESS"
            error = (
                ""
                if delivered
                else f"{text_of(item, 'errmsg', False)}: {text_of(item, 'description', False)}"
            )
            found.append(
                Receipt(
                    reference="",
                    message_id=text_of(item, "sid"),
                    delivered=delivered,
                    error=error,
                    at=text_of(item, "user_receive_time", False),
                )
            )
        return found

    def replies(self, body):
        """Reply callback: {extend, mobile, nationcode, sign, text, time} (one, or a list)."""
        found = []
        for item in json_list(body):
            phone = text_of(item, "mobile")
            text = text_of(item, "text")
            key = f"{NAME}:{phone}:{text_of(item, 'time', False)}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"
            found.append(Reply(phone=phone, text=text, key=key))
        return found

    def acknowledgement(self):
        return ACKNOWLEDGEMENT


def _stops(code):
    return code.startswith(STOP_PREFIXES) or code in STOP_CODES
