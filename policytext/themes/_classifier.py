"""ThemeClassifier and the DictionaryClassifier baseline."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from ..codebook import Codebook, load_codebook
from ..errors import InputError, ModelNotFoundError, NotFittedError, ParameterError, ResourceError

__all__ = ["MODEL_FORMAT_VERSION", "DictionaryClassifier", "ThemeClassifier", "as_sentence_frame", "load_model"]

#: Version of the saved-model layout; bumped when a saved model can no longer be read.
#: 2: n-gram features hashed multiply-shift; zero-label features count every occurrence (``merge_repeats=False``).
MODEL_FORMAT_VERSION = 2
_HEADING_CAP = 3.0
_MAX_POOL = 150_000
#: zero-label text model: the most frequent character n-grams of the pseudo-labelled sample (L-BFGS cost grows with
#: features x labels; more features did not score better)
_MAX_FEATURES = 1 << 15
#: sentences per block in prediction (bounded memory, cache-sized arrays)
_BLOCK = 50_000
#: the rounds before the last only relabel the pool: they learn from this share of the per-label cap
_EARLY_ROUND_SHARE = 0.5


# ---------------------------------------------------------------------------------------------------------
# input handling
# ---------------------------------------------------------------------------------------------------------
def as_sentence_frame(X: Any):
    """Normalise classifier input to a DataFrame with ``text`` (and ``section_title``/``is_heading`` if known).

    Accepts a :class:`~policytext.Corpus` (its ``sentences`` table), a DataFrame with a ``text`` column (and
    optionally ``section_title``, ``is_heading``), a Series, or any sequence of strings. Missing texts become
    empty strings (the row is kept and labelled like any other).
    """
    import pandas as pd

    if hasattr(X, "sentences") and hasattr(X, "docs"):
        X = X.sentences
    if isinstance(X, str):
        raise InputError("expected a sequence of sentences; got a single string. Wrap it in a list: [text].")
    if isinstance(X, pd.DataFrame):
        if "text" not in X.columns:
            raise InputError(
                f"a DataFrame of sentences needs a 'text' column; got columns {list(X.columns)}. Rename the text "
                "column to 'text' or pass the Series of texts."
            )
        frame = X
    elif isinstance(X, pd.Series):
        frame = X.to_frame("text")
    else:
        try:
            values = list(X)
        except TypeError:
            raise InputError(f"expected sentences (a list, Series, DataFrame or Corpus); got {type(X).__name__}.") \
                from None
        frame = pd.DataFrame({"text": pd.Series(values, dtype=object)})
    cols = {"text": pd.Series(_clean_strings(frame["text"], "text"), index=frame.index, dtype=object)}
    if "section_title" in frame.columns:
        title = frame["section_title"]
        if isinstance(title.dtype, pd.StringDtype):  # stays Arrow-backed: factorized, never turned into objects
            cols["section_title"] = title.fillna("")
        else:
            cols["section_title"] = pd.Series(_clean_strings(title, "section_title"), index=frame.index, dtype=object)
    if "is_heading" in frame.columns:
        cols["is_heading"] = pd.Series(frame["is_heading"].fillna(False).astype(bool).to_numpy(), index=frame.index)
    for col in frame.columns:
        if isinstance(col, str) and col.startswith("context"):
            cols[col] = pd.Series(_clean_strings(frame[col], col), index=frame.index, dtype=object)
    return pd.DataFrame(cols, index=frame.index)


def _clean_strings(col, name: str):
    """The column as strings (object array or list); missing values become ""."""
    import pandas as pd

    if isinstance(col.dtype, pd.StringDtype):
        return col.to_numpy(dtype=object, na_value="")
    if col.dtype == object:
        arr = col.to_numpy(dtype=object)
        if pd.api.types.infer_dtype(arr, skipna=True) in ("string", "empty"):
            missing = pd.isna(arr)
            if missing.any():
                arr = arr.copy()
                arr[missing] = ""
            return arr
    values = []
    for v in col.tolist():
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is __import__("pandas").NA:
            values.append("")
        elif isinstance(v, str):
            values.append(v)
        else:
            raise InputError(f"column {name!r} must hold strings; found {type(v).__name__} value {v!r}.")
    return values


def _first_codes(enc) -> np.ndarray:
    """Folded code point of the first character of every encoded sentence (-1 for an empty one)."""
    n, total = len(enc.starts), len(enc.codes)
    ends = np.empty(n, dtype=np.int64)
    ends[:-1] = enc.starts[1:] - 1
    if n:
        ends[-1] = total
    out = np.full(n, -1, dtype=np.int64)
    some = np.flatnonzero(ends > enc.starts)
    out[some] = enc.codes[enc.starts[some]]
    return out


_SPACES = None


def _is_space(codes: np.ndarray) -> np.ndarray:
    """Whether each (folded) code point is whitespace for ``str.strip``."""
    global _SPACES
    if _SPACES is None:
        _SPACES = np.array([c for c in range(0x3001) if chr(c).isspace()], dtype=np.int64)
    return np.isin(codes, _SPACES)


def _one_blas_thread():
    """Single-threaded BLAS: L-BFGS makes many small vector operations whose thread start-up costs more than they
    gain (5-10x slower fits with two busy cores)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, user_api="blas")


def _softmax(S: np.ndarray, temperature: float) -> np.ndarray:
    Z = S / max(temperature, 1e-6)
    Z = Z - Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)
    return Z


# ---------------------------------------------------------------------------------------------------------
# shared machinery
# ---------------------------------------------------------------------------------------------------------
class _ThemeBase(ClassifierMixin, BaseEstimator):
    """predict / predict_frame / persistence shared by the two classifiers."""

    def _check_fitted(self) -> None:
        if not hasattr(self, "classes_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(sentences) (zero-label) or "
                "fit(sentences, labels) first, or load a saved model with load_model(path)."
            )

    def predict(self, X) -> np.ndarray:
        """Primary label of every sentence.

        Returns
        -------
        numpy.ndarray of str
        """
        P = self.predict_proba(X)
        return self.classes_[P.argmax(axis=1)]

    def predict_secondary(self, X) -> np.ndarray:
        """Secondary label of every sentence (``None`` when no second theme is strong enough)."""
        return self.predict_frame(X)["theme2"].to_numpy(dtype=object)

    def save(self, path: str | os.PathLike) -> None:
        """Write the fitted model to ``path`` (joblib); read it back with :func:`load_model`.

        The file records the policytext version and the model format; loading checks both.
        """
        import joblib

        from .. import __version__

        self._check_fitted()
        joblib.dump({"format": "policytext.themes", "format_version": MODEL_FORMAT_VERSION,
                     "policytext_version": __version__, "estimator": self}, path, compress=3)


def load_model(path: str | os.PathLike):
    """Load a classifier saved with ``save`` / ``policytext classify --save``.

    Raises
    ------
    ModelNotFoundError
        No file at ``path``.
    ResourceError
        The file is not a policytext theme model, or was written by an incompatible model format.

    Notes
    -----
    Model files are pickles: load only files you trust.
    """
    import joblib

    from .. import __version__

    p = os.fspath(path)
    if not os.path.exists(p):
        raise ModelNotFoundError(f"no model file at {p!r}; write one with `policytext classify ... --save {p}` or "
                                 "ThemeClassifier(...).fit(...).save(path).")
    try:
        payload = joblib.load(p)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means "not a readable model file"
        raise ResourceError(f"cannot read model file {p!r} ({type(exc).__name__}: {exc}); it was probably written "
                            "by another version of policytext or scikit-learn. Refit and save it again.") from None
    if not isinstance(payload, dict) or payload.get("format") != "policytext.themes":
        raise ResourceError(f"{p!r} is not a policytext theme model (expected a file written by "
                            "ThemeClassifier.save or `policytext classify --save`).")
    if payload.get("format_version") != MODEL_FORMAT_VERSION:
        raise ResourceError(
            f"model file {p!r} has format version {payload.get('format_version')} (written by policytext "
            f"{payload.get('policytext_version')}); this policytext {__version__} reads format version "
            f"{MODEL_FORMAT_VERSION}. Refit the model and save it again."
        )
    return payload["estimator"]


# ---------------------------------------------------------------------------------------------------------
# the baseline
# ---------------------------------------------------------------------------------------------------------
class DictionaryClassifier(_ThemeBase):
    """Plain dictionary baseline: count seed-term hits per theme, take the most frequent theme, fallback when none.

    Every occurrence of every positive seed or rule term of the codebook's themes counts 1; weights, conditions,
    negative cues and the fallback label's own cues are ignored. Ties go to the theme listed first.

    Parameters
    ----------
    codebook : str, path or Codebook, default "rule_of_law"

    Examples
    --------
    >>> from policytext import DictionaryClassifier
    >>> clf = DictionaryClassifier("rule_of_law").fit(["深化放管服改革"])
    >>> clf.predict(["全面推行行政执法公示制度", "今年经济增长较快"]).tolist()
    ['enforcement', 'other']
    """

    def __init__(self, codebook: str | os.PathLike | Codebook = "rule_of_law") -> None:
        self.codebook = codebook

    def fit(self, X=None, y=None):
        """Nothing is learned; sets ``classes_`` and ``codebook_``. Returns self."""
        self.codebook_ = load_codebook(self.codebook)
        self.classes_ = np.asarray(self.codebook_.labels, dtype=object)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Hit counts normalised to sum to 1 (all mass on the fallback label when no term is found)."""
        self._check_fitted()
        texts = as_sentence_frame(X)["text"].tolist()
        C = self.codebook_.counts(texts)
        ko = self.codebook_.labels.index(self.codebook_.other)
        none = C.sum(axis=1) == 0
        C[none, ko] = 1.0
        return C / C.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        self._check_fitted()
        P = self.predict_proba(X)
        return self.classes_[P.argmax(axis=1)]  # argmax takes the first maximum: codebook order breaks ties

    def predict_frame(self, X):
        """DataFrame with ``theme``, ``theme2`` (second most frequent theme or None), ``score`` (share of hits)."""
        import pandas as pd

        frame = as_sentence_frame(X)
        P = self.predict_proba(frame)
        order = np.argsort(-P, axis=1, kind="stable")
        first = order[:, 0]
        second = order[:, 1]
        ko = self.codebook_.labels.index(self.codebook_.other)
        theme2 = [self.classes_[j] if P[i, j] > 0 and j != ko else None for i, j in enumerate(second)]
        return pd.DataFrame({"theme": pd.Series(self.classes_[first], dtype=object, index=frame.index),
                             "theme2": pd.Series(theme2, dtype=object, index=frame.index),
                             "score": P[np.arange(len(P)), first]}, index=frame.index)


# ---------------------------------------------------------------------------------------------------------
# the classifier
# ---------------------------------------------------------------------------------------------------------
class ThemeClassifier(_ThemeBase):
    """Classify sentences into the themes of a codebook, with or without labelled data.

    **Zero-label** (``fit(sentences)``): every sentence gets codebook evidence — weighted seed terms, conditional
    rules and negative cues (:meth:`Codebook.evidence`), plus a share of the evidence of the title of the section it
    sits in (``section_title``; a sentence under “四、坚持改革赋能，行政执法工作提质增效” leans to ``enforcement``).
    The fallback label starts at ``other_bias``. Sentences whose evidence is clear become pseudo-labels (sentences
    without any cue become ``other``), together with the codebook's example sentences; a character n-gram logistic
    regression learns from them and relabels the corpus for ``n_iter`` rounds (self-training). Prediction blends
    the codebook evidence (softmax at ``temperature``) with the text model (weight ``blend``) as a product of experts:
    clear codebook evidence wins, the text model decides where the codebook is silent or undecided.

    The text model of the zero-label mode uses the 32,768 most frequent character n-grams of the pseudo-labelled
    sentences, each occurrence weighted by its idf; the rounds before the last learn from half of
    ``max_per_class`` (they only relabel a pool of at most 150,000 sentences) and each round starts from the
    previous round's coefficients. Fitting on 700,000 sentences takes a few seconds, evidence and prediction run
    in blocks of 50,000 sentences.

    **Supervised** (``fit(sentences, labels)``): a linear model on character n-grams (and word n-grams with
    ``words=True``) of the sentence, of its ``section_title`` and of any ``context*`` columns (e.g. the previous and
    next sentence), plus the codebook evidence as extra features; any label set works (``codebook=None`` too).

    Parameters
    ----------
    codebook : str, path or Codebook, default "rule_of_law"
        Shipped name, YAML/TOML file or :class:`Codebook`. ``None`` is allowed in supervised mode only.
    blend : float, default 0.5
        Weight of the text model in the zero-label prediction: probabilities are
        ``softmax(evidence / temperature + blend * log P_text)`` (0 = codebook evidence only).
    temperature : float, default 1.0
        Softmax temperature turning evidence into probabilities.
    other_bias, heading_weight, secondary_ratio, secondary_min : float, optional
        Override the codebook's ``settings``.
    n_iter : int, default 2
        Self-training rounds in zero-label mode (0: codebook evidence only, no text model).
    margin : float, default 1.0
        A sentence becomes a pseudo-label when its best score leads the second by at least this much.
    max_per_class : int, default 4000
        Cap on pseudo-labelled sentences per label in the last round (half of it in earlier rounds).
    model : {"auto", "svm", "logreg"}, default "auto"
        Text model: logistic regression in zero-label mode (calibrated probabilities for blending), a linear SVM
        in supervised mode (fast; its probabilities are a softmax of margins, not calibrated).
    C : float, optional
        Inverse regularisation strength (default 4.0 for the logistic regression, 0.5 for the SVM).
    ngram_range : tuple, default (1, 3)
        Character n-gram orders.
    words : bool, default False
        Add word unigrams and bigrams from :class:`policytext.Tokenizer` (slower).
    class_weight : str or None, default "balanced"
    random_state : int, default 0

    Attributes
    ----------
    classes_ : ndarray of str
        Labels (codebook order in zero-label mode, sorted in supervised mode).
    codebook_ : Codebook or None
    mode_ : {"zero-label", "supervised"}
    vectorizer_, model_ : the fitted text features and logistic regression (None without a text model)
    n_pseudo_ : dict
        Pseudo-labels per label used in the last self-training round (zero-label mode).

    Examples
    --------
    >>> from policytext import ThemeClassifier
    >>> sents = ["全面推行行政执法公示制度。", "深化“放管服”改革，优化营商环境。", "各位代表，过去一年成绩来之不易。",
    ...          "依法办理行政复议案件。", "加强法治宣传教育，深入开展普法。"]
    >>> clf = ThemeClassifier("rule_of_law").fit(sents)
    >>> clf.predict(sents).tolist()
    ['enforcement', 'service_reform', 'other', 'dispute_resolution', 'legal_publicity']
    >>> clf.predict_frame(["全面落实行政执法公示、执法全过程记录、重大执法决定法制审核制度，推行重大行政决策合法性审查。"]
    ...                   )[["theme", "theme2"]].iloc[0].tolist()
    ['enforcement', 'decision_making']
    """

    def __init__(self, codebook: str | os.PathLike | Codebook | None = "rule_of_law", *, blend: float = 0.5,
                 temperature: float = 1.0, other_bias: float | None = None, heading_weight: float | None = None,
                 secondary_ratio: float | None = None, secondary_min: float | None = None, n_iter: int = 2,
                 margin: float = 1.0, max_per_class: int = 4000, model: str = "auto", C: float | None = None,
                 ngram_range: tuple[int, int] = (1, 3), words: bool = False,
                 class_weight: str | None = "balanced", random_state: int = 0) -> None:
        self.codebook = codebook
        self.blend = blend
        self.temperature = temperature
        self.other_bias = other_bias
        self.heading_weight = heading_weight
        self.secondary_ratio = secondary_ratio
        self.secondary_min = secondary_min
        self.n_iter = n_iter
        self.margin = margin
        self.max_per_class = max_per_class
        self.model = model
        self.C = C
        self.ngram_range = ngram_range
        self.words = words
        self.class_weight = class_weight
        self.random_state = random_state

    # -- settings --------------------------------------------------------------------------------------------
    def _setting(self, name: str) -> float:
        value = getattr(self, name)
        if value is None:
            value = self.codebook_.settings[name] if self.codebook_ is not None else {
                "other_bias": 0.0, "heading_weight": 0.0, "secondary_ratio": 0.5, "secondary_min": 0.0}[name]
        return float(value)

    def _check_params(self) -> None:
        if not self.blend >= 0:
            raise ParameterError(f"blend must be >= 0; got {self.blend!r}.")
        if self.temperature <= 0:
            raise ParameterError(f"temperature must be > 0; got {self.temperature!r}.")
        if int(self.n_iter) != self.n_iter or self.n_iter < 0:
            raise ParameterError(f"n_iter must be an integer >= 0; got {self.n_iter!r}.")
        lo, hi = self.ngram_range
        if not 1 <= lo <= hi <= 6:
            raise ParameterError(f"ngram_range must be (lo, hi) with 1 <= lo <= hi <= 6; got {self.ngram_range!r}.")

    # -- evidence --------------------------------------------------------------------------------------------
    def _evidence(self, frame, enc=None) -> tuple[np.ndarray, np.ndarray]:
        """Sentence evidence E (own cues) and heading evidence H (inherited), both (n, K).

        ``enc`` is the encoded ``frame["text"]`` when the caller has it already.
        """
        from ..codebook import _encode

        cb = self.codebook_
        enc = _encode(frame["text"].tolist()) if enc is None else enc
        texts = enc.texts
        E = cb.evidence(enc)
        H = np.zeros_like(E)
        hw = self._setting("heading_weight")
        if hw > 0 and "section_title" in frame.columns:
            import pandas as pd

            inv, uniq = pd.factorize(frame["section_title"], use_na_sentinel=False)
            uniq = [u if isinstance(u, str) else "" for u in uniq.tolist()]
            stripped = [u.strip() for u in uniq]
            Et = cb.evidence(uniq)
            Et = np.clip(Et, 0, _HEADING_CAP)
            Et[:, cb.labels.index(cb.other)] = 0
            Et[np.asarray([u == "" for u in stripped], dtype=bool)] = 0
            inv = np.asarray(inv, dtype=np.intp)
            H = Et[inv]
            H *= hw
            # a heading does not inherit from itself: rows flagged as headings, and rows that start with their
            # section title (checked only where there is something to inherit, and only where the first
            # characters agree or the sentence starts with a space)
            own = frame["is_heading"].to_numpy(dtype=bool).copy() if "is_heading" in frame.columns else \
                np.zeros(len(texts), dtype=bool)
            check = np.flatnonzero(Et.any(axis=1)[inv] & ~own)
            if len(check):
                first = _first_codes(enc)[check]
                title_first = _first_codes(_encode(stripped))[inv[check]]
                check = check[(first == title_first) | _is_space(first)]
                # a stripped title ends in a non-space, so t.strip().startswith(h) == t.lstrip().startswith(h)
                own[check] = [texts[i].lstrip().startswith(stripped[j])
                              for i, j in zip(check.tolist(), inv[check].tolist())]
            H[own] = 0
        return E, H

    def _scores(self, E: np.ndarray, H: np.ndarray) -> np.ndarray:
        S = E + H
        # ties go to the fallback label: a theme needs more evidence than `other_bias`
        S[:, self.codebook_.labels.index(self.codebook_.other)] += self._setting("other_bias") + 1e-6
        return S

    # -- fitting ---------------------------------------------------------------------------------------------
    def fit(self, X, y=None, sample_weight=None):
        """Fit zero-label (``y=None``) from the codebook, or supervised from labels.

        Parameters
        ----------
        X : Corpus, DataFrame (``text``, optional ``section_title``, ``is_heading``), Series or list of str
        y : sequence of str, optional
            Labels; ``None`` fits zero-label.
        sample_weight : array-like, optional
            Supervised mode only.

        Returns
        -------
        self
        """
        self._check_params()
        frame = as_sentence_frame(X)
        if len(frame) == 0 and y is None:
            raise InputError("cannot fit on zero sentences; give the sentences to learn from.")
        self.codebook_ = load_codebook(self.codebook) if self.codebook is not None else None
        if y is None:
            if self.codebook_ is None:
                raise ParameterError("zero-label fitting needs a codebook; pass codebook='rule_of_law' (or a file) "
                                     "or give labels: fit(sentences, labels).")
            return self._fit_zero_label(frame)
        return self._fit_supervised(frame, y, sample_weight)

    def _new_vectorizer(self, zero_label: bool = False):
        from ._features import HashedNgramVectorizer

        if zero_label:
            return HashedNgramVectorizer(ngram_range=tuple(self.ngram_range), words=self.words, min_df=2,
                                         max_features=_MAX_FEATURES, sublinear_tf=False, merge_repeats=False)
        return HashedNgramVectorizer(ngram_range=tuple(self.ngram_range), words=self.words, min_df=2)

    def _model_kind(self, supervised: bool) -> str:
        if self.model == "auto":
            return "svm" if supervised else "logreg"
        if self.model not in ("svm", "logreg"):
            raise ParameterError(f"model must be 'auto', 'svm' or 'logreg'; got {self.model!r}.")
        return self.model

    def _new_model(self, supervised: bool = False):
        cw = None if self.class_weight == "sqrt" else self.class_weight
        if self._model_kind(supervised) == "svm":
            from sklearn.svm import LinearSVC

            return LinearSVC(C=0.5 if self.C is None else self.C, class_weight=cw)
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=4.0 if self.C is None else self.C, max_iter=300, class_weight=cw, tol=1e-3)

    def _model_proba(self, Xt) -> np.ndarray:
        """Class probabilities of the text model; a linear SVM's margins go through a softmax (uncalibrated)."""
        if hasattr(self.model_, "predict_proba"):
            return self.model_.predict_proba(Xt)
        D = self.model_.decision_function(Xt)
        if D.ndim == 1:
            D = np.c_[-D, D]
        return _softmax(D, 0.5)

    def _class_sample_weight(self, y: Sequence[str]) -> np.ndarray:
        """Per-sample weights for ``class_weight="sqrt"``: ``sqrt(n_largest / n_class)``."""
        y = np.asarray(y, dtype=object)
        if self.class_weight != "sqrt":
            return np.ones(len(y))
        labels, counts = np.unique(y, return_counts=True)
        w = dict(zip(labels, np.sqrt(counts.max() / counts)))
        return np.asarray([w[v] for v in y])

    def _fit_zero_label(self, frame):
        from ..perf import paused_gc

        cb = self.codebook_
        labels = cb.labels
        self.classes_ = np.asarray(labels, dtype=object)
        self.mode_ = "zero-label"
        self.vectorizer_ = None
        self.model_ = None
        self.n_pseudo_ = {}
        texts = frame["text"].tolist()
        n, K = len(texts), len(labels)
        ko = labels.index(cb.other)
        # codebook evidence block by block; kept: the scores (float32) and what the pseudo-labels need
        S = np.empty((n, K), dtype=np.float32)
        top = np.empty(n, dtype=np.int64)
        lead = np.empty(n)
        e_max = np.empty(n)
        own_other = np.empty(n)
        with paused_gc():
            for a in range(0, n, _BLOCK):
                b = min(n, a + _BLOCK)
                E, H = self._evidence(frame.iloc[a:b])
                Sb = self._scores(E, H)
                S[a:b] = Sb
                top[a:b] = Sb.argmax(axis=1)
                srt = np.sort(Sb, axis=1)
                lead[a:b] = srt[:, -1] - srt[:, -2]
                e_max[a:b] = E.max(axis=1)
                own_other[a:b] = E[:, ko]
        ex_texts, ex_labels = cb.examples()
        ex_w = [3.0] * len(ex_texts)
        for th in cb.themes.values():  # seed terms as tiny documents: n-gram knowledge of every cue
            for term, wt in th.seeds.items():
                if wt >= 2:
                    ex_texts.append(term)
                    ex_labels.append(th.id)
                    ex_w.append(0.5)
        if self.n_iter == 0:
            return self
        rng = np.random.default_rng(self.random_state)
        # pseudo-labels of round 0: clear codebook evidence
        confident = ((top != ko) & (lead >= self.margin) & (e_max >= 2.0)) | \
                    ((top == ko) & (lead >= self.margin) & (own_other >= 1.0))
        pseudo = np.where(confident, top, -1)
        nonempty = np.fromiter(map(len, map(str.strip, texts)), dtype=np.int64, count=len(texts)) >= 4
        pseudo[~nonempty] = -1
        vec = self._new_vectorizer(zero_label=True)
        fit_idx = self._sample(pseudo, K, rng)
        vec.fit([texts[i] for i in fit_idx] + ex_texts)
        pool = np.arange(len(texts))
        if len(pool) > _MAX_POOL:  # self-training relabels a random pool (plus every confident sentence)
            pool = np.sort(rng.choice(pool, _MAX_POOL, replace=False))
        model = None
        for it in range(int(self.n_iter)):
            last = it == int(self.n_iter) - 1
            idx = self._sample(pseudo, K, rng, None if last else max(1, int(self.max_per_class * _EARLY_ROUND_SHARE)))
            ylab = [labels[pseudo[i]] for i in idx] + list(ex_labels)
            present = sorted(set(ylab))
            if len(present) < 2:
                break
            Xtr = vec.transform([texts[i] for i in idx] + ex_texts)
            Xtr.sum_duplicates()  # same matrix, fewer entries for the ~30 L-BFGS steps
            w = np.concatenate([np.ones(len(idx)), np.asarray(ex_w)]) * self._class_sample_weight(ylab)
            if model is None or list(model.classes_) != present:
                model = self._new_model()
            else:  # the next round starts from the last solution (a few L-BFGS steps instead of ~30)
                model.set_params(warm_start=True)
            with _one_blas_thread():
                model.fit(Xtr, ylab, sample_weight=w)
            model.set_params(warm_start=False)
            self.vectorizer_, self.model_ = vec, model
            self._linear = None
            self.n_pseudo_ = {lab: int(n) for lab, n in zip(*np.unique([labels[pseudo[i]] for i in idx],
                                                                          return_counts=True))}
            if last:
                break
            # relabel: blended probabilities on the pool
            Pt_pool = np.concatenate([self._text_proba([texts[i] for i in pool[j:j + _BLOCK]])
                                      for j in range(0, len(pool), _BLOCK)])
            Pb = self._combine(S[pool], Pt_pool)
            best = Pb.argmax(axis=1)
            keep = (Pb.max(axis=1) >= 0.5) & nonempty[pool]
            # never overrule clear codebook evidence with the text model
            keep &= ~(confident[pool] & (best != top[pool]))
            pseudo = np.full(len(texts), -1)
            pseudo[pool[keep]] = best[keep]
            pseudo[confident] = top[confident]
            pseudo[~nonempty] = -1
        return self

    def _sample(self, pseudo: np.ndarray, K: int, rng, cap: int | None = None) -> np.ndarray:
        """Indices of pseudo-labelled sentences, at most ``cap`` (default ``max_per_class``) per label."""
        cap = self.max_per_class if cap is None else cap
        out = []
        for k in range(K):
            idx = np.flatnonzero(pseudo == k)
            if len(idx) > cap:
                idx = rng.choice(idx, cap, replace=False)
            out.append(idx)
        return np.sort(np.concatenate(out)) if out else np.zeros(0, dtype=np.int64)

    def _text_proba(self, texts) -> np.ndarray:
        """Text-model probabilities of sentences (list or encoded), aligned to ``classes_`` (zero for labels the
        model never saw).

        Computed from the n-gram occurrences directly: unnormalised rows times the coefficients (float32), then
        each row scaled by its norm — the logistic regression's own ``predict_proba`` on the same features.
        """
        from scipy import sparse

        lin = getattr(self, "_linear", None)
        if lin is None:
            coef = np.asarray(self.model_.coef_, dtype=np.float64)
            icpt = np.asarray(self.model_.intercept_, dtype=np.float64)
            if coef.shape[0] == 1:  # binary: the softmax of (-d/2, d/2) is the logistic of d
                coef, icpt = np.vstack([-coef / 2, coef / 2]), np.r_[-icpt / 2, icpt / 2]
            pos = {c: i for i, c in enumerate(self.classes_)}
            cols = np.asarray([pos[c] for c in self.model_.classes_])
            lin = self._linear = (np.ascontiguousarray(coef.T, dtype=np.float32), icpt.astype(np.float32), cols)
        W, b, cols = lin
        indptr, indices, data, inv_norm = self.vectorizer_._weighted(texts)
        X = sparse.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, W.shape[0]))
        Z = np.asarray(X @ W)
        Z *= inv_norm[:, None]
        Z += b
        Pm = _softmax(Z, 1.0)
        P = np.zeros((Pm.shape[0], len(self.classes_)))
        P[:, cols] = Pm
        return P

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_linear", None)
        return state

    def _fit_supervised(self, frame, y, sample_weight):
        from ._features import HashedNgramVectorizer

        y = np.asarray([str(v) for v in y], dtype=object)
        if len(y) != len(frame):
            raise InputError(f"got {len(frame)} sentences but {len(y)} labels; give one label per sentence.")
        if len(set(y)) < 2:
            raise InputError(f"supervised fitting needs at least two distinct labels; got {sorted(set(y))}.")
        self.mode_ = "supervised"
        self.n_pseudo_ = {}
        self.vectorizer_ = self._new_vectorizer().fit(frame["text"].tolist())
        self.context_vectorizers_ = {}
        for col in ["section_title"] + sorted(c for c in frame.columns if c.startswith("context")):
            if col in frame.columns and any(t.strip() for t in frame[col]):
                self.context_vectorizers_[col] = HashedNgramVectorizer(
                    ngram_range=tuple(self.ngram_range), min_df=2).fit(frame[col].tolist())
        Xt = self._supervised_features(frame)
        sw = self._class_sample_weight(y)
        if sample_weight is not None:
            sw = sw * np.asarray(sample_weight, dtype=float)
        self.model_ = self._new_model(supervised=True).fit(Xt, y, sample_weight=sw)
        self.classes_ = np.asarray(self.model_.classes_, dtype=object)
        return self

    def _supervised_features(self, frame):
        from scipy import sparse

        parts = [self.vectorizer_.transform(frame["text"].tolist())]
        for col, vec in getattr(self, "context_vectorizers_", {}).items():
            values = frame[col].tolist() if col in frame.columns else [""] * len(frame)
            parts.append((0.5 if col == "section_title" else 0.4) * vec.transform(values))
        if self.codebook_ is not None:
            E, H = self._evidence(frame)
            parts.append(sparse.csr_matrix(np.clip(E + H, -3, 9) / 3.0))
        return sparse.hstack(parts).tocsr() if len(parts) > 1 else parts[0]

    # -- prediction ------------------------------------------------------------------------------------------
    def _blocks(self, frame):
        """``(P, EH)`` for consecutive blocks of at most ``_BLOCK`` sentences of a prepared frame (bounded memory,
        cache-sized arrays)."""
        self._check_fitted()
        for a in range(0, max(len(frame), 1), _BLOCK):
            yield self._predict_parts(frame.iloc[a:a + _BLOCK])

    def _predict_parts(self, frame):
        """(P combined, E evidence incl. heading) for a prepared frame."""
        if self.mode_ == "supervised":
            P = self._model_proba(self._supervised_features(frame))
            if self.codebook_ is not None and set(self.classes_) <= set(self.codebook_.labels):
                E, H = self._evidence(frame)
                cols = [self.codebook_.labels.index(c) for c in self.classes_]
                return P, (E + H)[:, cols]
            return P, None
        from ..codebook import _encode
        from ..perf import paused_gc

        with paused_gc():
            enc = _encode(frame["text"].tolist())
            E, H = self._evidence(frame, enc)
        S = self._scores(E, H)
        E += H
        if self.model_ is not None and self.blend > 0:
            return self._combine(S, self._text_proba(enc)), E
        return _softmax(S, self.temperature), E

    def _combine(self, S: np.ndarray, Pt: np.ndarray) -> np.ndarray:
        """Product of experts: softmax(S / temperature + blend * log P_text)."""
        return _softmax(S / self.temperature + self.blend * np.log(Pt + 1e-4), 1.0)

    def predict_proba(self, X) -> np.ndarray:
        """Probability of every label (columns follow ``classes_``)."""
        return np.concatenate([P for P, _ in self._blocks(as_sentence_frame(X))])

    def predict(self, X) -> np.ndarray:
        """Primary label of every sentence.

        Returns
        -------
        numpy.ndarray of str
        """
        first = np.concatenate([P.argmax(axis=1) for P, _ in self._blocks(as_sentence_frame(X))])
        return self.classes_[first]

    def predict_frame(self, X):
        """Primary and secondary theme of every sentence.

        Returns
        -------
        pandas.DataFrame
            Index of the input; columns ``theme`` (primary label), ``theme2`` (secondary label or None: the next
            most probable theme when its codebook evidence is at least ``secondary_min`` and at least
            ``secondary_ratio`` times the primary's), ``score`` (probability of the primary label), ``score2``.
        """
        import pandas as pd

        frame = as_sentence_frame(X)
        parts = [self._secondary(P, EH) for P, EH in self._blocks(frame)]
        first, second, ok, p1, p2 = (np.concatenate([p[i] for p in parts]) for i in range(5))
        theme2 = pd.Series(np.where(ok, self.classes_[second], None), dtype=object, index=frame.index)
        return pd.DataFrame({"theme": pd.Series(self.classes_[first], dtype=object, index=frame.index),
                             "theme2": theme2, "score": p1, "score2": np.where(ok, p2, np.nan)}, index=frame.index)

    def _secondary(self, P: np.ndarray, EH: np.ndarray | None):
        """Column of the primary and secondary label, whether the secondary counts, and both probabilities."""
        n = len(P)
        rows = np.arange(n)
        first = P.argmax(axis=1)  # the first of equal maxima, like a stable sort
        classes = list(self.classes_)
        other = self.codebook_.other if self.codebook_ is not None else None
        ko = classes.index(other) if other in classes else -1
        P2 = P.copy()
        P2[rows, first] = -1
        if ko >= 0:
            P2[:, ko] = -1
        if EH is not None and P.shape[1] > 1:
            M = EH.astype(float)
            M[rows, first] = -np.inf
            if ko >= 0:
                M[:, ko] = -np.inf
            second = M.argmax(axis=1)
        else:
            second = P2.argmax(axis=1) if P.shape[1] > 1 else np.zeros(n, dtype=int)
        p1 = P[rows, first]
        p2 = P[rows, second] if P.shape[1] > 1 else np.zeros(n)
        ratio, minimum = self._setting("secondary_ratio"), self._setting("secondary_min")
        if P.shape[1] < 2:
            ok = np.zeros(n, dtype=bool)
        elif EH is not None:
            # secondary labels come from explicit codebook evidence: the runner-up theme needs at least
            # `secondary_min` and `secondary_ratio` times the evidence of the primary (the fallback label's score
            # when the primary is the fallback)
            e2 = EH[rows, second]
            e1 = EH[rows, first]
            if ko >= 0:
                e1 = np.where(first == ko, e1 + self._setting("other_bias"), e1)
            ok = (e2 >= minimum) & (e2 >= ratio * np.maximum(e1, 0)) & (P2.max(axis=1) >= 0)
        else:
            ok = (p2 >= ratio * p1) & (P2.max(axis=1) >= 0)
        return first, second, ok, p1, p2

    def transform(self, X):
        """The sentence table of ``X`` (a Corpus or sentence DataFrame) with ``theme, theme2, score`` added.

        (This ``transform`` returns a labelled table, not a feature matrix.)
        """
        from ._corpus import classify_corpus

        return classify_corpus(X, model=self)

    # -- explanations ----------------------------------------------------------------------------------------
    def explain(self, X, top: int = 5):
        """Why each sentence got its label: matched codebook cues and the strongest text-model features.

        Returns
        -------
        pandas.DataFrame
            Columns ``text, theme, score, cues`` (list of ``(term, theme, weight)``; ``heading:`` marks cues
            inherited from the section title) and ``features`` (list of ``(n-gram, contribution)`` for the
            primary theme, text model only).

        >>> clf = ThemeClassifier(n_iter=0).fit(["深化放管服改革"])
        >>> clf.explain(["全面推行行政执法公示制度"]).loc[0, "cues"]
        [('行政执法公示', 'enforcement', 3.0)]
        """
        import pandas as pd

        frame = as_sentence_frame(X)
        pred = self.predict_frame(frame)
        rows = []
        coef_pos = {}
        if self.model_ is not None:
            coef_pos = {c: i for i, c in enumerate(self.model_.classes_)}
        Xt = None
        if self.model_ is not None and self.mode_ == "zero-label":
            Xt = self.vectorizer_.transform(frame["text"].tolist())
        hw = self._setting("heading_weight") if self.codebook_ is not None else 0
        for i, (text, theme, score) in enumerate(zip(frame["text"], pred["theme"], pred["score"])):
            cues = []
            if self.codebook_ is not None:
                cues = [(m.term, m.theme, m.weight) for m in self.codebook_.matches(text)]
                if hw > 0 and "section_title" in frame.columns:
                    title = frame["section_title"].iloc[i]
                    if title.strip() and not text.strip().startswith(title.strip()):
                        cues += [("heading:" + m.term, m.theme, round(hw * m.weight, 3))
                                 for m in self.codebook_.matches(title) if m.theme != self.codebook_.other]
            feats = []
            if Xt is not None and theme in coef_pos:
                row = Xt[i]
                contrib = row.data * self.model_.coef_[coef_pos[theme]][row.indices] \
                    if self.model_.coef_.shape[0] > 1 else row.data * self.model_.coef_[0][row.indices]
                names = self.vectorizer_.ngrams(text)
                best = np.argsort(-contrib)[:top]
                feats = [(names.get(int(row.indices[j]), "?"), round(float(contrib[j]), 4)) for j in best
                         if contrib[j] > 0]
            rows.append({"text": text, "theme": theme, "score": float(score), "cues": cues, "features": feats})
        return pd.DataFrame(rows, index=frame.index)
