"""The policytext error hierarchy.

Every error raised on purpose by policytext is a :class:`PolicyTextError`. Each subclass also inherits the
built-in exception a caller would naturally catch (``ValueError``, ``ImportError``, ``FileNotFoundError``), so
``except ValueError`` keeps working in code that does not know about policytext.

Messages follow one pattern: what was expected, what was received, and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "PolicyTextError",
    "InputError",
    "CorpusError",
    "DecodeError",
    "ParameterError",
    "BackendNotAvailableError",
    "ModelNotFoundError",
    "ResourceError",
    "CodebookError",
    "NotFittedError",
]


class PolicyTextError(Exception):
    """Base class of every error policytext raises on purpose."""


class InputError(PolicyTextError, ValueError):
    """The data handed to policytext cannot be used (wrong type, missing column, empty input...)."""


class CorpusError(InputError):
    """A corpus source cannot be read: missing path, unknown format, no documents."""


class DecodeError(CorpusError):
    """A file is binary or its bytes do not decode as UTF-8, UTF-16 or GB18030."""


class ParameterError(PolicyTextError, ValueError):
    """A parameter has a value outside what the function accepts."""


class BackendNotAvailableError(PolicyTextError, ImportError):
    """An optional backend (HanLP, torch, dask...) is not installed; the message says how to install it."""


class ModelNotFoundError(PolicyTextError, FileNotFoundError):
    """A model file or directory cannot be found; the message says where policytext looked."""


class ResourceError(PolicyTextError, ValueError):
    """A lexicon, dictionary or other resource file is malformed; the message names the file and line."""


class CodebookError(ResourceError):
    """A theme codebook is malformed; the message names the file, the theme and the problem."""


class NotFittedError(PolicyTextError, ValueError, AttributeError):
    """An estimator was used before ``fit`` (same contract as ``sklearn.exceptions.NotFittedError``)."""


def check_choice(name: str, value: object, choices) -> None:
    """Raise :class:`ParameterError` unless ``value`` is one of ``choices``.

    >>> check_choice("on_error", "skip", ("skip", "raise"))
    >>> check_choice("on_error", "ignore", ("skip", "raise"))
    Traceback (most recent call last):
    ...
    policytext.errors.ParameterError: on_error must be one of 'skip', 'raise'; got 'ignore'.
    """
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ParameterError(f"{name} must be one of {allowed}; got {value!r}.")
