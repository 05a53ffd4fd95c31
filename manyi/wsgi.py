import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "manyi.settings")
application = get_wsgi_application()

# Load every view (and what they import: scipy's statistics alone take 2-3 s) when the server
# starts, not on the first request: the first user of a fresh worker waited for the imports
# (the demo's first dashboard: 4.9 s).
import_module(settings.ROOT_URLCONF)
