"""``python -m bpnn``: the ``bpnn`` command."""

from .cli.main import main

main()
