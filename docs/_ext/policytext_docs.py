"""Sphinx extension of the policytext documentation.

``.. policytext-codebooks::``
    The codebooks shipped with policytext (:func:`policytext.codebook.available_codebooks`): for each, its title,
    description and a table of label ids and names, read from the codebook files themselves.

``.. policytext-cli::``
    The command-line reference, rendered from the argparse parsers of :mod:`policytext.cli` (the same text as
    ``policytext <command> --help``), one section per subcommand, so that it never drifts from the code.
    Option ``:commands: a, b`` limits it to some subcommands; ``:overview:`` adds ``policytext --help`` first.

Cross-references to re-exported names
    ``:func:`policytext.load_corpus``` (a top-level alias) and ``:class:`policytext.stats.tokens.TokenTable```
    (the defining module of a re-exported name) resolve to the page where the object is documented, found by
    object identity; references that still do not resolve stay plain text, as Sphinx leaves them.
"""

from __future__ import annotations

import argparse
import os
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

HELP_WIDTH = 96


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, tuple[argparse.ArgumentParser, str]]:
    """Subcommand name -> (parser, one-line help), in the order ``policytext --help`` lists them."""
    out: dict[str, tuple[argparse.ArgumentParser, str]] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                out[name] = (sub, helps.get(name, ""))
    return out


def _format_help(parser: argparse.ArgumentParser) -> str:
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(HELP_WIDTH)
    try:
        return parser.format_help().rstrip()
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


def _literal(text: str) -> list[str]:
    return [".. code-block:: text", ""] + [("   " + line) if line.strip() else "" for line in text.splitlines()] + [""]


def _command(title: str, label: str, parser: argparse.ArgumentParser, summary: str, underline: str) -> list[str]:
    """reST of one command: label, title, summary, ``--help`` text, then its own subcommands (``eval themes``)."""
    lines = [f".. _{label}:", "", title, underline * len(title), ""]
    if summary:
        lines += [summary[0].upper() + summary[1:] + ("" if summary.endswith(".") else "."), ""]
    lines += _literal(_format_help(parser))
    for name, (sub, sub_summary) in _subparsers(parser).items():
        lines += _command(f"{title} {name}", f"{label}-{name}", sub, sub_summary, "~")
    return lines


class PolicyTextCliDirective(SphinxDirective):
    """Render the ``policytext`` command line from its argparse parsers."""

    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {"commands": directives.unchanged, "overview": directives.flag}

    def run(self) -> list[nodes.Node]:
        from policytext.cli import build_parser

        parser = build_parser()
        subs = _subparsers(parser)
        wanted = [c.strip() for c in self.options.get("commands", "").split(",") if c.strip()] or list(subs)
        unknown = [c for c in wanted if c not in subs]
        if unknown:
            raise self.error(f"policytext-cli: unknown command(s) {unknown}; known: {sorted(subs)}")
        lines: list[str] = []
        if "overview" in self.options:
            lines += ["``policytext --help``:", ""] + _literal(_format_help(parser))
        for name in wanted:
            sub, summary = subs[name]
            lines += _command(f"policytext {name}", f"cli-{name}", sub, summary, "-")
        self.env.note_dependency(__file__)
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source="policytext-cli"), container)
        return container.children


class PolicyTextCodebooksDirective(SphinxDirective):
    """Render the shipped codebooks: title, description, label ids and names."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from policytext.codebook import available_codebooks, load_codebook

        lines: list[str] = []
        for name in available_codebooks():
            cb = load_codebook(name)
            title = getattr(cb, "title", "") or ""
            description = " ".join(str(getattr(cb, "description", "") or "").split())
            lines += [f"``{name}``" + (f" — {title}" if title else ""), ""]
            if description:
                lines += [f"   {description}", ""]
            lines += ["   .. list-table::", "      :header-rows: 1", "      :widths: 35 65", "",
                      "      * - id", "        - name"]
            for label in cb.labels:
                lines += [f"      * - ``{label}``", f"        - {cb[label].name}"]
            lines.append("")
            self.env.note_dependency(str(getattr(cb, "source", "") or ""))
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source="policytext-codebooks"), container)
        return container.children


# ----------------------------------------------------------------------------------- cross-references


def _documented_objects(env: Any) -> dict[int, tuple[str, str]]:
    """id(object) -> (documented full name, object type) for every documented policytext object."""
    cache = getattr(env, "_policytext_objects", None)
    if cache is not None and cache[0] == len(env.domains["py"].objects):
        return cache[1]
    from sphinx.ext.autosummary import import_by_name

    table: dict[int, tuple[str, str]] = {}
    for fullname, entry in env.domains["py"].objects.items():
        if not fullname.startswith("policytext") or getattr(entry, "aliased", False):
            continue
        try:
            _, obj, _, _ = import_by_name(fullname)
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            continue
        if isinstance(obj, (str, int, float, tuple, dict, frozenset, type(None))):
            continue  # constants: identity is meaningless
        # prefer the shortest documented name (the package page over the module page)
        if id(obj) not in table or len(fullname) < len(table[id(obj)][0]):
            table[id(obj)] = (fullname, entry.objtype)
    env._policytext_objects = (len(env.domains["py"].objects), table)
    return table


def resolve_alias(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    """``missing-reference`` handler: resolve ``policytext.*`` names documented under another name."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "").lstrip(".~")
    if target.startswith("policytext."):
        candidates = [target]
    else:  # a relative name: the current module, then its parents up to the top-level package
        modname = node.get("py:module") or ""
        if not modname.startswith("policytext"):
            return None
        parts = modname.split(".")
        candidates = [".".join(parts[:i] + [target]) for i in range(len(parts), 0, -1)]
    from sphinx.ext.autosummary import import_by_name

    obj = None
    for candidate in candidates:
        try:
            _, obj, _, _ = import_by_name(candidate)
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            continue
        target = candidate
        break
    if obj is None:
        return None
    hit = _documented_objects(env).get(id(obj))
    if hit is None or hit[0] == target:
        return None
    new = node.deepcopy()
    new["reftarget"] = hit[0]
    new.attributes.pop("refspecific", None)
    return env.domains["py"].resolve_xref(env, node["refdoc"], app.builder, "obj", hit[0], new, contnode)


def skip_foreign_members(app: Any, what: str, name: str, obj: Any, skip: bool, options: Any) -> bool | None:
    """Leave out members that scikit-learn adds to estimators (``set_fit_request`` …): documented upstream."""
    module = getattr(obj, "__module__", "") or ""
    if module.startswith("sklearn.") or (name.startswith("set_") and name.endswith("_request")):
        return True
    return None


def refresh_found_docs(app: Any) -> None:
    """Rescan the source files before autosummary generates its stubs.

    ``conf.py`` writes the API pages; on an incremental build Sphinx still knows the source files of the previous
    build at ``builder-inited``, so autosummary would miss the page of a module added since (and warn).
    """
    app.env.find_files(app.config, app.builder)


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", refresh_found_docs, priority=100)
    app.add_directive("policytext-cli", PolicyTextCliDirective)
    app.add_directive("policytext-codebooks", PolicyTextCodebooksDirective)
    app.connect("autodoc-skip-member", skip_foreign_members)
    app.connect("missing-reference", resolve_alias)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
