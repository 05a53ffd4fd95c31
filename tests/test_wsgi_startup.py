"""The web server loads every view when it starts (issue 16: the first dashboard view of a
fresh server took 4.9 s, most of it importing the views' libraries on that request)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wsgi_application_loads_the_views_before_the_first_request():
    script = (
        "import sys, manyi.wsgi; print('manyi.dashboards.views' in sys.modules, 'scipy.stats' in sys.modules)"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    assert found.stdout.split() == ["True", "True"]
