"""``python -m bpnn``: the ``bpnn`` command.

``python -m`` puts the current folder first on ``sys.path``; the command imports nothing from it, so it is taken
off, as the installed ``bpnn`` script has it: a ``numpy.py`` or ``random.py`` in the folder a command runs in
(a learner's, for ``bpnn check``) then shadows nothing bpnn needs.
"""

import os
import sys

from .cli.main import main

if sys.path and sys.path[0] and os.path.abspath(sys.path[0]) == os.getcwd():
    del sys.path[0]
main()
