"""The one exception type a user of nnsvm is meant to see."""


class NnsvmError(Exception):
    """A mistake a person can fix: the message names the cause and the fix.

    Stages print it on one line and exit non-zero, without a stack trace.
    """
