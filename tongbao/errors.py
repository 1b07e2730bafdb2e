"""Errors that turn an input into a `failed` documents row instead of stopping the batch."""


class ExtractionError(Exception):
    """The file could not be read as a bulletin; the message is the reason shown to the user."""


class UndecodableText(ExtractionError):
    """No encoding turns the bytes into plausible text (the message says which came nearest and why)."""
