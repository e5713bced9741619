"""placeholder"""


def add_parser(sub) -> None:
    """Register the command."""


