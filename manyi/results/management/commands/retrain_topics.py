"""manage.py retrain_topics: refit the topic rule on the shipped examples and the topics people
chose on tickets since, and say how it does on the held-out labelled reviews."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from manyi.results import topics


class Command(BaseCommand):
    help = "Retrain the topic rule of open answers and tickets from the topics people chose."

    def handle(self, *args, **options):
        training = topics.retrain()
        accuracy = "–" if training.held_out_accuracy is None else f"{training.held_out_accuracy:.1%}"
        self.stdout.write(
            _(
                "Topic rule retrained from %(shipped)s labelled reviews and %(confirmed)s topics chosen "
                "on tickets; accuracy on the held-out reviews: %(accuracy)s."
            )
            % {
                "shipped": training.shipped_examples,
                "confirmed": training.confirmed_examples,
                "accuracy": accuracy,
            }
        )
