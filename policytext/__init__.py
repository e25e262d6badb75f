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
    from .cache import (
        AnnotationCache as AnnotationCache,
    )
    from .codebook import (
        Codebook as Codebook,
        load_codebook as load_codebook,
    )
    from .corpus import (
        Corpus as Corpus,
        LoadReport as LoadReport,
        iter_corpus as iter_corpus,
        load_corpus as load_corpus,
    )
    from .entities import (
        EntityTagger as EntityTagger,
        entity_counts as entity_counts,
        places_by_document as places_by_document,
        tag_entities as tag_entities,
    )
    from .errors import (
        PolicyTextError as PolicyTextError,
    )
    from .gazetteer import (
        Gazetteer as Gazetteer,
        load_gazetteer as load_gazetteer,
    )
    from .lexicon import (
        load_lexicon as load_lexicon,
        load_stopwords as load_stopwords,
    )
    from .pipeline import (
        Annotations as Annotations,
        annotate as annotate,
        annotate_files as annotate_files,
    )
    from .report import (
        analyze as analyze,
    )
    from .stats import (
        DocumentTermMatrix as DocumentTermMatrix,
        TokenTable as TokenTable,
        collocations as collocations,
        dictionary_counts as dictionary_counts,
        dictionary_matches as dictionary_matches,
        dispersion as dispersion,
        document_term_matrix as document_term_matrix,
        keyness as keyness,
        kwic as kwic,
        panel as panel,
        term_frequencies as term_frequencies,
        tokenize_corpus as tokenize_corpus,
        trends as trends,
    )
    from .structure import (
        DocumentParts as DocumentParts,
        split_document as split_document,
        split_sentences as split_sentences,
    )
    from .themes import (
        DictionaryClassifier as DictionaryClassifier,
        ThemeClassifier as ThemeClassifier,
        classify_corpus as classify_corpus,
        evaluate_themes as evaluate_themes,
        theme_shares as theme_shares,
    )
    from .tokenize import (
        Token as Token,
        Tokenizer as Tokenizer,
        cut as cut,
        tokenize as tokenize,
    )
