"""HanLP 2.x tokenizer backend: ``Tokenizer(backend="hanlp")``.

The backend wraps a real HanLP component loaded with :func:`hanlp.load`, either from a pretrained identifier (a name
in ``hanlp.pretrained.ALL`` such as ``"COARSE_ELECTRA_SMALL_ZH"``, or its URL) found under ``HANLP_HOME``, or from a
local model directory. policytext never downloads anything unless asked to (``download=True``): a pretrained model
that is not on disk fails at once with a :class:`~policytext.errors.ModelNotFoundError` that names the exact file to
put where, instead of waiting ~25 s for HanLP's network timeout.

Domain words (the policy lexicon from :func:`policytext.lexicon.load_lexicon` plus ``user_words``) go through HanLP's
own dictionary mechanism:

* transformer tokenizers (``TransformerTaggingTokenizer``, the ``tok`` task of a multi-task model) get them as
  ``dict_force`` (default: longest-prefix matching on the input, the words always come out whole) or
  ``dict_combine`` (``dictionary="combine"``: merges the model's tokens when they spell a word, never splits one);
* ``RNNTokenizer`` models, which have no ``dict_force``, get the same longest-prefix matching done with HanLP's
  ``hanlp_trie.TrieDict`` before the model sees the text (the algorithm behind ``dict_force``).

HanLP may normalise characters or drop whitespace, so its words are aligned back to the input: every token
satisfies ``text[token.start:token.end] == token.text``, tokens never start or end with whitespace, and no
non-whitespace character of the input is ever dropped (characters HanLP left out become tokens of their own).

Examples
--------
>>> from policytext.backends.hanlp import HanLPBackend      # doctest: +SKIP
>>> tok = HanLPBackend("COARSE_ELECTRA_SMALL_ZH")             # doctest: +SKIP
>>> tok.cut("坚持和发展新时代枫桥经验")                          # doctest: +SKIP
['坚持', '和', '发展', '新时代', '枫桥经验']
"""

from __future__ import annotations

import json
import os
import re
import sys
import types
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import BackendNotAvailableError, InputError, ModelNotFoundError, ParameterError, check_choice
from ..tokenize import Token

__all__ = ["DEFAULT_MODEL", "HanLPBackend", "align_words", "resolve_model"]

#: The pretrained HanLP tokenizer used when ``model`` is not given: HanLP's ELECTRA-small *coarse-grained* word
#: segmenter (F1 98.4 on HanLP's coarse-grained test set; ~45 MB with its transformer; runs on CPU). Coarse
#: granularity keeps policy compounds (营商环境, 综合行政执法, 政务服务) together, which is what term counts and
#: the dictionary want; it is a ``TransformerTaggingTokenizer``, so ``dict_force``/``dict_combine`` apply natively.
#: Its weights are CC BY-NC-SA 4.0 (non-commercial), like every HanLP pretrained model.
DEFAULT_MODEL = "COARSE_ELECTRA_SMALL_ZH"

_INSTALL_HELP = (
    "Install them, torch first:\n\n"
    "    pip install torch==2.13.0\n"
    '    pip install "policytext[hanlp]"\n\n'
    "torch==2.13.0 is the CPU wheel here; installing it first stops pip from pulling ~3 GB of CUDA wheels "
    "(elsewhere add --index-url https://download.pytorch.org/whl/cpu to get the CPU-only build). Then restart "
    "Python. The default backend, Tokenizer(), needs neither."
)
_DOWNLOAD_ENV = "POLICYTEXT_HANLP_DOWNLOAD"
_DEVICE_RE = re.compile(r"^(cpu|cuda)(?::(\d+))?$")
# Sentence-final punctuation after which a long text may be cut into chunks for the model.
_SENT_END = frozenset("。！？；!?;…")
_CLOSERS = frozenset("”’\"'）)】」』》〉]")
_SOFT_BREAK = frozenset("，、：,:")


# --------------------------------------------------------------------------------------------------------------
# Optional imports
# --------------------------------------------------------------------------------------------------------------


def _import_hanlp() -> types.ModuleType:
    """Import torch and hanlp or raise :class:`BackendNotAvailableError` with the install commands."""
    for name in ("torch", "hanlp"):
        try:
            __import__(name)
        except ImportError as exc:  # includes a ``None`` entry in sys.modules
            raise BackendNotAvailableError(
                f"The 'hanlp' tokenizer backend needs PyTorch and HanLP 2.x, but {name!r} cannot be imported "
                f"({exc}). {_INSTALL_HELP}"
            ) from exc
    return sys.modules["hanlp"]


# --------------------------------------------------------------------------------------------------------------
# Model resolution (cheap, offline)
# --------------------------------------------------------------------------------------------------------------


def _hanlp_home() -> tuple[str, str]:
    """The HANLP_HOME in force now, and where it comes from."""
    home = os.environ.get("HANLP_HOME")
    if home:
        return os.path.abspath(os.path.expanduser(home)), "the HANLP_HOME environment variable"
    from hanlp.utils.io_util import hanlp_home_default

    return hanlp_home_default(), "HanLP's default; set HANLP_HOME to use another folder"


def _local_candidates(url: str, home: str) -> tuple[str, str | None]:
    """Where HanLP keeps ``url`` under ``home``: (unpacked path, archive path or None)."""
    from hanlp.utils.io_util import path_from_url, split_if_compressed
    from hanlp_common.constant import HANLP_URL

    url = url.split("#", 1)[0]
    realpath = path_from_url(url, home, HANLP_URL, True)
    root, ext = split_if_compressed(realpath)
    return root, (realpath if ext else None)


def _present(url: str, home: str) -> str | None:
    """The local file or folder for ``url`` under ``home``, or None (mirrors ``hanlp.utils.io_util.get_resource``)."""
    root, archive = _local_candidates(url, home)
    if os.path.exists(root):
        return root
    if archive and os.path.isfile(archive):
        return archive
    return None


def _config_urls(model_dir: str) -> list[str]:
    """Remote resources (URLs, transformer mirrors) a local HanLP model directory refers to."""
    from hanlp.layers.transformers.resource import tokenizer_mirrors

    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)
        elif isinstance(value, str):
            if value.startswith(("http://", "https://")):
                found.append(value)
            elif value in tokenizer_mirrors:
                found.append(tokenizer_mirrors[value])

    for name in ("config.json", "meta.json"):
        path = os.path.join(model_dir, name)
        if os.path.isfile(path):
            try:
                with open(path, encoding="utf8") as f:
                    walk(json.load(f))
            except (OSError, ValueError):
                pass
    return list(dict.fromkeys(found))


def _effective_hanlp_home() -> str:
    """The HANLP_HOME that HanLP itself uses for a model's dependencies (fixed when hanlp was first imported)."""
    from hanlp.utils import io_util

    return os.path.abspath(io_util.get_resource.__defaults__[0])


def _missing_dependencies(model_dir: str) -> tuple[str, list[tuple[str, str]]]:
    home = _effective_hanlp_home()
    missing = []
    for url in _config_urls(model_dir):
        if _present(url, home) is None:
            root, archive = _local_candidates(url, home)
            missing.append((url, archive or root))
    return home, missing


def _download_allowed(download: bool | None) -> bool:
    if download is not None:
        return bool(download)
    return os.environ.get(_DOWNLOAD_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def resolve_model(model: str | os.PathLike | None = None, *, download: bool | None = None) -> str:
    """Find a HanLP model on disk without touching the network.

    Parameters
    ----------
    model : str, path or None
        A local model directory (or its ``.zip``), a pretrained name from ``hanlp.pretrained.ALL`` (for example
        ``"COARSE_ELECTRA_SMALL_ZH"``) or a HanLP model URL. None means :data:`DEFAULT_MODEL`.
    download : bool, optional
        True returns the identifier unchanged so that :func:`hanlp.load` may download it. By default the
        environment variable ``POLICYTEXT_HANLP_DOWNLOAD=1`` does the same.

    Returns
    -------
    str
        What to pass to :func:`hanlp.load`: a local directory (an archive under ``HANLP_HOME`` is unpacked the
        way HanLP does it), or the URL when downloading is allowed.

    Raises
    ------
    ModelNotFoundError
        The model or one of the files it depends on is not on disk; the message says where to put it.
    BackendNotAvailableError
        HanLP or torch is not installed.

    Examples
    --------
    >>> resolve_model("/no/such/model")   # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    policytext.errors.ModelNotFoundError: HanLP model directory '/no/such/model' does not exist...
    """
    hanlp = _import_hanlp()
    spec = DEFAULT_MODEL if model is None else model
    if isinstance(spec, os.PathLike):
        spec = os.fspath(spec)
    if not isinstance(spec, str) or not spec:
        raise ParameterError(
            "model must be a HanLP pretrained name (e.g. 'COARSE_ELECTRA_SMALL_ZH'), a model URL or the path of "
            f"a local model directory; got {model!r}."
        )
    url = hanlp.pretrained.ALL.get(spec, spec)
    if not url.startswith(("http://", "https://")):
        return _resolve_local(os.path.abspath(os.path.expanduser(url)), spec)
    if _download_allowed(download):
        return url
    home, origin = _hanlp_home()
    found = _present(url, home)
    if found is None:
        root, archive = _local_candidates(url, home)
        raise ModelNotFoundError(_missing_model_message(spec, url, home, origin, root, archive))
    if os.path.isfile(found):  # an archive put there by hand: unpack it like HanLP would, offline
        from hanlp.utils.io_util import get_resource

        found = get_resource(url, save_dir=home, verbose=False)
    return _resolve_local(found, spec)


def _resolve_local(path: str, spec: str) -> str:
    if os.path.isfile(path) and path.endswith(".zip"):
        # A zip given by path: use the folder beside it, unpacking it there (the archive is kept) if needed.
        from hanlp.utils.io_util import split_if_compressed, uncompress

        root = split_if_compressed(path)[0]
        path = root if os.path.isdir(root) else uncompress(path, remove=False, verbose=False)
    if not os.path.exists(path):
        raise ModelNotFoundError(
            f"HanLP model directory {path!r} does not exist. Expected the folder of a saved HanLP component (it "
            "holds config.json, vocabs.json and model.pt), a pretrained name such as 'COARSE_ELECTRA_SMALL_ZH', "
            "or a model URL. Check the path, or unpack the downloaded model zip and pass its folder."
        )
    if os.path.isdir(path) and not any(
        os.path.isfile(os.path.join(path, n)) for n in ("config.json", "meta.json")
    ):
        raise ModelNotFoundError(
            f"{path!r} is not a HanLP model directory: it has no config.json (or meta.json). Pass the folder "
            f"that HanLP saved (it holds config.json, vocabs.json and model.pt); got {spec!r}."
        )
    if os.path.isdir(path):
        home, missing = _missing_dependencies(path)
        now_home = _hanlp_home()[0]
        if _config_urls(path) and os.path.abspath(now_home) != home and not missing:
            warnings.warn(
                f"HANLP_HOME is {now_home!r} but HanLP was imported while it was {home!r}; HanLP resolves the "
                f"files {spec!r} depends on in the latter. Set HANLP_HOME before the first `import hanlp`.",
                stacklevel=3,
            )
        if missing:
            lines = "\n".join(f"  {url}\n    -> {dest}" for url, dest in missing)
            stale = (
                f"\nNote: HanLP was imported while HANLP_HOME was {home!r}, but HANLP_HOME is now {now_home!r}; "
                "HanLP looks up dependencies in the first. Set HANLP_HOME before the first `import hanlp` "
                "(restart the kernel)."
                if os.path.abspath(now_home) != home
                else ""
            )
            raise ModelNotFoundError(
                f"HanLP model {spec!r} is on disk ({path}) but files it depends on are not, and policytext does "
                f"not download them. Download each URL on a machine with internet and put the zip (or its "
                f"unpacked folder) at the path shown:\n{lines}\n"
                "When offline also set HF_HUB_OFFLINE=1 so that Hugging Face does not try the network. "
                f"Or pass download=True (Tokenizer(backend='hanlp', backend_options={{'download': True}})) or "
                f"set {_DOWNLOAD_ENV}=1 to let HanLP fetch them.{stale}"
            )
    return path


def _missing_model_message(
    spec: str, url: str, home: str, origin: str, root: str, archive: str | None
) -> str:
    folder = os.path.basename(root)
    deps = ""
    if "electra_small" in url:
        from hanlp.layers.transformers.resource import tokenizer_mirrors

        dep_url = tokenizer_mirrors["hfl/chinese-electra-180g-small-discriminator"]
        effective = _effective_hanlp_home()
        dep_root, dep_archive = _local_candidates(dep_url, effective)
        deps = (
            f"\nELECTRA-small models also need their transformer files: download {dep_url} and put it at "
            f"{dep_archive or dep_root}; when offline set HF_HUB_OFFLINE=1 as well."
        )
        if effective != os.path.abspath(home):
            deps += (
                f"\n(HanLP was imported while HANLP_HOME was {effective}, and it looks for these files there. "
                "Set HANLP_HOME before the first `import hanlp` to keep everything in one folder.)"
            )
    return (
        f"HanLP model {spec!r} is not on this machine, and policytext does not download models unless asked "
        f"(this avoids HanLP's ~25 s network timeout when offline).\n"
        f"Looked for the folder {root}\n"
        f"        or the archive {archive or '(none)'}\n"
        f"HANLP_HOME is {home} ({origin}).\n"
        f"To fix it, do one of:\n"
        f"  1. on a machine with internet download {url} and copy the zip (or its unpacked folder) to "
        f"{archive or root}; to keep models elsewhere, set HANLP_HOME to a folder laid out the same way "
        f"(<HANLP_HOME>/<path after /hanlp/ in the URL>) before starting Python;\n"
        f"  2. pass the unpacked folder directly: Tokenizer(backend='hanlp', model='/abs/path/{folder}');\n"
        f"  3. let HanLP download it (needs internet): HanLPBackend(..., download=True), "
        f"Tokenizer(backend='hanlp', backend_options={{'download': True}}), or set {_DOWNLOAD_ENV}=1."
        f"{deps}"
    )


# --------------------------------------------------------------------------------------------------------------
# Alignment of HanLP words back to the input
# --------------------------------------------------------------------------------------------------------------


def _norm(s: str) -> str:
    """NFKC + casefold, whitespace removed: full-width to half-width, ligatures and the like."""
    out = unicodedata.normalize("NFKC", s).casefold()
    return "".join(ch for ch in out if not ch.isspace())


def align_words(text: str, words: Sequence[str]) -> list[tuple[int, int, int | None]]:
    """Align the words a segmenter returned for ``text`` back to character offsets in ``text``.

    The words may differ from the input the way neural segmenters' output does: whitespace dropped, characters
    normalised (full-width to half-width, case, NFKC; or any one-to-one mapping such as traditional to simplified
    characters when the rest of the output lines up), characters left out. Matching is tried in that order:
    exact, normalised, position-for-position; a word that cannot be placed is skipped after searching ahead.

    Parameters
    ----------
    text : str
        The original text.
    words : sequence of str
        The segmenter's words, in order.

    Returns
    -------
    list of (start, end, word_index)
        Non-overlapping spans in order, covering every non-whitespace character of ``text`` exactly once. A span
        never starts or ends with whitespace (it contains whitespace only when a word was matched across it).
        ``word_index`` is the index in ``words`` of the word behind the span, or None for characters the words
        did not cover (each run of such characters without whitespace becomes a span of its own).

    Examples
    --------
    >>> text = "ＧＤＰ 增长 5%"
    >>> [(text[s:e], i) for s, e, i in align_words(text, ["GDP", "增长", "5", "%"])]
    [('ＧＤＰ', 0), ('增长', 1), ('5', 2), ('%', 3)]
    >>> text = "依法 行政，"
    >>> [(text[s:e], i) for s, e, i in align_words(text, ["依法行政"])]
    [('依法 行政', 0), ('，', None)]
    """
    if "".join(words) == text and not any(ch.isspace() for ch in text):  # the usual case
        spans: list[tuple[int, int, int | None]] = []
        start = 0
        for i, w in enumerate(words):
            if w:
                spans.append((start, start + len(w), i))
                start += len(w)
        return spans
    pos = [i for i, ch in enumerate(text) if not ch.isspace()]
    n = len(pos)
    norms: list[str] | None = None
    raws = ["".join(ch for ch in w if not ch.isspace()) for w in words]
    # suffix[i]: number of non-whitespace characters in raws[i:]
    suffix = [0] * (len(raws) + 1)
    for i in range(len(raws) - 1, -1, -1):
        suffix[i] = suffix[i + 1] + len(raws[i])
    out: list[tuple[int, int, int | None]] = []

    def exact(k: int, w: str) -> int | None:
        if k + len(w) > n:
            return None
        start = pos[k]
        if text.startswith(w, start) and pos[k + len(w) - 1] == start + len(w) - 1:
            return k + len(w)
        for j, ch in enumerate(w):
            if text[pos[k + j]] != ch:
                return None
        return k + len(w)

    def normalised(k: int, wn: str) -> int | None:
        nonlocal norms
        if norms is None:
            norms = [_norm(text[p]) for p in pos]
        j = 0
        while j < len(wn):
            if k >= n:
                return None
            piece = norms[k]
            if piece and not wn.startswith(piece, j):
                return None
            j += len(piece)
            k += 1
        return k

    def match(k: int, w: str, wn: str) -> int | None:
        m = exact(k, w)
        if m is None and wn:
            m = normalised(k, wn)
        return m if m is not None and m > k else None

    def gap(k: int, m: int) -> None:
        """Emit characters pos[k:m] as spans, one per run without whitespace."""
        j = k
        while j < m:
            e = j
            while e + 1 < m and pos[e + 1] == pos[e] + 1:
                e += 1
            out.append((pos[j], pos[e] + 1, None))
            j = e + 1

    k = 0
    for wi, w in enumerate(raws):
        if not w:
            continue
        if k >= n:
            break
        m = exact(k, w)
        wn = ""
        if m is None:
            wn = _norm(w)
            m = match(k, w, wn)
        if m is None and n - k == suffix[wi]:
            # one-to-one normalisation (e.g. traditional -> simplified): the rest lines up position for position
            m = k + len(w)
        if m is None:
            wn = wn or _norm(w)
            for q in range(k + 1, min(n, k + 512)):
                m = match(q, w, wn)
                if m is not None:
                    gap(k, q)
                    k = q
                    break
            else:
                continue  # the word is nowhere near: skip it, its characters are covered as gaps later
        out.append((pos[k], pos[m - 1] + 1, wi))
        k = m
    gap(k, n)
    return out


# --------------------------------------------------------------------------------------------------------------
# Chunking long texts for the model
# --------------------------------------------------------------------------------------------------------------


def _chunks(text: str, max_len: int) -> list[tuple[int, int]]:
    """Cut ``text`` into spans fed to the model: lines, then sentences, then pieces of at most ``max_len``."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\r\n\u2028\u2029]+", text):
        a, b = line.span()
        start = a
        i = a
        while i < b:
            if text[i] in _SENT_END:
                j = i + 1
                while j < b and (text[j] in _SENT_END or text[j] in _CLOSERS):
                    j += 1
                spans.append((start, j))
                start = i = j
            else:
                i += 1
        if start < b:
            spans.append((start, b))
    out: list[tuple[int, int]] = []
    for a, b in spans:
        while b - a > max_len:
            cut = max((i + 1 for i in range(a, a + max_len) if text[i] in _SOFT_BREAK), default=a + max_len)
            out.append((a, cut))
            a = cut
        out.append((a, b))
    stripped = []
    for a, b in out:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            stripped.append((a, b))
    return stripped


# --------------------------------------------------------------------------------------------------------------
# Workarounds for HanLP 2.1.5's RNNTokenizer (applied to the loaded object, never to site-packages)
# --------------------------------------------------------------------------------------------------------------


def _rnn_build_dataset(self, data, transform=None):
    """``RNNTokenizer.build_dataset`` without its 2.1.5 bugs.

    The original appends ``config.transform`` even when it is None (assertion error) and appends the
    ``[vocabs]`` list as one transform (a list is not callable), so a saved RNNTokenizer cannot predict.
    """
    from hanlp.datasets.tokenization.loaders.chunking_dataset import ChunkingDataset

    dataset = ChunkingDataset(data)
    if self.config.get("transform") is not None:
        dataset.append_transform(self.config.transform)
    if transform is not None:
        for t in transform if isinstance(transform, (list, tuple)) else (transform,):
            if t is not None:
                dataset.append_transform(t)
    return dataset


def repair_rnn_tokenizer(component: Any) -> Any:
    """Make a loaded HanLP 2.1.5 ``RNNTokenizer`` usable for prediction; return it.

    Two bugs in HanLP 2.1.5 break prediction of any saved ``RNNTokenizer``: ``build_dataset`` (see
    :func:`_rnn_build_dataset`), and the CRF built as ``CRF(n_out, crf_constraints)``, which passes None as
    ``batch_first`` although the model's emissions are batch-first (Viterbi then decodes garbage). The fix binds a
    corrected ``build_dataset`` on this instance and sets ``model.crf.batch_first = True``; nothing else changes.
    """
    from hanlp.components.tokenizers.tok import RNNTokenizer

    if not isinstance(component, RNNTokenizer):
        return component
    if type(component).build_dataset is RNNTokenizer.build_dataset:
        component.build_dataset = types.MethodType(_rnn_build_dataset, component)
    crf = getattr(getattr(component, "model", None), "crf", None)
    if crf is not None and not crf.batch_first:
        crf.batch_first = True
    return component


# --------------------------------------------------------------------------------------------------------------
# The backend
# --------------------------------------------------------------------------------------------------------------


def _lexicon_words() -> list[str]:
    """Terms of the policy lexicon, or [] while :mod:`policytext.lexicon` is not available.

    Entries flagged ``ambiguous`` (十五, 三公: strings with a common other reading) are left out: forcing them
    would cut 三公里 or 二十五.
    """
    try:
        from ..lexicon import load_lexicon
    except ImportError:
        return []
    table = load_lexicon()
    if "ambiguous" in table.columns:
        table = table[~table["ambiguous"].fillna(False).astype(bool)]
    return [str(t) for t in table["term"].tolist()]


def _check_words(words: Iterable[str], name: str) -> list[str]:
    if isinstance(words, str):
        raise ParameterError(
            f"{name} must be an iterable of words such as ['枫桥经验', '一网通办'], not a single string; "
            f"got {words!r}. Wrap it in a list."
        )
    out = []
    for w in words:
        if not isinstance(w, str):
            raise ParameterError(f"{name} must contain strings; got {w!r} ({type(w).__name__}).")
        w = w.strip()
        if w:
            out.append(w)
    return out


def _device_index(device: str) -> int:
    m = _DEVICE_RE.match(device) if isinstance(device, str) else None
    if m is None:
        raise ParameterError(f"device must be 'cpu', 'cuda' or 'cuda:N'; got {device!r}.")
    if m.group(1) == "cpu":
        return -1
    return int(m.group(2) or 0)


class HanLPBackend:
    """Word segmentation with a HanLP 2.x tokenizer model, exact character offsets and the policy lexicon.

    Parameters
    ----------
    model : str, path or None, default None
        A local HanLP model directory (or zip), a pretrained name such as ``"COARSE_ELECTRA_SMALL_ZH"``, or a
        HanLP model URL. Pretrained models are looked up under ``HANLP_HOME`` (default ``~/.hanlp``) at
        ``<HANLP_HOME>/<path after /hanlp/ in the URL>``; None means :data:`DEFAULT_MODEL`. Supported: HanLP's
        PyTorch tokenizers (``TransformerTaggingTokenizer``, ``RNNTokenizer``) and multi-task models with a
        ``tok`` task (these also give part-of-speech tags).
    user_words : iterable of str, default ()
        Extra words that must come out whole (added to the policy lexicon).
    device : {"cpu", "cuda", "cuda:N"}, default "cpu"
        Where the model runs.
    lexicon : bool, default True
        Add the terms of :func:`policytext.lexicon.load_lexicon` to the dictionary.
    dictionary : {"force", "combine"}, default "force"
        How dictionary words are applied: ``"force"`` matches them in the input (longest prefix first) and keeps
        them whole whatever the model says (HanLP's ``dict_force``); ``"combine"`` only merges model tokens that
        together spell a dictionary word (HanLP's ``dict_combine``), so it never cuts a word the model found.
    download : bool, optional
        Let HanLP download a pretrained model that is not on disk (needs internet). Default: False unless the
        environment variable ``POLICYTEXT_HANLP_DOWNLOAD=1`` is set.
    max_chunk : int, default 256
        Texts are fed to the model line by line and sentence by sentence, in pieces of at most this many
        characters (transformer models read at most 512 subwords).

    Attributes
    ----------
    model_path : str
        The local directory the component was loaded from (or the URL when downloading).
    words : list of str
        The dictionary in use (lexicon terms and user words).

    Raises
    ------
    BackendNotAvailableError
        torch or hanlp cannot be imported; the message gives the install commands.
    ModelNotFoundError
        The model is not on disk; the message says where to put it.

    Examples
    --------
    >>> tok = HanLPBackend("/path/to/hanlp/model", user_words=["法律明白人"])   # doctest: +SKIP
    >>> tok.tokenize("培育法律明白人2.3万名")                                 # doctest: +SKIP
    [Token(text='培育', start=0, end=2, pos=None), Token(text='法律明白人', start=2, end=7, pos=None),
     Token(text='2.3万', start=7, end=11, pos=None), Token(text='名', start=11, end=12, pos=None)]
    """

    def __init__(
        self,
        model: str | os.PathLike | None = None,
        user_words: Iterable[str] = (),
        device: str = "cpu",
        *,
        lexicon: bool = True,
        dictionary: str = "force",
        download: bool | None = None,
        max_chunk: int = 256,
    ) -> None:
        check_choice("dictionary", dictionary, ("force", "combine"))
        if not isinstance(max_chunk, int) or max_chunk < 8:
            raise ParameterError(f"max_chunk must be an integer >= 8; got {max_chunk!r}.")
        self._devices = _device_index(device)
        _import_hanlp()  # fail fast, before reading the lexicon
        self.model = model
        self.device = device
        self.lexicon = lexicon
        self.dictionary = dictionary
        self.download = download
        self.max_chunk = max_chunk
        self._user_words = _check_words(user_words, "user_words")
        self.words = list(dict.fromkeys((_lexicon_words() if lexicon else []) + self._user_words))
        self.model_path = resolve_model(model, download=download)
        self._component: Any = None
        self._load()

    # -- loading ------------------------------------------------------------------------------------------------

    def _load(self) -> Any:
        hanlp = _import_hanlp()
        path = self.model_path
        if os.path.isdir(path) and not _download_allowed(self.download):
            os.environ.setdefault(
                "HF_HUB_OFFLINE", "1"
            )  # everything is local: keep transformers off the network
        try:
            component = hanlp.load(path, devices=self._devices, verbose=False)
        except ModuleNotFoundError as exc:
            raise BackendNotAvailableError(
                f"HanLP model {self.model!r} needs a module that is not installed ({exc}). TensorFlow-based "
                "HanLP models (the *_CONVSEG and LARGE_ALBERT_BASE tokenizers) are not supported; use a PyTorch "
                f"tokenizer such as {DEFAULT_MODEL!r}. " + _INSTALL_HELP
            ) from exc
        except (OSError, ConnectionError) as exc:
            raise ModelNotFoundError(
                f"HanLP could not load {self.model!r} from {path!r}: {exc}. If it is a pretrained model, download "
                f"it on a machine with internet and put it under HANLP_HOME (see resolve_model's error for the "
                f"exact path), or pass the unpacked model folder."
            ) from exc
        self._kind, self._tok_task, self._pos_task = self._inspect(component)
        repair_rnn_tokenizer(component)
        self._component = component
        self._apply_dictionary()
        return component

    @staticmethod
    def _inspect(component: Any) -> tuple[str, str | None, str | None]:
        tasks = getattr(component, "tasks", None)
        if isinstance(tasks, dict):  # MultiTaskLearning
            toks = [k for k in tasks if k.startswith("tok")]
            if not toks:
                raise ParameterError(
                    f"The HanLP multi-task model has no tokenization task (tasks: {sorted(tasks)}); pass a model "
                    f"with a 'tok' task or a tokenizer such as {DEFAULT_MODEL!r}."
                )
            tok = "tok/fine" if "tok/fine" in toks else toks[0]
            pos = [k for k in tasks if k.startswith("pos")]
            return "mtl", tok, ("pos/ctb" if "pos/ctb" in pos else (pos[0] if pos else None))
        from hanlp.components.tokenizers.tok import RNNTokenizer

        if isinstance(component, RNNTokenizer):
            return "rnn", None, None
        if hasattr(type(component), "dict_force"):
            return "transformer", None, None
        raise ParameterError(
            f"The HanLP model loaded from {getattr(component, 'config', {}).get('load_path', '?')!r} is a "
            f"{type(component).__name__}, not a tokenizer. Pass a HanLP tokenizer (e.g. {DEFAULT_MODEL!r}), a "
            "multi-task model with a 'tok' task, or a saved RNNTokenizer."
        )

    @property
    def component(self) -> Any:
        """The loaded HanLP component (loaded again on first use after unpickling)."""
        if self._component is None:
            self._load()
        return self._component

    def _apply_dictionary(self) -> None:
        words = set(self.words) or None
        self._trie = None
        target = self._component[self._tok_task] if self._kind == "mtl" else self._component
        if self._kind == "rnn":
            if words:
                from hanlp_trie import TrieDict

                self._trie = TrieDict(words)
            return
        if self.dictionary == "force":
            target.dict_force = words
            target.dict_combine = None
        else:
            target.dict_combine = words
            target.dict_force = None

    def add_words(self, words: Iterable[str]) -> HanLPBackend:
        """Add words to the dictionary; returns self.

        Examples
        --------
        >>> tok.add_words(["枫桥经验", "一网通办"])   # doctest: +SKIP
        """
        new = _check_words(words, "words")
        self._user_words += new
        self.words = list(dict.fromkeys(self.words + new))
        if self._component is not None:
            self._apply_dictionary()
        return self

    # -- pickling -----------------------------------------------------------------------------------------------

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_component"] = None
        state["_trie"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        return (
            f"HanLPBackend(model={self.model!r}, device={self.device!r}, dictionary={self.dictionary!r}, "
            f"words={len(self.words)})"
        )

    # -- segmentation -------------------------------------------------------------------------------------------

    def _predict(self, pieces: list[str]) -> list[tuple[list[str], list[str] | None]]:
        """Words (and tags when the model has them) for each piece, in one batched call."""
        if not pieces:
            return []
        import torch

        component = self.component
        with torch.no_grad():  # HanLP's RNNTokenizer.predict leaves autograd on, which doubles its cost
            return self._predict_nograd(component, pieces)

    def _predict_nograd(self, component: Any, pieces: list[str]) -> list[tuple[list[str], list[str] | None]]:
        if self._kind == "mtl":
            tasks = [self._tok_task] + ([self._pos_task] if self._pos_task else [])
            doc = component(list(pieces), tasks=tasks)
            toks = doc[self._tok_task]
            tags = doc[self._pos_task] if self._pos_task else [None] * len(toks)
            return list(zip(toks, tags))
        if self._kind == "rnn":
            out = component.predict([list(p) for p in pieces])
        else:
            out = component(list(pieces))
        return [(list(words), None) for words in out]

    def tokenize_batch(self, texts: Iterable[str]) -> list[list[Token]]:
        """Tokenize many texts with one batched model call per batch; returns one token list per text.

        Examples
        --------
        >>> [tok.cut(t) for t in texts] == [[t.text for t in toks] for toks in tok.tokenize_batch(texts)]  # doctest: +SKIP
        True
        """
        texts = list(texts)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise InputError(
                    f"tokenize expects str texts; item {i} is {type(text).__name__}: {text!r:.60}"
                )
        self.component  # noqa: B018 - load before building the dictionary split
        # (text index, start, end, forced word?) for every piece; model pieces are predicted together
        plan: list[list[tuple[int, int, bool]]] = []
        pieces: list[str] = []
        for text in texts:
            items = []
            for a, b in _chunks(text, self.max_chunk):
                if self._trie is not None and self.dictionary == "force":
                    offset = a
                    for s, e, _ in self._trie.tokenize(text[a:b]):
                        items.extend(self._model_items(text, offset, a + s, pieces))
                        items.append((a + s, a + e, True))
                        offset = a + e
                    items.extend(self._model_items(text, offset, b, pieces))
                else:
                    items.extend(self._model_items(text, a, b, pieces))
            plan.append(items)
        predictions = iter(self._predict(pieces))
        results: list[list[Token]] = []
        for text, items in zip(texts, plan):
            tokens: list[Token] = []
            for a, b, forced in items:
                if forced:
                    tokens.append(Token(text[a:b], a, b, None))
                    continue
                words, tags = next(predictions)
                for s, e, wi in align_words(text[a:b], words):
                    tag = tags[wi] if (tags is not None and wi is not None and wi < len(tags)) else None
                    tokens.append(Token(text[a + s : a + e], a + s, a + e, tag))
            if self._trie is not None and self.dictionary == "combine":
                tokens = self._combine(text, tokens)
            results.append(tokens)
        return results

    @staticmethod
    def _model_items(text: str, a: int, b: int, pieces: list[str]) -> list[tuple[int, int, bool]]:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a >= b:
            return []
        pieces.append(text[a:b])
        return [(a, b, False)]

    def _combine(self, text: str, tokens: list[Token]) -> list[Token]:
        """dict_combine for models without it: merge runs of tokens that spell a dictionary word (longest first)."""
        words = self._trie
        longest = max((len(w) for w in self.words), default=0)
        out: list[Token] = []
        i = 0
        while i < len(tokens):
            best = i
            for j in range(i + 1, len(tokens)):
                if tokens[j].end - tokens[i].start > longest:
                    break
                if text[tokens[i].start : tokens[j].end] in words:
                    best = j
            if best > i:
                s, e = tokens[i].start, tokens[best].end
                out.append(Token(text[s:e], s, e, None))
            else:
                out.append(tokens[i])
            i = best + 1
        return out

    def tokenize(self, text: str) -> list[Token]:
        """Segment ``text``; every token satisfies ``text[token.start:token.end] == token.text``.

        Examples
        --------
        >>> tok.tokenize("推进依法行政")   # doctest: +SKIP
        [Token(text='推进', start=0, end=2, pos=None), Token(text='依法', start=2, end=4, pos=None),
         Token(text='行政', start=4, end=6, pos=None)]
        """
        if not isinstance(text, str):
            raise InputError(f"tokenize expects a str; got {type(text).__name__}: {text!r:.60}")
        return self.tokenize_batch([text])[0]

    def cut(self, text: str) -> list[str]:
        """Segment ``text`` into a list of words.

        Examples
        --------
        >>> tok.cut("推进依法行政")   # doctest: +SKIP
        ['推进', '依法', '行政']
        """
        return [t.text for t in self.tokenize(text)]

    __call__ = cut
