"""policytext: text-as-data for Chinese government documents.

The pipeline, one module per stage::

    corpus -> structure -> tokenize -> entities -> themes -> stats -> plot

Everything public is reachable from the top-level package; submodules are imported on first use, so
``import policytext`` is fast and has no side effects.

Examples
--------
>>> import policytext as pt
>>> parts = pt.split_document("一、坚持党的领导。一是加强学习。二是落实责任。")
>>> list(parts.sentences["text"])
['一、坚持党的领导。', '一是加强学习。', '二是落实责任。']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> submodule that defines it
_EXPORTS: dict[str, str] = {
    # corpus
    "load_corpus": "corpus",
    "iter_corpus": "corpus",
    "Corpus": "corpus",
    "LoadReport": "corpus",
    # structure
    "split_document": "structure",
    "split_sentences": "structure",
    "DocumentParts": "structure",
    # tokenize
    "Tokenizer": "tokenize",
    "Token": "tokenize",
    "tokenize": "tokenize",
    "cut": "tokenize",
    # resources: policy lexicon, gazetteer, stopwords
    "load_lexicon": "lexicon",
    "load_stopwords": "lexicon",
    "Gazetteer": "gazetteer",
    "load_gazetteer": "gazetteer",
    # entities
    "EntityTagger": "entities",
    "tag_entities": "entities",
    "entity_counts": "entities",
    "places_by_document": "entities",
    # themes
    "Codebook": "codebook",
    "load_codebook": "codebook",
    "ThemeClassifier": "themes",
    "DictionaryClassifier": "themes",
    "classify_corpus": "themes",
    "theme_shares": "themes",
    "evaluate_themes": "themes",
    # statistics
    "document_term_matrix": "stats",
    "term_frequencies": "stats",
    "dictionary_counts": "stats",
    "keyness": "stats",
    "trends": "stats",
    "panel": "stats",
    "kwic": "stats",
    "collocations": "stats",
    "dispersion": "stats",
    "tokenize_corpus": "stats",
    "TokenTable": "stats",
    "DocumentTermMatrix": "stats",
    "dictionary_matches": "stats",
    # whole corpus: pipeline, cache, report
    "annotate": "pipeline",
    "annotate_files": "pipeline",
    "Annotations": "pipeline",
    "AnnotationCache": "cache",
    "analyze": "report",
    # errors
    "PolicyTextError": "errors",
}

_SUBMODULES = {
    "corpus",
    "readers",
    "regions",
    "structure",
    "tokenize",
    "lexicon",
    "gazetteer",
    "entities",
    "codebook",
    "themes",
    "stats",
    "plot",
    "pipeline",
    "cache",
    "report",
    "backends",
    "errors",
    "cli",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is not None:
        module = importlib.import_module(f"{__name__}.{module_name}")
        value = getattr(module, name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'policytext' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS) | _SUBMODULES)


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .corpus import Corpus, LoadReport, load_corpus
    from .errors import PolicyTextError
    from .structure import DocumentParts, split_document, split_sentences
