"""Entity tagging: places, organizations, programmes, slogans, document titles, metrics and dates.

The labels and rules are those of ``spec/entities.md``. One module per concept:

``metric``    METRIC and DATE (numbers, units, value parsing, indicators)
``quoted``    SLOGAN and PROGRAM names in quotation marks
``document``  DOCUMENT titles in 《》 and unbracketed law titles
``place``     PLACE, resolved against the gazetteer and the document's region
``org``       ORG bodies and named organizations
``program``   unquoted PROGRAM names
``tagger``    :class:`EntityTagger`, which runs them all and resolves overlaps
``summary``   corpus-level counts and per-document place lists

Examples
--------
>>> import policytext as pt
>>> pt.tag_entities("汉滨区深入推进“放管服”改革")[["text", "label"]].values.tolist()
[['汉滨区', 'PLACE'], ['放管服', 'SLOGAN']]
"""

from .summary import entity_counts, places_by_document
from .tagger import ATTR_COLUMNS, COLUMNS, LABELS, EntityTagger, tag_entities

__all__ = ["ATTR_COLUMNS", "COLUMNS", "LABELS", "EntityTagger", "entity_counts", "places_by_document", "tag_entities"]
