"""Command-line tools of the analysis engine (installed by `make install`)."""


def main(argv=None):
    """manyi-pls MODEL.json DATA.csv [--bootstrap N --seed S]: see manyi.analytics.pls."""
    from manyi.analytics.pls import command_line

    return command_line(argv)
