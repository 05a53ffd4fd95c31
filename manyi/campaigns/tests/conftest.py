"""Fixtures of the campaigns tests: the SMS gateways' local fakes (sms_fakes.py)."""

import pytest

from .sms_fakes import FakeAliyun, FakeTencent

CALLBACK_SECRET = "k9Vq2-test-callback-secret_7Yp"

ALIYUN_TEMPLATES = {
    "SMS_480001": "${name}您好，诚邀您参加满意度调查，约5分钟：${link} ，${deadline}截止。回复TD退订",
    "SMS_480002": "${name}您好，满意度调查还差您的意见：${link} ，${deadline}截止。回复TD退订",
}
TENCENT_TEMPLATES = {
    "2100001": "{1}您好，诚邀您参加满意度调查，约5分钟：{2} ，{3}截止。回复TD退订",
    "2100002": "{1}您好，满意度调查还差您的意见：{2} ，{3}截止。回复TD退订",
}


def _fake(provider):
    if provider == "aliyun":
        return FakeAliyun("LTAI5tFakeKeyId", "fake-aliyun-secret", "满意度调查", ALIYUN_TEMPLATES).start()
    return FakeTencent(
        "AKIDfakeSecretId", "fake-tencent-secret", "满意度调查", TENCENT_TEMPLATES, app_id="1400654321"
    ).start()


@pytest.fixture(params=["aliyun", "tencent"])
def sms_gateway(request, settings):
    """A local fake of each SMS gateway in turn, and the settings that send through it."""
    provider = request.param
    fake = _fake(provider)
    templates = list(fake.templates)
    settings.SMS_PROVIDER = provider
    settings.SMS_ACCESS_KEY_ID = fake.key_id
    settings.SMS_ACCESS_KEY_SECRET = fake.secret
    settings.SMS_SIGN_NAME = fake.sign_name
    settings.SMS_APP_ID = "1400654321" if provider == "tencent" else ""
    settings.SMS_TEMPLATE_INVITATION, settings.SMS_TEMPLATE_REMINDER = templates
    settings.SMS_ENDPOINT = fake.url
    settings.SMS_REGION = ""
    settings.SMS_CALLBACK_SECRET = CALLBACK_SECRET
    fake.provider = provider
    yield fake
    fake.stop()
