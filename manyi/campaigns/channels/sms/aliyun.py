"""Aliyun SMS (阿里云短信服务, Dysmsapi 2017-05-25): SendSms, receipts (SmsReport) and replies
(SmsUp) by HTTP batch push.

Requests are RPC-style, signed with signature version 1.0 (HMAC-SHA1): the parameters,
Signature excepted, sorted by name, each name and value percent-encoded (RFC 3986: A-Z a-z 0-9
- _ . ~ as they are, a space as %20), joined as name=value with &; the string to sign is
"POST&%2F&" + that string percent-encoded again; the signature is Base64(HMAC-SHA1(key =
AccessKeySecret + "&", string to sign)). Aliyun's worked example (DescribeRegions, testid /
testsecret, GET) gives OLeaidS1JvxuMvnyHOwuJ+uX5qY= (tests/test_sms_signing.py).

Receipts and replies arrive as JSON arrays POSTed to the address configured in the console;
Aliyun signs neither, so our address carries a secret (SMS_CALLBACK_SECRET) instead.
"""

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from .gateway import BadPush, Receipt, Reply, Sent, json_list, no_answer, post, refusal, text_of

NAME = "aliyun"
ENDPOINT = "https://dysmsapi.aliyuncs.com/"
VERSION = "2017-05-25"
REGION = "cn-hangzhou"

# Refusals every further message would meet as well: stop the batch.
STOP_CODES = {
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "InvalidAccessKeyId.NotFound",
    "InvalidAccessKeyId.Inactive",
    "InvalidTimeStamp.Expired",
    "SignatureNonceUsed",
    "Forbidden.RAM",
    "isv.ACCOUNT_NOT_EXISTS",
    "isv.ACCOUNT_ABNORMAL",
    "isv.AMOUNT_NOT_ENOUGH",
    "isv.OUT_OF_SERVICE",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.SMS_SIGN_ILLEGAL",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    # The account's own limits: its daily quota, the API's request rate.
    "isv.DAY_LIMIT_CONTROL",
    "Throttling",
    "Throttling.User",
    "Throttling.Api",
}
# Refusals for now of one number (流控: so many messages a minute, an hour, a day to one
# mobile): that message waits for a later run, the others go out.
LATER_CODES = {"isv.BUSINESS_LIMIT_CONTROL"}

ACKNOWLEDGEMENT = {"code": 0, "msg": "接收成功"}


def percent_encode(value):
    return quote(str(value), safe="~")


def signature(params, secret, method="POST"):
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class Gateway:
    name = NAME

    def __init__(self, *, key_id, secret, sign_name, endpoint="", region="", timeout=10, **_ignored):
        self.key_id, self.secret, self.sign_name = key_id, secret, sign_name
        self.endpoint = endpoint or ENDPOINT
        self.region = region or REGION
        self.timeout = timeout

    def send(self, phone, template, params, *, reference):
        """SendSms to one mainland number; `params` fill the template's ${name} variables and
        `reference` (our invitation id) comes back in the receipt as out_id."""
        request = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": str(uuid.uuid4()),
            "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": VERSION,
            "PhoneNumbers": phone,
            "SignName": self.sign_name,
            "TemplateCode": template,
            "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
            "OutId": reference,
        }
        request["Signature"] = signature(request, self.secret)
        status, answer = post(
            self.endpoint,
            urlencode(request, quote_via=quote).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Accept": "application/json",
            },
            self.timeout,
        )
        if not isinstance(answer, dict):
            return no_answer(status, "Aliyun SMS")
        code = str(answer.get("Code", ""))
        if code == "OK":
            return Sent(True, message_id=str(answer.get("BizId", "")))
        # SignatureDoesNotMatch quotes the whole request (the customer's number and name): the
        # reason is kept and shown without it.
        message = str(answer.get("Message", "")).split(" server string to sign is", 1)[0]
        return refusal(status, code, f"{code}: {message}", stop=code in STOP_CODES, later=code in LATER_CODES)

    def receipts(self, body):
        """SmsReport: [{phone_number, send_time, report_time, success, err_code, err_msg,
        sms_size, biz_id, out_id}, …]."""
        found = []
        for item in json_list(body):
            success = item.get("success")
            if isinstance(success, str) and success.lower() in ("true", "false"):
                success = success.lower() == "true"
            if not isinstance(success, bool):
                raise BadPush("success is not true or false")
            error = (
                "" if success else f"{text_of(item, 'err_code', False)}: {text_of(item, 'err_msg', False)}"
            )
            found.append(
                Receipt(
                    reference=text_of(item, "out_id", False),
                    message_id=text_of(item, "biz_id"),
                    delivered=success,
                    error=error,
                    at=text_of(item, "report_time", False),
                )
            )
        return found

    def replies(self, body):
        """SmsUp: [{phone_number, send_time, content, sign_name, dest_code, sequence_id}, …]."""
        found = []
        for item in json_list(body):
            phone = text_of(item, "phone_number")
            text = text_of(item, "content")
            sequence = text_of(item, "sequence_id", False)
            key = sequence or f"{phone}:{text_of(item, 'send_time', False)}:{_digest(text)}"
            found.append(Reply(phone=phone, text=text, key=f"{NAME}:{key}"))
        return found

    def acknowledgement(self):
        return ACKNOWLEDGEMENT


def _digest(text):
    return hashlib.sha256(text.encode()).hexdigest()[:16]
