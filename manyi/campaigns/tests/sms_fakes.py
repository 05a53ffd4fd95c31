"""Local fakes of the Aliyun and Tencent Cloud SMS APIs, for tests: real HTTP servers on
127.0.0.1 (threads) that check each request as the gateway does — the signature computed here
from the providers' documentation, independently of channels/sms, the key, sign name, template
and parameters — then keep the message as the handset would show it. Nothing leaves the machine.
"""

import base64
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote_plus


def segments(text):
    """How many messages a text is billed as: 70 characters fit one, longer ones go in parts of 67."""
    return 1 if len(text) <= 70 else -(-len(text) // 67)


@dataclass
class Message:
    phone: str
    text: str
    template: str
    params: object
    reference: str
    message_id: str
    parts: int = 0


@dataclass
class FakeGateway:
    """The common part: an HTTP server whose handler calls `answer(headers, body)`."""

    key_id: str
    secret: str
    sign_name: str
    templates: dict
    messages: list = field(default_factory=list)
    requests: int = 0
    # The gateway's per-number frequency control (流控): at most this many messages to one
    # number, None for no limit; a further one is refused with the provider's limit code.
    number_limit: int | None = None
    # Seconds the next answer is held back (the message kept, as a gateway that took it but
    # answered too late); used once.
    slow_answer: float = 0
    # An HTTP status and page answered instead of the gateway's own, before anything is sent
    # (a load balancer's 503 during an outage); used once.
    outage: tuple | None = None

    def over_number_limit(self, phone):
        sent = sum(1 for message in self.messages if message.phone == phone)
        return self.number_limit is not None and sent >= self.number_limit

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with fake.lock:
                    fake.requests += 1
                    outage, fake.outage = fake.outage, None
                    if outage is None:
                        status, answer = fake.answer(self.headers, body)
                    delay, fake.slow_answer = fake.slow_answer, 0
                time.sleep(delay)
                if outage is not None:
                    status, raw = outage
                else:
                    raw = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html" if outage else "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll: shutdown() waits for the loop's next look, half a second by default.
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def keep(self, **kwargs):
        message = Message(**kwargs)
        message.parts = segments(message.text)
        self.messages.append(message)
        return message


# --------------------------------------------------------------------------- Aliyun


def aliyun_percent(value):
    """Aliyun's rule as its documentation writes it: URL-encode (UTF-8), then + → %20,
    * → %2A, %7E → ~."""
    return (
        quote_plus(str(value), encoding="utf-8").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")
    )


def aliyun_signature(method, params, secret):
    """Signature version 1.0 per Aliyun's documentation (params without Signature)."""
    query = "&".join(aliyun_percent(name) + "=" + aliyun_percent(params[name]) for name in sorted(params))
    string_to_sign = method + "&" + aliyun_percent("/") + "&" + aliyun_percent(query)
    mac = hmac.new((secret + "&").encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


class FakeAliyun(FakeGateway):
    """Dysmsapi 2017-05-25 SendSms. templates: {TemplateCode: "…${name}…"}."""

    nonces: set

    def answer(self, headers, body):
        self.nonces = getattr(self, "nonces", set())
        params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        request_id = str(uuid.uuid4())

        def refuse(status, code, message):
            return status, {"Code": code, "Message": message, "RequestId": request_id}

        given = params.pop("Signature", "")
        for name, wanted in (
            ("Action", "SendSms"),
            ("Version", "2017-05-25"),
            ("Format", "JSON"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
        ):
            if params.get(name) != wanted:
                return refuse(400, "InvalidParameter", f"{name} must be {wanted}")
        if params.get("AccessKeyId") != self.key_id:
            return refuse(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        try:
            stamp = datetime.strptime(params.get("Timestamp", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return refuse(400, "InvalidTimeStamp.Format", "Specified time stamp is not valid.")
        if abs(time.time() - stamp.timestamp()) > 15 * 60:
            return refuse(400, "InvalidTimeStamp.Expired", "Specified time stamp is expired.")
        if not hmac.compare_digest(given, aliyun_signature("POST", params, self.secret)):
            # As Aliyun answers it: with the whole string to sign, the phone number and the
            # template's values (the customer's name) in it.
            canonical = "&".join(
                f"{aliyun_percent(k)}={aliyun_percent(v)}" for k, v in sorted(params.items())
            )
            return refuse(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation. server string to sign is:"
                f"POST&%2F&{aliyun_percent(canonical)}",
            )
        nonce = params.get("SignatureNonce", "")
        if not nonce or nonce in self.nonces:
            return refuse(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        self.nonces.add(nonce)
        if params.get("SignName") != self.sign_name:
            return refuse(200, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        template = self.templates.get(params.get("TemplateCode"))
        if template is None:
            return refuse(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        try:
            values = json.loads(params.get("TemplateParam", "{}"))
        except ValueError:
            return refuse(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法")
        wanted = set(re.findall(r"\$\{(\w+)\}", template))
        if not isinstance(values, dict) or wanted - set(values):
            return refuse(200, "isv.TEMPLATE_MISSING_PARAMETERS", "模板变量缺少对应参数值")
        phone = params.get("PhoneNumbers", "")
        if not re.fullmatch(r"1[3-9]\d{9}", phone):
            return refuse(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if self.over_number_limit(phone):
            return refuse(200, "isv.BUSINESS_LIMIT_CONTROL", "触发号码天级流控Permits:10")
        text = f"【{self.sign_name}】" + re.sub(r"\$\{(\w+)\}", lambda m: str(values[m[1]]), template)
        message = self.keep(
            phone=phone,
            text=text,
            template=params["TemplateCode"],
            params=values,
            reference=params.get("OutId", ""),
            message_id=f"{len(self.messages) + 900619746936498440}^0",
        )
        return 200, {"Code": "OK", "Message": "OK", "BizId": message.message_id, "RequestId": request_id}

    def receipt(self, message, delivered=True):
        """The SmsReport item Aliyun pushes for `message`."""
        return {
            "phone_number": message.phone,
            "send_time": "2026-11-02 10:00:00",
            "report_time": "2026-11-02 10:00:07",
            "success": delivered,
            "err_code": "DELIVERED" if delivered else "MK:0001",
            "err_msg": "用户接收成功" if delivered else "空号",
            "sms_size": str(message.parts),
            "biz_id": message.message_id,
            "out_id": message.reference,
        }

    def reply(self, phone, content, sequence):
        """The SmsUp item Aliyun pushes when `phone` answers."""
        return {
            "phone_number": phone,
            "send_time": "2026-11-02 10:05:00",
            "content": content,
            "sign_name": self.sign_name,
            "dest_code": "1234",
            "sequence_id": sequence,
        }


# --------------------------------------------------------------------------- Tencent


def tc3_signature(secret_key, canonical_request, timestamp, service):
    """TC3-HMAC-SHA256 per Tencent Cloud's documentation, from the canonical request."""
    date = time.strftime("%Y-%m-%d", time.gmtime(timestamp))
    string_to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(timestamp),
            f"{date}/{service}/tc3_request",
            hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
        ]
    )

    def sign(key, text):
        return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()

    secret_date = sign(("TC3" + secret_key).encode("utf-8"), date)
    secret_service = sign(secret_date, service)
    secret_signing = sign(secret_service, "tc3_request")
    return hmac.new(secret_signing, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


AUTHORIZATION = re.compile(
    r"TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[^/]+)/tc3_request, "
    r"SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})"
)


@dataclass
class FakeTencent(FakeGateway):
    """SMS API 2021-01-11 SendSms. templates: {TemplateId: "…{1}…{2}…"}."""

    app_id: str = ""

    def answer(self, headers, body):
        request_id = str(uuid.uuid4())

        def refuse(code, message):
            return 200, {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}

        found = AUTHORIZATION.fullmatch(headers.get("Authorization", ""))
        if not found:
            return refuse("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
        if found["id"] != self.key_id:
            return refuse("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
        try:
            timestamp = int(headers.get("X-TC-Timestamp", ""))
        except ValueError:
            return refuse("AuthFailure.InvalidAuthorization", "X-TC-Timestamp is missing.")
        if abs(time.time() - timestamp) > 300:
            return refuse("AuthFailure.SignatureExpire", "Signature expired.")
        signed = found["signed"].split(";")
        if "content-type" not in signed or "host" not in signed or found["service"] != "sms":
            return refuse("AuthFailure.InvalidAuthorization", "Authorization is invalid.")
        if found["date"] != time.strftime("%Y-%m-%d", time.gmtime(timestamp)):
            return refuse("AuthFailure.InvalidAuthorization", "The date does not match the timestamp.")
        canonical_headers = "".join(
            f"{name}:{(headers.get(name) or '').strip().lower()}\n" for name in signed
        )
        canonical_request = "\n".join(
            ["POST", "/", "", canonical_headers, found["signed"], hashlib.sha256(body).hexdigest()]
        )
        if not hmac.compare_digest(
            found["signature"], tc3_signature(self.secret, canonical_request, timestamp, "sms")
        ):
            return refuse("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
        if headers.get("X-TC-Action") != "SendSms" or headers.get("X-TC-Version") != "2021-01-11":
            return refuse("InvalidAction", "The action or version is not SendSms 2021-01-11.")
        payload = json.loads(body)
        if payload.get("SmsSdkAppId") != self.app_id:
            return refuse("UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId verify fail.")
        if payload.get("SignName") != self.sign_name:
            return refuse("FailedOperation.SignatureIncorrectOrUnapproved", "签名未审批或格式错误")
        template = self.templates.get(payload.get("TemplateId"))
        if template is None:
            return refuse("FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配")
        values = payload.get("TemplateParamSet") or []
        if len(values) != len(set(re.findall(r"\{(\d+)\}", template))):
            return refuse("InvalidParameterValue.TemplateParameterFormatError", "模板参数个数不匹配")
        statuses = []
        for number in payload.get("PhoneNumberSet") or []:
            if not re.fullmatch(r"\+861[3-9]\d{9}", number):
                statuses.append(
                    {
                        "PhoneNumber": number,
                        "Code": "InvalidParameterValue.IncorrectPhoneNumber",
                        "Message": "手机号格式错误",
                        "SerialNo": "",
                        "Fee": 0,
                        "SessionContext": payload.get("SessionContext", ""),
                        "IsoCode": "CN",
                    }
                )
                continue
            if self.over_number_limit(number[3:]):
                statuses.append(
                    {
                        "PhoneNumber": number,
                        "Code": "LimitExceeded.PhoneNumberDailyLimit",
                        "Message": "单个手机号日下发短信条数超过设定的上限",
                        "SerialNo": "",
                        "Fee": 0,
                        "SessionContext": payload.get("SessionContext", ""),
                        "IsoCode": "CN",
                    }
                )
                continue
            text = f"【{self.sign_name}】" + re.sub(
                r"\{(\d+)\}", lambda m: str(values[int(m[1]) - 1]), template
            )
            message = self.keep(
                phone=number[3:],
                text=text,
                template=payload["TemplateId"],
                params=values,
                reference=payload.get("SessionContext", ""),
                message_id=f"2640:{len(self.messages) + 104571066915705365}",
            )
            statuses.append(
                {
                    "SerialNo": message.message_id,
                    "PhoneNumber": number,
                    "Fee": message.parts,
                    "SessionContext": message.reference,
                    "Code": "Ok",
                    "Message": "send success",
                    "IsoCode": "CN",
                }
            )
        return 200, {"Response": {"SendStatusSet": statuses, "RequestId": request_id}}

    def receipt(self, message, delivered=True):
        """The status callback item Tencent pushes for `message`."""
        return {
            "user_receive_time": "2026-11-02 10:00:07",
            "nationcode": "86",
            "mobile": message.phone,
            "report_status": "SUCCESS" if delivered else "FAIL",
            "errmsg": "DELIVRD" if delivered else "MK:0001",
            "description": "用户短信送达成功" if delivered else "空号",
            "sid": message.message_id,
        }

    def reply(self, phone, text, sequence):
        """The reply callback Tencent pushes when `phone` answers."""
        return {
            "extend": "",
            "mobile": phone,
            "nationcode": "86",
            "sign": self.sign_name,
            "text": text,
            "time": 1793000000 + sequence,
        }
