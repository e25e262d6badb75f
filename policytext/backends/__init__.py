"""Optional heavy tokenizer backends.

Each backend lives in its own submodule and imports its third-party engine lazily, only when it is chosen, so
``import policytext`` never pays for torch or HanLP. Users reach the backends through
:class:`policytext.Tokenizer`, for example ``Tokenizer(backend="hanlp", model="/path/to/model")``; the classes
here are the engines behind it.

Submodules
----------
hanlp
    :class:`~policytext.backends.hanlp.HanLPBackend`: HanLP 2.x tokenizer models (``hanlp.load`` of a pretrained
    identifier or a local model directory), with the policy lexicon applied through HanLP's own dictionaries.
"""

from __future__ import annotations

__all__: list[str] = []
