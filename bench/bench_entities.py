"""Benchmark: entity tagging accuracy and speed (issue 4), policytext beside envpos, jionlp and HanLP.

Usage::

    python bench/bench_entities.py [--peers envpos,jionlp,hanlp] [--speed-chars 0] [--out bench/results/entities.md]

Accuracy: exact-span precision, recall and F1 per label on ../shared/gold/dev/*entities*.jsonl (each file, all
files pooled, and two halves of the pooled set: sentences at even and odd positions of each file), scored on the
labels of spec/entities.md (PLACE, ORG, PROGRAM, SLOGAN, DOCUMENT, METRIC; DATE is not scored). Each sentence is
tagged with its ``region`` field, as the CLI does.

Peers (same sentences, same scorer; labels mapped to ours where they have one):

* envpos 0.82 (a policy-domain ALBERT-CRF tagger that ships its weights): loc -> PLACE, gov/org/com -> ORG,
  doc -> DOCUMENT (《》 stripped), pro -> PROGRAM. envpos does not load under transformers 5 as installed
  (``AlbertCRF`` lacks ``all_tied_weights_keys``); the benchmark patches that attribute in before loading, and
  tags one sentence per call (``envpos.cut`` on a list returns empty results after the first sentence).
* jionlp 1.5.31 place recognition: ``jionlp.recognize_location`` returns names without offsets, so its spans are
  the ``ns`` words of jiojio's POS tagger, the component ``recognize_location`` is built on -> PLACE.
* HanLP NER: every HanLP NER model is a download (none is reachable offline here); skipped with a note.

Speed: characters per CPU-second (``time.process_time``) and per wall-clock second, one process, tagging the
sentence table of ../shared/corpora/gov-reports with ``EntityTagger.tag_sentences(corpus.sentences,
docs=corpus.docs)`` (all labels, indicators on) with the corpus loaded in the same process; ``--speed-chars N``
limits the run to the first sentences up to N characters (0 = the whole corpus).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("POLICYTEXT_SHARED", REPO.parent / "shared"))
sys.path.insert(0, str(REPO))

SCORED = ("PLACE", "ORG", "PROGRAM", "SLOGAN", "DOCUMENT", "METRIC")
NOTES = """## Notes

- The dev sets are small (97 sentences, 297 scored entities) and were read while the rules were written; the
  halves are a consistency check, not an unseen test: rules were first developed on half A, then half B's errors
  were read too and some general rules came from them (generic body names need a prefix, a programme name right
  after a counted number is a common noun, 工程 after a place name). Generality was checked by reading several
  hundred tagged sentences drawn at random from shared/corpora/gov-reports (not gold) and from policy documents;
  the rules follow spec/entities.md, not individual dev sentences.
- Remaining dev errors are mostly boundary conventions the spec leaves open: unquoted programme names without a
  head noun (强基惠民, 国家智能制造专项, 中原物联网体验中心), a place name inside a facility name (顺德 in
  顺德华侨城欢乐海岸PLUS), lexicon slogans in descriptive use (租购并举, 过紧日子) and a quoted item preceded by its
  inspection programme (中央环保督察“回头看”).
- Speed is reported per CPU-second because other processes shared the 2-core machine during the run; the
  wall-clock figure is given beside it.
"""
TARGETS = {"PLACE": 0.92, "ORG": 0.85, "DOCUMENT": 0.95, "METRIC": 0.95, "SLOGAN": 0.80, "PROGRAM": 0.70, "micro": 0.88}


# ------------------------------------------------------------------------------------------------ data


def gold_files() -> list[Path]:
    files = sorted((SHARED / "gold" / "dev").glob("*entities*.jsonl"))
    if not files:
        sys.exit(f"no *entities*.jsonl under {SHARED / 'gold' / 'dev'}; set POLICYTEXT_SHARED")
    return files


def read_gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --------------------------------------------------------------------------------------------- scoring


def score(gold: list[set], pred: list[set]) -> dict[str, tuple[int, int, int]]:
    """Per label (and "micro") counts (tp, n_pred, n_gold) of exact (start, end, label) matches."""
    out: dict[str, list[int]] = {lab: [0, 0, 0] for lab in SCORED + ("micro",)}
    for g, p in zip(gold, pred):
        g = {x for x in g if x[2] in SCORED}
        p = {x for x in p if x[2] in SCORED}
        for lab in SCORED:
            gl = {x for x in g if x[2] == lab}
            pl = {x for x in p if x[2] == lab}
            out[lab][0] += len(gl & pl)
            out[lab][1] += len(pl)
            out[lab][2] += len(gl)
        out["micro"][0] += len(g & p)
        out["micro"][1] += len(p)
        out["micro"][2] += len(g)
    return {k: tuple(v) for k, v in out.items()}


def prf(tp: int, npred: int, ngold: int) -> tuple[float, float, float]:
    p = tp / npred if npred else (1.0 if not ngold else 0.0)
    r = tp / ngold if ngold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


# ----------------------------------------------------------------------------------------------- taggers


def policytext_tagger():
    from policytext import EntityTagger

    tagger = EntityTagger()

    def run(items: list[dict]) -> list[set]:
        out = []
        for it in items:
            ents = tagger.entities(it["text"], region=it.get("region"))
            out.append({(e["start"], e["end"], e["label"]) for e in ents})
        return out

    return run


def envpos_tagger():
    import transformers

    if not hasattr(transformers.PreTrainedModel, "all_tied_weights_keys"):
        transformers.PreTrainedModel.all_tied_weights_keys = {}  # envpos predates transformers 5
    import warnings

    warnings.filterwarnings("ignore")
    import io
    from contextlib import redirect_stderr, redirect_stdout

    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        import envpos
    mapping = {"loc": "PLACE", "gov": "ORG", "org": "ORG", "com": "ORG", "doc": "DOCUMENT", "pro": "PROGRAM"}

    def run(items: list[dict]) -> list[set]:
        texts = [it["text"] for it in items]
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            # one sentence per call: envpos.cut(list) returns empty results for all but the first sentence
            results = [envpos.cut(t) for t in texts]
        out = []
        for text, (words, tags) in zip(texts, results):
            spans = set()
            pos = 0
            for w, t in zip(words, tags):
                k = text.find(w, pos)
                if k == -1:
                    continue
                s, e = k, k + len(w)
                pos = e
                lab = mapping.get(t)
                if lab == "DOCUMENT" and w.startswith("《") and w.endswith("》"):
                    s, e = s + 1, e - 1
                if lab:
                    spans.add((s, e, lab))
            out.append(spans)
        return out

    return run


def jionlp_tagger():
    import io
    from contextlib import redirect_stdout

    with redirect_stdout(io.StringIO()):
        import jiojio

        jiojio.init(pos_rule=True, pos=True)

    def run(items: list[dict]) -> list[set]:
        out = []
        for it in items:
            text = it["text"]
            spans = set()
            pos = 0
            for w, t in jiojio.cut(text):
                k = text.find(w, pos)
                if k == -1:
                    continue
                pos = k + len(w)
                if t == "ns":
                    spans.add((k, k + len(w), "PLACE"))
            out.append(spans)
        return out

    return run


PEERS = {"envpos": envpos_tagger, "jionlp": jionlp_tagger}


# ------------------------------------------------------------------------------------------------- speed


def corpus_sentences(limit: int):
    """(sentence table, document table, how) of the gov-report corpus, via policytext.load_corpus when available;
    with ``limit``, the first sentences up to that many characters."""
    import pandas as pd

    root = SHARED / "corpora" / "gov-reports"
    try:
        import policytext as pt

        corpus = pt.load_corpus(root)
        sents, docs = corpus.sentences, corpus.docs
        how = "policytext.load_corpus + Corpus.sentences"
    except Exception as exc:  # noqa: BLE001 - the loader is another issue's work; fall back to the files
        texts = []
        for path in sorted(root.rglob("*.md")):
            texts += [s for s in re.split(r"(?<=[。！？；\n])", path.read_text(encoding="utf-8")) if s.strip()]
        sents, docs = pd.DataFrame({"text": texts}), None
        how = f"raw .md files split at 。！？； (load_corpus failed: {exc!r})"
    if limit:
        total = sents["text"].str.len().cumsum()
        sents = sents[total.shift(fill_value=0) < limit]
    return sents, docs, how


def run_speed(limit: int) -> dict:
    """Tag the corpus's sentence table with ``EntityTagger.tag_sentences`` (as ``policytext analyze`` does), in
    this process with the corpus loaded; CPU time by ``time.process_time``."""
    from policytext import EntityTagger

    sents, docs, how = corpus_sentences(limit)
    tagger = EntityTagger()
    tagger.entities("预热汉滨区", region="汉滨区")  # load the gazetteer and lexicon outside the timing
    n_chars = int(sents["text"].str.len().sum())
    t0, c0 = time.perf_counter(), time.process_time()
    table = tagger.tag_sentences(sents, docs=docs)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    counts = Counter(table["label"].tolist())
    return {"chars": n_chars, "sentences": len(sents), "seconds": dt, "cps": n_chars / dt, "cpu": cpu,
            "cps_cpu": n_chars / cpu, "load": load, "cores": os.cpu_count(), "how": how, "counts": dict(counts)}


# -------------------------------------------------------------------------------------------------- main


def table(rows: list[tuple[str, dict]], labels=SCORED + ("micro",)) -> str:
    head = "| set | " + " | ".join(labels) + " |\n|---|" + "---|" * len(labels) + "\n"
    body = ""
    for name, sc in rows:
        cells = []
        for lab in labels:
            tp, npred, ngold = sc[lab]
            p, r, f = prf(tp, npred, ngold)
            cells.append(f"{p:.2f}/{r:.2f}/**{f:.2f}** ({ngold})" if ngold else f"–/–/– (0; {npred} pred)")
        body += f"| {name} | " + " | ".join(cells) + " |\n"
    return head + body


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--peers", default="envpos,jionlp,hanlp", help="comma-separated peers ('' for none)")
    ap.add_argument("--speed-chars", type=int, default=0, help="characters for the speed run (0 = whole corpus, -1 = skip)")
    ap.add_argument("--out", default=None, help="write a markdown report here")
    ap.add_argument("--errors", action="store_true", help="print policytext's errors per sentence")
    ap.add_argument("--half", choices=["A", "B"], default=None, help="with --errors: only this half")
    args = ap.parse_args(argv)

    files = gold_files()
    data = {p.name: read_gold(p) for p in files}
    pooled = [it for items in data.values() for it in items]
    halves = {"A": [it for items in data.values() for it in items[0::2]],
              "B": [it for items in data.values() for it in items[1::2]]}

    def gold_sets(items):
        return [{(e["start"], e["end"], e["label"]) for e in it["entities"]} for it in items]

    report = ["# Entity tagging benchmark (issue 4)", ""]
    cmd = "python bench/bench_entities.py " + " ".join(argv if argv is not None else sys.argv[1:])
    report += [f"Command: `{cmd.strip()}`", "",
               "Cells: precision/recall/**F1** (gold count); exact-span match of (start, end, label).", ""]

    t0 = time.perf_counter()
    ours = policytext_tagger()
    preds = {name: ours(items) for name, items in data.items()}
    load_s = time.perf_counter() - t0
    rows = [(name, score(gold_sets(items), preds[name])) for name, items in data.items()]
    pooled_pred = [p for name in data for p in preds[name]]
    rows.append(("all dev files", score(gold_sets(pooled), pooled_pred)))
    idx = {id(it): k for k, it in enumerate(pooled)}
    for h, items in halves.items():
        rows.append((f"half {h} ({'even' if h == 'A' else 'odd'} lines)", score(gold_sets(items), [pooled_pred[idx[id(it)]] for it in items])))
    report += ["## policytext EntityTagger", "", table(rows)]
    targets = " · ".join(f"{k} ≥ {v}" for k, v in TARGETS.items())
    report += [f"Targets: {targets}. (First call incl. loading gazetteer and lexicon: {load_s:.1f} s.)", ""]
    print("\n".join(report), flush=True)

    if args.errors:
        items = halves[args.half] if args.half else pooled
        for it in items:
            g = {(e["start"], e["end"], e["label"]) for e in it["entities"] if e["label"] in SCORED}
            p = {x for x in pooled_pred[idx[id(it)]] if x[2] in SCORED}
            if g != p:
                t = it["text"]
                print(it["id"], it.get("region"), t[:400])
                for x in sorted(g - p):
                    print("   MISS", x[2], t[x[0]:x[1]])
                for x in sorted(p - g):
                    print("   FP  ", x[2], t[x[0]:x[1]])

    peer_rows = []
    notes = []
    for peer in [p for p in args.peers.split(",") if p]:
        if peer == "hanlp":
            notes.append("- HanLP NER: skipped — every HanLP NER model (e.g. MSRA_NER_ELECTRA_SMALL_ZH) is a "
                         "download from file.hankcs.com, unreachable offline here (see shared/notes/offline-nlp.md).")
            continue
        try:
            t0 = time.perf_counter()
            run = PEERS[peer]()
            pred = run(pooled)
            dt = time.perf_counter() - t0
            peer_rows.append((f"{peer} (all dev files)", score(gold_sets(pooled), pred)))
            n = sum(len(it["text"]) for it in pooled)
            notes.append(f"- {peer}: {dt:.1f} s for {n} characters including model load.")
        except Exception as exc:  # noqa: BLE001
            notes.append(f"- {peer}: failed to run: {exc!r}")
    if peer_rows:
        peer_rows.insert(0, ("policytext (all dev files)", rows[len(data)][1]))
        legend = ("Labels a peer does not produce score 0 recall; envpos maps loc→PLACE, gov/org/com→ORG, "
                  "doc→DOCUMENT, pro→PROGRAM; jionlp gives PLACE only.")
        report += ["## Peers on the same sentences", "", legend, "", table(peer_rows)]
    if notes:
        report += notes + [""]

    if args.speed_chars >= 0:
        sp = run_speed(args.speed_chars)
        speed = (f"{sp['chars']:,} characters in {sp['sentences']:,} sentences of shared/corpora/gov-reports "
                 f"({sp['how']}), tagged with `EntityTagger().tag_sentences(corpus.sentences, docs=corpus.docs)` "
                 f"in one process with the corpus loaded: **{sp['cps_cpu']:,.0f} characters per CPU-second** "
                 f"({sp['cpu']:.1f} s of CPU time); {sp['cps']:,.0f} characters per wall-clock second "
                 f"({sp['seconds']:.1f} s; machine load average {sp['load']:.1f} on {sp['cores']} cores at the end "
                 "of the run). Target (issue 4): ≥ 200,000 characters/s single process. The corpus-scale "
                 "pipeline (issue 8) needed more: before its speed-up the same run gave 417,957 characters per "
                 "CPU-second (72.3 s of CPU time).")
        found = "Entities found: " + ", ".join(f"{k} {v:,}" for k, v in sorted(sp["counts"].items()))
        report += ["## Speed", "", speed, "", found, ""]
    report += [NOTES]
    text = "\n".join(report)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print("\n".join(report[report.index("## policytext EntityTagger") + 4 :]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
