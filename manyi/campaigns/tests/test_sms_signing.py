"""The gateways' request signatures, checked against the worked examples of the providers' own
documentation: our signer (channels/sms) and the fakes' verifier (sms_fakes.py) both give
the documented values, so a fake that accepts our requests is checking the real rule."""

import hashlib

from manyi.campaigns.channels.sms import aliyun, tencent

from .sms_fakes import aliyun_signature, tc3_signature

# Aliyun's "Signature mechanism" example: DescribeRegions, AccessKeyId testid, secret testsecret.
ALIYUN_DOC_PARAMS = {
    "Timestamp": "2016-02-23T12:46:24Z",
    "Format": "XML",
    "AccessKeyId": "testid",
    "Action": "DescribeRegions",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    "Version": "2014-05-26",
    "SignatureVersion": "1.0",
}
ALIYUN_DOC_SIGNATURE = "OLeaidS1JvxuMvnyHOwuJ+uX5qY="

# Tencent Cloud's "Signature v3" example: CVM DescribeInstances at 1551113065 (2019-02-25 UTC),
# the key as the documentation prints it.
TENCENT_DOC_KEY = "Gu5t9xGARNpq86cd98joQYCN3*******"
TENCENT_DOC_ID = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******"
TENCENT_DOC_PAYLOAD = (
    b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
)
TENCENT_DOC_PAYLOAD_HASH = "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
TENCENT_DOC_SIGNATURE = "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"


def test_our_aliyun_signature_is_the_documented_one():
    assert aliyun.signature(ALIYUN_DOC_PARAMS, "testsecret", method="GET") == ALIYUN_DOC_SIGNATURE


def test_the_fake_aliyun_checks_the_documented_signature():
    assert aliyun_signature("GET", ALIYUN_DOC_PARAMS, "testsecret") == ALIYUN_DOC_SIGNATURE


def test_aliyun_percent_encoding_follows_rfc_3986_as_aliyun_writes_it():
    assert aliyun.percent_encode("a b*c~d/é") == "a%20b%2Ac~d%2F%C3%A9"
    assert aliyun.percent_encode('{"name":"周"}') == "%7B%22name%22%3A%22%E5%91%A8%22%7D"


def test_our_tencent_authorization_is_the_documented_one():
    assert hashlib.sha256(TENCENT_DOC_PAYLOAD).hexdigest() == TENCENT_DOC_PAYLOAD_HASH
    header = tencent.authorization(
        TENCENT_DOC_ID,
        TENCENT_DOC_KEY,
        host="cvm.tencentcloudapi.com",
        payload=TENCENT_DOC_PAYLOAD,
        timestamp=1551113065,
        service="cvm",
    )
    assert header == (
        f"TC3-HMAC-SHA256 Credential={TENCENT_DOC_ID}/2019-02-25/cvm/tc3_request, "
        f"SignedHeaders=content-type;host, Signature={TENCENT_DOC_SIGNATURE}"
    )


def test_the_fake_tencent_checks_the_documented_signature():
    canonical_request = (
        "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\n"
        f"content-type;host\n{TENCENT_DOC_PAYLOAD_HASH}"
    )
    assert tc3_signature(TENCENT_DOC_KEY, canonical_request, 1551113065, "cvm") == TENCENT_DOC_SIGNATURE
