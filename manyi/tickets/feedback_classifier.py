"""Whether a ticket's feedback is actionable (有效反馈) or generic (无效反馈, seed 002).

The rule itself is the pure :func:`manyi.analytics.feedback.classify_feedback`; this module
only chooses the customer's own words: a survey ticket's description is written by the system
(scores, campaign), so its open answers are judged instead.
"""

from manyi.analytics.feedback import classify_feedback
from manyi.customers.masking import strip_contacts


def customer_words(ticket):
    """The customer's words without the phones and e-mail addresses in them: a number to call
    back is no feedback, and the words found are shown (zhang, wei from an address) to readers
    who may not see personal data."""
    if ticket.response_id is None:
        return strip_contacts(ticket.description)
    return strip_contacts(
        "\n".join(
            answer.text.strip()
            for answer in ticket.response.answers.all()
            if answer.text and answer.text.strip()
        )
    )


def feedback_class(ticket):
    """The :class:`~manyi.analytics.feedback.FeedbackClass` of the customer's words."""
    return classify_feedback(customer_words(ticket))
