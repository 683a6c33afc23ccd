"""The package's exceptions for the user: ``UserError`` is a message in Swedish meant for the person
at the screen or the command line (its text is ``str(exc)``), not a bug.

Every error class that carries such a message subclasses it (``tests/test_errors.py`` lists them),
so the command line and the pages catch it in one place. An error in the code (a bug) is never one.
"""

from __future__ import annotations


class UserError(Exception):
    """A message in Swedish for the user; ``str(exc)`` is the whole message."""


class StoreError(UserError, RuntimeError):
    """The participant or payment store refused a change or could not be read consistently."""
