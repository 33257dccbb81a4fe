"""The ``briefgen`` command line: the group and its rules in :mod:`.app`, one module per
family of commands (:mod:`.build`: build and validate; :mod:`.check`: analytic hygiene;
:mod:`.info`: schema, new, styles, templates; :mod:`.clearance`: diff, watch, preview).
Importing this package registers every command on the group.

Exit status: 0 success; 2 invalid input (each problem on its own line as
``file:line:column: field.path: message``, no traceback); 1 an internal error (a short message;
the traceback with ``--debug``).
"""

from __future__ import annotations

from . import build, check, clearance, info  # noqa: F401 - each registers its commands on the group
from .app import EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, cli, guarded, main

__all__ = ["EXIT_INTERNAL", "EXIT_INVALID", "EXIT_OK", "cli", "guarded", "main"]
