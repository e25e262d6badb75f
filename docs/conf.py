"""Sphinx configuration for the policytext documentation (built in CI with warnings as errors).

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html`` (needs the ``[docs]`` extra: sphinx,
numpydoc). The API pages under ``docs/api/`` are generated from the package at every build (``_ext/apigen.py``)
and the CLI reference from the argparse parsers (``_ext/policytext_docs.py``); neither is edited by hand.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE / "_ext"))
os.environ.setdefault("MPLBACKEND", "Agg")

import apigen

import policytext
import policytext.plot

project = "policytext"
author = "policytext developers"
copyright = "2026, policytext developers"
version = release = policytext.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "matplotlib.sphinxext.plot_directive",
    "policytext_docs",
]

# API reference: pages generated from the package, stubs by autosummary, docstrings in numpydoc format
apigen.generate(HERE / "api")
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False
nitpicky = False
default_role = "code"

# figures of the user guide, drawn at build time by policytext.plot (Chinese labels: the packaged CJK font)
plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 90)]
plot_rcparams = {"figure.figsize": (7.0, 3.6)}
# the plot directive resets rcParams before each figure: choose the CJK font explicitly every time
_cjk_family = policytext.plot.use_cjk_font()
plot_pre_code = (
    "import numpy as np\nfrom matplotlib import pyplot as plt\nimport policytext.plot\n"
    f"policytext.plot.use_cjk_font({_cjk_family!r})\n"
)

templates_path = ["_templates"]
exclude_patterns = ["_build", "_ext", "**.ipynb_checkpoints"]
html_theme = "alabaster"
html_title = f"policytext {release}"
html_static_path: list[str] = []
html_theme_options = {
    "description": "Text-as-data for Chinese government documents",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "230px",
}
html_sidebars = {"**": ["about.html", "navigation.html", "relations.html", "searchbox.html"]}
language = "en"
suppress_warnings = ["autosummary.import_cycle"]
