"""The SMS channel: invitations and reminders as text messages through the gateway the settings
choose (SMS_PROVIDER: Aliyun, aliyun.py, or Tencent Cloud, tencent.py), with their delivery
receipts and the customers' replies.

- A message is the gateway's approved template (SMS_TEMPLATE_INVITATION, SMS_TEMPLATE_REMINDER)
  filled with the person's name, the invitation's short link (/s/<code>, absolute) and the
  deadline; the template's fixed text ends with 回复TD退订, as Chinese carriers require of
  marketing messages. Parameters are kept short (a name of at most NAME_LENGTH characters, a
  link of about 40), so that a message stays within two 67-character parts.
- A receipt moves an invitation waiting for it to delivered or not delivered, once: a receipt
  pushed again changes nothing more.
- Every reply is kept (SmsReply); one asking to stop (OPT_OUT_WORDS) opts the customers with
  that mobile number out of surveys, as the e-mail opt-out link does.
- Without SMS_PROVIDER (the default) nothing is sent: customers who prefer SMS get a personal
  link staff share (workflow.invitation_channel).
"""

import logging
import re
import unicodedata
import urllib.error
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from manyi.customers.models import Contact, Customer
from manyi.links import absolute_url

from ... import channels
from ...choices import Channel, DeliveryStatus, InvitationStatus
from ...models import Invitation, SmsReply
from . import aliyun, tencent
from .gateway import BadPush, GatewayUnreachable, Sent

logger = logging.getLogger(__name__)

GATEWAYS = {aliyun.NAME: aliyun, tencent.NAME: tencent}

# A mainland China mobile number: 11 ASCII digits beginning 13-19 (\d would take any script's).
MOBILE = re.compile(r"1[3-9][0-9]{9}")
# A reply that asks to stop: 回复TD退订 (TD, T, N and 退订 are what carriers accept).
OPT_OUT_WORDS = {"TD", "T", "N", "退订"}
# Punctuation and symbols around a reply's words ("退订。", "TD!", "【退订】"): all but letters and digits.
_AROUND = re.compile(r"^[\W_]+|[\W_]+$")
NAME_LENGTH = 12
# SMS_CALLBACK_SECRET, the key in the address the gateway pushes to (public_urls.py): the
# characters an address takes as they are, and long enough not to be guessed.
CALLBACK_SECRET_PATTERN = r"[A-Za-z0-9_-]{1,128}"  # noqa: S105 (a pattern, not a secret)
CALLBACK_SECRET_MIN_LENGTH = 16
# Gateways send their times in Beijing time.
GATEWAY_TIME_ZONE = ZoneInfo("Asia/Shanghai")

__all__ = ["BadPush", "SmsChannel", "configured", "mobile_number", "receive"]


def mobile_number(phone):
    """The 11-digit mainland mobile number `phone` is (spaces, dashes, brackets and a +86, 0086
    or 86 prefix dropped; full-width digits, typed with a Chinese input method, read as ASCII),
    or "" for a landline or anything else."""
    digits = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", phone or ""))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return digits if MOBILE.fullmatch(digits) else ""


def configured():
    """Whether SMS is on: a known provider with its key, secret, sign name and template."""
    provider = settings.SMS_PROVIDER
    needed = [
        settings.SMS_ACCESS_KEY_ID,
        settings.SMS_ACCESS_KEY_SECRET,
        settings.SMS_SIGN_NAME,
        settings.SMS_TEMPLATE_INVITATION,
    ]
    if provider == tencent.NAME:
        needed.append(settings.SMS_APP_ID)
    return provider in GATEWAYS and all(needed)


def gateway(provider=None):
    module = GATEWAYS[provider or settings.SMS_PROVIDER]
    return module.Gateway(
        key_id=settings.SMS_ACCESS_KEY_ID,
        secret=settings.SMS_ACCESS_KEY_SECRET,
        sign_name=settings.SMS_SIGN_NAME,
        app_id=settings.SMS_APP_ID,
        endpoint=settings.SMS_ENDPOINT,
        region=settings.SMS_REGION,
        timeout=settings.SMS_TIMEOUT,
    )


def template_params(invitation):
    """The template's variables, in the order of Tencent's {1} {2} {3}: name, link, deadline."""
    person = invitation.contact.name if invitation.contact else invitation.customer.name
    deadline = invitation.campaign.deadline
    return {
        "name": person[:NAME_LENGTH],
        "link": absolute_url(invitation.short_path()),
        "deadline": timezone.localtime(deadline).strftime("%m-%d") if deadline else "-",
    }


class SmsChannel:
    channel = Channel.SMS

    def reachable(self, invitations):
        if not configured():
            return invitations.none()
        return channels.contactable(invitations.filter(channel=Channel.SMS)).exclude(phone="")

    def send(self, invitations, *, reminder):
        """One request per message (its receipt names it by our invitation id). A message the
        gateway refuses is marked failed with its reason and never sent again by itself; one
        refused for now by the number's frequency limit waits for a later run; a refusal every
        message would meet (a wrong key) stops the batch, that message and the rest going back
        for a later run, as they do when the gateway cannot be reached; a request left without
        an answer (it may have gone out) stays sent and is not sent again."""
        if not invitations:
            return 0, 0
        sender = gateway()
        template = (reminder and settings.SMS_TEMPLATE_REMINDER) or settings.SMS_TEMPLATE_INVITATION
        sent = failed = 0
        for index, invitation in enumerate(invitations):
            result = _send_one(sender, template, invitation)
            if result.ok:
                accepted = {"provider_message_id": result.message_id[:100], "error": ""}
                if reminder:
                    # A reminder is a new message: it waits for its own receipt. (An invitation
                    # waits since its claim: a receipt that came first is not undone here.)
                    accepted.update(delivery_status=DeliveryStatus.PENDING, delivered_at=None)
                Invitation.objects.filter(pk=invitation.pk).update(**accepted)
                sent += 1
                continue
            if result.later:
                # This number's frequency limit: the message goes out on a later run.
                channels.release([invitation.pk], reminder=reminder)
                Invitation.objects.filter(pk=invitation.pk).update(error=result.error[:300])
                continue
            Invitation.objects.filter(pk=invitation.pk).update(error=result.error[:300])
            if not result.stop:
                failed += 1
                if not reminder:
                    Invitation.objects.filter(pk=invitation.pk).update(
                        status=InvitationStatus.FAILED, delivery_status=DeliveryStatus.FAILED
                    )
                continue
            # No answer once the request was made: the message may have reached the customer,
            # so it stays sent (waiting for its receipt; the reminders carry the link again) and
            # is never sent twice. Refused for what every message would meet (a wrong key, no
            # balance) or not sent at all: it waits with the rest, its error shown on the
            # campaign page, and goes out once the gateway or the settings are right.
            failed += result.maybe_sent
            rest = [i.pk for i in invitations[index + result.maybe_sent :]]
            logger.error("SMS not sent: %s; %s messages left for a later run", result.error, len(rest))
            channels.release(rest, reminder=reminder)
            break
        return sent, failed


def _send_one(sender, template, invitation):
    """The gateway's answer to one message, or what became of the request when none came."""
    try:
        return sender.send(
            invitation.phone, template, template_params(invitation), reference=str(invitation.pk)
        )
    except GatewayUnreachable as error:
        return Sent(False, error=f"SMS gateway unreachable: {error}", stop=True)
    except ValueError as error:  # a wrong SMS_ENDPOINT: nothing left
        return Sent(False, error=f"SMS not sent: {error}", stop=True)
    except (OSError, urllib.error.URLError) as error:
        return Sent(False, error=f"no answer from the SMS gateway: {error}", stop=True, maybe_sent=True)


def _gateway_time(text, default):
    moment = parse_datetime(text or "")
    if moment is None:
        return default
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=GATEWAY_TIME_ZONE)


def record_receipts(receipts, now=None):
    """Apply delivery receipts to the invitations waiting for them; returns how many changed.
    A receipt names its message by the gateway's id; Aliyun's also by our invitation id, which
    must agree, and which alone finds an invitation whose message id is not kept (yet): the
    gateway's answer timed out, or the receipt came before we kept the id. One for no waiting
    invitation (pushed again, or unknown) changes nothing."""
    now = now or timezone.now()
    changed = 0
    for receipt in receipts:
        if not receipt.message_id:
            continue
        waiting = Invitation.objects.filter(channel=Channel.SMS, delivery_status=DeliveryStatus.PENDING)
        if receipt.reference:
            if not receipt.reference.isdigit():
                continue
            waiting = waiting.filter(
                Q(provider_message_id=receipt.message_id) | Q(provider_message_id=""),
                pk=int(receipt.reference),
            )
        else:
            waiting = waiting.filter(provider_message_id=receipt.message_id)
        with transaction.atomic():
            ids = list(waiting.values_list("pk", flat=True))
            pending = Invitation.objects.filter(pk__in=ids, delivery_status=DeliveryStatus.PENDING)
            if receipt.delivered:
                changed += pending.update(
                    delivery_status=DeliveryStatus.DELIVERED,
                    delivered_at=_gateway_time(receipt.at, now),
                    provider_message_id=receipt.message_id[:100],
                )
            else:
                changed += pending.update(
                    delivery_status=DeliveryStatus.FAILED,
                    error=receipt.error[:300],
                    provider_message_id=receipt.message_id[:100],
                )
                # The invitation's own message not received: the invitation failed, unless the
                # customer came by it anyway. A reminder's (the message id is the latest one's)
                # leaves it as it was: the invitation reached the customer before.
                Invitation.objects.filter(pk__in=ids, status=InvitationStatus.SENT, reminders_sent=0).update(
                    status=InvitationStatus.FAILED
                )
    return changed


def asks_to_stop(text):
    """Whether a reply asks to stop: one of OPT_OUT_WORDS, in any case, spaces and punctuation
    around it dropped ("退订。", "【TD】"), full-width letters (ＴＤ, typed with a Chinese
    keyboard) read as ASCII: the carriers' 回复TD退订, answered as a customer types it."""
    return _AROUND.sub("", unicodedata.normalize("NFKC", text or "")).upper() in OPT_OUT_WORDS


def _reached_at(model, mobile, customer_field):
    """The customers of `model` rows (customers, contacts) whose phone is `mobile` however it
    was typed (+86 138-1111-0009, 138 1111 0009 …): the rows ending alike, compared as numbers."""
    rows = model.objects.filter(phone__endswith=mobile[-4:]).values_list(customer_field, "phone")
    return {customer for customer, phone in rows if mobile_number(phone) == mobile}


def opt_out_phone(mobile, now=None):
    """Opt the customers reached at `mobile` out of surveys (those we sent an SMS invitation to
    at that number, and those whose or whose contact's phone it is), with all their invitations
    not answered (channels.opt_out). Returns how many customers were newly opted out."""
    sent_to = Invitation.objects.filter(phone=mobile)
    customers = set(sent_to.values_list("customer_id", flat=True))
    customers |= _reached_at(Customer, mobile, "pk") | _reached_at(Contact, mobile, "customer_id")
    latest = dict(sent_to.order_by("pk").values_list("customer_id", "pk"))
    return channels.opt_out(customers, now=now, invitations=latest)


def record_replies(provider, replies, now=None):
    """Keep each reply once (by the gateway's identity of it) and act on those asking to stop;
    returns the replies newly kept."""
    now = now or timezone.now()
    kept = []
    for reply in replies:
        with transaction.atomic():
            row, created = SmsReply.objects.get_or_create(
                key=reply.key[:200],
                defaults={
                    "provider": provider,
                    "phone": reply.phone[:30],
                    "text": reply.text[:500],
                    "received_at": now,
                },
            )
            if not created:
                continue
            mobile = mobile_number(reply.phone)
            if mobile and asks_to_stop(reply.text):
                row.opted_out = opt_out_phone(mobile, now)
                row.save(update_fields=["opted_out"])
            kept.append(row)
    return kept


def receive(provider, kind, body, now=None):
    """A push from the gateway: "receipts" or "replies". Raises BadPush for a body not in the
    gateway's format, before anything is changed. Returns the acknowledgement the gateway wants."""
    receiver = gateway(provider)
    if kind == "receipts":
        record_receipts(receiver.receipts(body), now)
    else:
        record_replies(provider, receiver.replies(body), now)
    return receiver.acknowledgement()
