"""Test helpers: train a tiny but real HanLP ``RNNTokenizer`` in a few seconds.

The model is a character BiLSTM-CRF (embedding 32, hidden 32) trained on ``tests/data/hanlp_tiny_train.txt``:
272 lines of policy-report sentences segmented by hand (73 hand-segmented clauses, paired deterministically, plus
each clause alone). It is saved with HanLP's own ``save`` and its ``config.json`` names HanLP's stock class
(``hanlp.components.tokenizers.tok.RNNTokenizer``), so ``hanlp.load(path)`` builds exactly what a user's own
RNNTokenizer model would build; the backend's load-time repairs are therefore tested too.

HanLP 2.1.5's ``RNNTokenizer.fit`` trips over four bugs; :class:`TinyRNNTokenizer` works around them here, in
test code (site-packages is never patched):

1. ``build_dataset`` appends ``config.transform`` even when it is None (``AssertionError: None transform not
   allowed``);
2. it appends the ``[vocabs]`` list it receives as *one* transform (a list is not callable);
3. ``RNNTagger.fit_dataloader`` calls ``update_metrics(..., prediction)`` but ``RNNTokenizer.update_metrics``
   does not take ``prediction`` (TypeError);
4. ``RNNTaggingModel`` builds ``CRF(n_out, crf_constraints)``, i.e. ``batch_first=None`` although its emissions
   are batch-first: training "works" but Viterbi decodes garbage until ``model.crf.batch_first = True``.

Bugs 1, 2 and 4 also break prediction of any saved RNNTokenizer, so
:func:`policytext.backends.hanlp.repair_rnn_tokenizer` fixes them on the loaded object; the subclass reuses it.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

TRAIN_FILE = Path(__file__).resolve().parent / "data" / "hanlp_tiny_train.txt"
STOCK_CLASSPATH = "hanlp.components.tokenizers.tok.RNNTokenizer"


def hanlp_available() -> tuple[bool, str]:
    """(True, "") when torch and hanlp import, else (False, reason) for ``pytest.skip``."""
    try:
        import hanlp  # noqa: F401
        import torch  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the environment
        return False, f"HanLP backend not installed ({exc}); pip install torch==2.13.0 'policytext[hanlp]'"
    return True, ""


def _tiny_class():
    from hanlp.components.tokenizers.tok import RNNTokenizer

    from policytext.backends.hanlp import _rnn_build_dataset

    class TinyRNNTokenizer(RNNTokenizer):
        """RNNTokenizer whose training works in HanLP 2.1.5 (bugs 1-4 in the module docstring)."""

        build_dataset = _rnn_build_dataset  # bugs 1 and 2

        def update_metrics(self, metric, logits, y, mask, batch, prediction=None):  # bug 3
            return RNNTokenizer.update_metrics(self, metric, logits, y, mask, batch)

        def build_model(self, **kwargs):  # bug 4
            model = super().build_model(**kwargs)
            if model.crf is not None:
                model.crf.batch_first = True
            return model

    return TinyRNNTokenizer


def _quiet_logger() -> logging.Logger:
    logger = logging.getLogger("policytext.tests.hanlp_tiny")
    logger.handlers[:] = [logging.NullHandler()]
    logger.propagate = False
    return logger


def train_tiny_model(
    save_dir: str | os.PathLike,
    train_file: str | os.PathLike = TRAIN_FILE,
    *,
    epochs: int = 6,
    seed: int = 7,
) -> Path:
    """Train the tiny RNNTokenizer on ``train_file`` and save it to ``save_dir``; return the directory.

    About 1 s per epoch on 2 cores. The saved ``config.json`` names HanLP's stock ``RNNTokenizer``.
    """
    import torch

    save_dir = Path(save_dir)
    save_dir.mkdir(parents=True, exist_ok=True)
    dev_file = save_dir.with_name(
        save_dir.name + "_dev.txt"
    )  # a slice of the training data: dev only picks epochs
    dev_file.write_text(
        "".join(Path(train_file).read_text(encoding="utf8").splitlines(True)[:40]), encoding="utf8"
    )
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny model gains nothing from threads, and they spin on a busy machine
    try:
        _fit(save_dir, train_file, dev_file, epochs, seed)
    finally:
        torch.set_num_threads(threads)
    config_path = save_dir / "config.json"
    config = json.loads(config_path.read_text(encoding="utf8"))
    config["classpath"] = STOCK_CLASSPATH  # load with HanLP's own class, as a user's model would
    config_path.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf8")
    return save_dir


def _fit(save_dir: Path, train_file, dev_file: Path, epochs: int, seed: int) -> None:
    tok = _tiny_class()()
    tok.fit(
        str(train_file),
        str(dev_file),
        str(save_dir),
        epochs=epochs,
        embed=32,
        rnn_hidden=32,
        batch_size=32,
        lr=0.02,
        drop=0.2,
        patience=epochs,
        anneal_factor=None,
        crf=True,
        seed=seed,
        devices=-1,
        logger=_quiet_logger(),
        verbose=False,
    )


def _tiny_transformer_class():
    import torch
    from hanlp.components.tokenizers.transformer import TransformerTaggingTokenizer

    class TinyTransformerTokenizer(TransformerTaggingTokenizer):
        """TransformerTaggingTokenizer whose training works with transformers 5.

        HanLP 2.1.5 builds its optimizer with ``transformers.optimization.AdamW``, which transformers 5 removed;
        torch's AdamW with a constant schedule stands in (training only: the saved model is the stock class).
        """

        def build_optimizer(self, trn, epochs, lr, **kwargs):
            optimizer = torch.optim.AdamW(self.model.parameters(), lr=lr)
            return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)

    return TinyTransformerTokenizer


def train_tiny_transformer_model(
    save_dir: str | os.PathLike, train_file: str | os.PathLike = TRAIN_FILE, *, epochs: int = 2, seed: int = 7
) -> Path:
    """Train a ``TransformerTaggingTokenizer`` (the class of HanLP's pretrained tokenizers) on a tiny BERT.

    The BERT (1 layer, hidden 32, a character vocabulary built from ``train_file``) is created locally next to
    ``save_dir`` (in ``<save_dir>_bert``) with random weights: nothing is downloaded. Two epochs give a poor but
    real segmenter in a few seconds; what the tests need is HanLP's transformer inference path (``dict_force``,
    ``dict_combine``, raw-text token rebuilding), not accuracy.
    """
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    save_dir = Path(save_dir)
    bert_dir = save_dir.with_name(save_dir.name + "_bert")
    bert_dir.mkdir(parents=True, exist_ok=True)
    text = Path(train_file).read_text(encoding="utf8")
    chars = sorted(set(text) - set(" \n"))
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    (bert_dir / "vocab.txt").write_text("\n".join(specials + chars) + "\n", encoding="utf8")
    BertTokenizerFast(vocab_file=str(bert_dir / "vocab.txt"), do_lower_case=False).save_pretrained(bert_dir)
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(specials) + len(chars),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
    )
    BertModel(config).save_pretrained(bert_dir)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        _tiny_transformer_class()().fit(
            str(train_file),
            str(train_file),
            str(save_dir),
            transformer=str(bert_dir),
            epochs=epochs,
            lr=1e-3,
            transformer_lr=1e-3,
            batch_size=32,
            word_dropout=0.0,
            seed=seed,
            devices=-1,
            logger=_quiet_logger(),
        )
    finally:
        torch.set_num_threads(threads)
    config_path = save_dir / "config.json"
    saved = json.loads(config_path.read_text(encoding="utf8"))
    saved["classpath"] = "hanlp.components.tokenizers.transformer.TransformerTaggingTokenizer"
    config_path.write_text(json.dumps(saved, ensure_ascii=False, indent=2), encoding="utf8")
    return save_dir


def main() -> None:  # pragma: no cover - manual use: python tests/hanlp_support.py /tmp/tiny
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, when run as a script
    t0 = time.perf_counter()
    path = train_tiny_model(sys.argv[1] if len(sys.argv) > 1 else "/tmp/policytext-hanlp-tiny")
    print(f"trained {path} in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":  # pragma: no cover
    main()
