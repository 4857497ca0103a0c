"""Understanding free text, measured: run by hand, ``.venv/bin/python bench/bench_understanding.py``.

Prints one table for issue #10:

- **quality** on the held-out sets (``tests/data/understanding/*.yaml``, never
  tuned on nor learnt from), whole and their novel part (without near-copies
  of what the reader learns from, ``evaluate.novel_part``), with the rules
  alone and with rules + model; and on each corpus file
  (``dialogs/corpus/*.yaml``: dev and the earlier blind sets) read *unseen*,
  by the reader trained on the other files (``held_out.reader_without``).
  All computed by the core's own evaluation (``bot.core.understanding.evaluate``),
  the same code the tests assert with;
- **understanding step** per message, p50/p99 wall and CPU: model + rules +
  kNN for one message at a time, in this thread (no queueing);
- **cold start** and **memory added**, each in a fresh subprocess: imports,
  the hash check, loading the model, loading the cached example vectors and
  building the index; RSS before and after (after one message, so the
  engine's scratch buffers count);
- **threads**: the same open-loop run with ``TRUSTBOT_MODEL_THREADS`` 1 and 2
  (onnxruntime's intra-op threads), each in a fresh subprocess: the typed messages' latency
  and the event loop's lag (a 1 ms "press" every 10 ms) while they are read;
- **latency**: button presses with and without typed text being read at the
  same time. With ``--app`` (the default once the bot wires the model) this
  drives the real trustbot Application over bench/common.py's in-memory Bot
  API; otherwise the EmbeddingWorker directly, with presses as a cheap
  coroutine on the same loop.

Timings depend on the machine and its load: the load average is printed.
Every option: ``--help``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

#: bench/common.py imports python-telegram-bot: only the parts that drive the
#: Application import it, so the cold-start child times what the bot loads.
ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], share: float) -> float:
    from common import percentile as common_percentile

    return common_percentile(values, share)

#: Held out: never tuned on, never learnt from.
HELD_OUT = ROOT / "tests" / "data" / "understanding"
#: What the reader learns from; each file is measured with the reader trained on the others.
CORPUS = ROOT / "dialogs" / "corpus"
#: Vectors of the evaluation sets' texts, cached like the examples' (ExampleVectors).
CACHE = ROOT / ".cache" / "bench-vectors"
PARTS = ("quality", "step", "cold", "memory", "threads", "latency")


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def load_sets(folder: Path) -> dict[str, dict[str, Any]]:
    import yaml  # type: ignore[import-untyped]

    return {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.yaml"))}


def set_texts(data: dict[str, Any]) -> list[str]:
    from bot.core.understanding.evaluate import texts_of

    return texts_of(data)


# --- building what the bot builds -------------------------------------------------


@dataclass
class Understanding:
    embedder: Any
    reader: Any
    timings: dict[str, float]


def build(data_dir: Path | None, *, with_model: bool = True) -> Understanding:
    """What the bot does at start, timed step by step: the hash check and the
    model, the example vectors (shipped / cached file), the index and reader."""
    timings: dict[str, float] = {}
    clock = time.perf_counter
    t = clock()
    from bot.adapters.model import CorpusCache, ExampleVectors, ProbeCache, load_embedder
    from bot.core.faq.loader import load_faq
    from bot.core.faq.matcher import FaqMatcher
    from bot.core.understanding.content import load_understanding
    from bot.core.understanding.corpus import load_corpus
    from bot.core.understanding.index import UnderstandingIndex, example_texts
    from bot.core.understanding.reader import Reader
    timings["imports"] = clock() - t

    in_process = os.environ.get("TRUSTBOT_MODEL") == "process"  # as `trustbot run`: the model in its own process
    launched = None
    if with_model and in_process:  # as bot.bootstrap.load_with_model: it loads while the content does
        from bot.adapters.model import ModelProcess

        t = clock()
        launched = ModelProcess.launch()
        timings["model process launched"] = clock() - t
    t = clock()
    dialogs = ROOT / "dialogs"
    content, faq = load_understanding(dialogs, corpus=False), load_faq(dialogs)
    timings["content"] = clock() - t
    if with_model:  # as bot.bootstrap.reader_with_model: the corpus through its cache
        t = clock()
        corpus, _ = load_corpus(dialogs, CorpusCache(data_dir))
        content = replace(content, corpus=corpus)
        timings["corpus (shipped parse)"] = clock() - t
    embedder, matrix = None, None
    if with_model:
        t = clock()
        if launched is not None:
            launched.wait_ready()
            embedder = launched
            timings["model process (waiting for its load)"] = clock() - t
        else:
            embedder = load_embedder()
            timings["model (hash check + load)"] = clock() - t
        t = clock()
        vectors = ExampleVectors(embedder, data_dir)
        matrix = vectors.matrix(example_texts(content, faq))
        timings["example vectors"] = clock() - t
        timings["examples embedded"] = float(vectors.computed)
    t = clock()
    train = ProbeCache(embedder.model_id, data_dir).train if embedder is not None else None
    index = (UnderstandingIndex.build(content, faq, matrix, train) if train is not None
             else UnderstandingIndex.build(content, faq, matrix))
    reader = Reader(index, faq, FaqMatcher(faq))
    timings["index + reader (shipped probes)"] = clock() - t
    if in_process and embedder is not None:
        t = clock()
        embedder.weigh_with(reader.weigh)  # type: ignore[attr-defined]
        timings["weighing sent to the model process"] = clock() - t
    return Understanding(embedder, reader, timings)


def read_fn(reader: Any, vectors: dict[str, Any] | None) -> Callable[[str, Any], Any]:
    from bot.core.understanding.reading import Context

    def read(text: str, role: Any) -> Any:
        return reader.read(text, None if vectors is None else vectors[text], Context(role=role))

    return read


# --- quality ---------------------------------------------------------------------------


def quality(u: Understanding, held_out: dict[str, dict[str, Any]],
            corpus: dict[str, dict[str, Any]]) -> dict[str, Any]:
    from bot.adapters.model import ExampleVectors
    from bot.core.understanding.evaluate import evaluate, novel_part
    from bot.core.understanding.held_out import learnt_vectors, reader_without
    from bot.core.understanding.index import example_texts

    cache = ExampleVectors(u.embedder, CACHE, prebuilt=None)
    learnt = example_texts(u.reader.index.content, u.reader.faq)
    columns: dict[str, Any] = {}
    for name, data in held_out.items():
        texts = set_texts(data)
        vectors = dict(zip(texts, cache.matrix(texts), strict=True))
        novel = novel_part(data, learnt)
        columns[f"{name} rules"] = evaluate(read_fn(u.reader, None), data)
        columns[f"{name} +model"] = evaluate(read_fn(u.reader, vectors), data)
        columns[f"{name} novel"] = evaluate(read_fn(u.reader, vectors), novel)
        columns[f"{name} novel"].measures["texts"] = float(len(set_texts(novel)))
    rows = learnt_vectors(u.reader)
    for name, data in corpus.items():
        columns[f"{name} unseen"] = evaluate(read_fn(reader_without(u.reader, name), rows), data)
    return columns


def print_quality(columns: dict[str, Any], held_out: dict[str, dict[str, Any]],
                  corpus: dict[str, dict[str, Any]]) -> None:
    from bot.core.understanding.evaluate import TARGETS

    names = list(columns)
    print(f"\nquality: held out {', '.join(held_out) or 'NONE'} (whole, rules alone and with the model; novel part); "
          f"corpus files read unseen: {', '.join(corpus)}")
    print(f"  {'measure':<28} {'target':>8} " + " ".join(f"{n:>14}" for n in names))
    labels = {
        "danger_recall": "danger recall",
        "clear_alarms_on_sad": "clear alarms on sad",
        "gentle_questions_on_sad": "gentle questions on sad",
        "faq_top1": "FAQ top-1",
        "off_topic_unanswered": "off-topic unanswered",
        "feelings_answered": "feelings answered",
        "language_recall_min": "danger recall, worst lang",
    }
    for key, label in labels.items():
        kind, target = TARGETS[key]
        cells = []
        for name in names:
            value = columns[name].measures.get(key)
            ok = value is not None and (value >= target if kind == "min" else value <= target)
            cells.append(f"{'-':>14}" if value is None else f"{value:>13.3f}{' ' if ok else '!'}")
        print(f"  {label:<28} {('≥' if kind == 'min' else '≤') + f'{target:g}':>8} " + " ".join(cells))
    languages = sorted({lang for report in columns.values() for lang in report.per_language})
    for lang in languages:
        cells = [f"{columns[n].per_language[lang]:>14.3f}" if lang in columns[n].per_language else f"{'-':>14}"
                 for n in names]
        print(f"  {'  danger recall, ' + lang:<28} {'≥0.9':>8} " + " ".join(cells))
    counts = {name: len(set_texts(data)) for name, data in {**held_out, **corpus}.items()}
    novel = {n: int(c.measures["texts"]) for n, c in columns.items() if "texts" in c.measures}
    print(f"  texts: {counts}; novel parts: {novel}; '!' misses the target")


# --- one message at a time ----------------------------------------------------------------


def step(u: Understanding, texts: Sequence[str], passes: int) -> dict[str, float]:
    """Model + rules + kNN for one message at a time; wall and CPU ms."""
    from bot.core.understanding.reading import Context

    walls, cpus, models = [], [], []
    clock, cpu = time.perf_counter, time.process_time  # all threads: onnxruntime's helper too
    for _ in range(passes):
        for text in texts:
            w0, c0 = clock(), cpu()
            vector = u.embedder.embed([text])[0]
            w1 = clock()
            u.reader.read(text, vector, Context())
            walls.append(1000 * (clock() - w0))
            cpus.append(1000 * (cpu() - c0))
            models.append(1000 * (w1 - w0))
    p = percentile
    return {"p50": p(walls, .5), "p99": p(walls, .99), "cpu p50": p(cpus, .5), "cpu p99": p(cpus, .99),
            "model p50": p(models, .5), "rules+kNN p50": p(walls, .5) - p(models, .5), "n": len(walls)}


# --- cold start and memory (fresh subprocesses) ---------------------------------------------


def child_cold(data_dir: str, spawned: float) -> None:
    """In a fresh interpreter: time and RSS of everything the bot does at start.
    ``spawned``: the parent's wall clock just before it started this process,
    so the interpreter's own start-up counts too."""
    to_main = time.time() - spawned
    t = time.perf_counter()
    import numpy  # noqa: F401  (the bot imports numpy anyway; counted in 'before')

    import bot.core.turn  # noqa: F401  (the bot's own code, loaded before the model matters)
    before = rss_mb()
    code = time.perf_counter() - t
    u = build(Path(data_dir))
    total = time.time() - spawned
    u.timings = {"python start": to_main, "numpy + bot code": code, **u.timings}
    cpu = time.process_time()
    loaded = rss_mb()
    from bot.core.understanding.reading import Context

    u.reader.read("i feel empty and alone tonight", u.embedder.embed(["i feel empty and alone tonight"])[0], Context())
    after = rss_mb()
    with open("/proc/self/status", encoding="ascii") as status:
        peak = next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:"))
    print(json.dumps({"total": total, "cpu": cpu, "timings": u.timings, "rss_before": before, "rss_loaded": loaded,
                      "rss_after": after, "rss_peak": peak}))


def run_child(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    args = [arg if arg != "{spawned}" else repr(time.time()) for arg in args]
    out = subprocess.run([sys.executable, __file__, *args], check=False, capture_output=True, text=True,
                         env={**os.environ, **(env or {})}, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"child {args} failed ({out.returncode}):\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["process wall"] = time.perf_counter() - started
    return result


# --- open loops: the worker directly ----------------------------------------------------------


def busy(ms: float) -> None:
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass


async def worker_loop(texts: Sequence[str], *, text_rate: float, press_rate: float, seconds: float,
                      press_ms: float = 1.0, nice: int = 10) -> dict[str, list[float]]:
    """Presses (``press_ms`` of CPU on the loop) and typed texts (worker.embed +
    reader.read on the loop), each fired on schedule; latency from due to done."""
    from bot.adapters.model import EmbeddingUnavailable, EmbeddingWorker
    from bot.core.understanding.reading import Context

    u = build(None)
    out: dict[str, list[float]] = {"press": [], "text": [], "failed": []}
    clock = time.perf_counter
    tasks: set[asyncio.Task[None]] = set()

    async with EmbeddingWorker(u.embedder, nice=nice) as worker:
        await worker.embed("warm up")

        async def press(due: float) -> None:
            busy(press_ms)
            out["press"].append(1000 * (clock() - due))

        async def text(due: float, message: str) -> None:
            try:
                vector = await worker.embed(message)
            except EmbeddingUnavailable:  # timed out or overloaded: the bot would read it by rules alone
                out["failed"].append(1000 * (clock() - due))
                return
            u.reader.read(message, vector, Context())
            out["text"].append(1000 * (clock() - due))

        events: list[tuple[float, str]] = []
        if press_rate:
            events += [(i / press_rate, "press") for i in range(int(press_rate * seconds))]
        if text_rate:
            events += [(i / text_rate + 0.0005, "text") for i in range(int(text_rate * seconds))]
        events.sort()
        start = clock() + 0.05
        for n, (offset, kind) in enumerate(events):
            due = start + offset
            wait = due - clock()
            if wait > 0:  # no spinning: a spinning loop would starve the (niced) model thread
                await asyncio.sleep(wait)
            coro = press(due) if kind == "press" else text(due, texts[n % len(texts)])
            task = asyncio.create_task(coro)
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        while tasks:
            await asyncio.gather(*list(tasks))
        out["batch sizes"] = [float(s) for s in worker.batch_sizes]
    return out


def child_threads(text_rate: float, seconds: float, nice: int) -> None:
    from bot.adapters.model import load_embedder

    texts = set_texts(load_sets(CORPUS)["dev"])
    embedder = load_embedder()
    alone = []
    for text in texts[:150]:  # the model alone, one message at a time, nothing else running here
        started = time.perf_counter()
        embedder.embed([text])
        alone.append(1000 * (time.perf_counter() - started))
    result = asyncio.run(worker_loop(texts, text_rate=text_rate, press_rate=100, seconds=seconds, nice=nice))
    result["alone"] = alone
    print(json.dumps(result))


def summarise(values: list[float], failed: list[float] | None = None) -> str:
    if not values:
        return "-"
    return (f"p50 {percentile(values, .5):6.2f}  p99 {percentile(values, .99):7.2f}  max {max(values):7.2f} ms "
            f"(n={len(values)}{f', {len(failed)} timed out' if failed else ''})")


# --- open loop: the real trustbot Application ----------------------------------------------------


async def app_latency(args: argparse.Namespace, texts: Sequence[str]) -> tuple[dict[str, dict[str, list[float]]], bool]:
    """Button presses' latency without and with typed text, through the real
    Application. Returns the samples by kind per run, and whether the bench had
    to give the chat service the model itself (the runner does not yet), the
    way ``bot.bootstrap.open_service`` does: the example vectors in the
    reader and ``embed=EmbeddingWorker.embed``."""
    from dataclasses import replace

    from bench_latency import open_loop
    from common import BotMemoryRequest, Traffic, database_url, trustbot_app, user_ids

    from bot.adapters.model import EmbeddingWorker, load_embedder
    from bot.bootstrap import reader_with_model

    embedder = None
    results: dict[str, dict[str, list[float]]] = {}
    injected = False
    runs = [(f"{label}{f' #{r + 1}' if args.rounds > 1 else ''}", share) for r in range(args.rounds)
            for label, share in (("presses only", 0.0), ("presses + typed text", args.text_share))]
    for name, share in runs:  # alternated, so a burst of load elsewhere on the machine shows as an outlier
        with database_url("sqlite") as url:
            request = BotMemoryRequest()
            async with trustbot_app(url, request, limiter="uncapped") as app:
                service = app.bot_data["service"]
                worker = None
                if getattr(service, "embed", None) is None:
                    injected = True
                    embedder = embedder or load_embedder()
                    service.brain = replace(service.brain, reader=reader_with_model(service.brain, embedder, None,
                                                                                       ROOT / "dialogs"))
                    worker = await EmbeddingWorker(embedder).start()
                    service.embed = worker.embed
                try:
                    traffic = Traffic(request, press=0.9 - share, text=share)
                    traffic.questions = list(texts)
                    users = user_ids(args.users)
                    await open_loop(app, traffic.next, users, args.rate, 2)  # the same users: /start out of the way
                    samples, _ = await open_loop(app, traffic.next, users, args.rate, args.seconds)
                finally:
                    if worker is not None:
                        await worker.close()
                by_kind: dict[str, list[float]] = {}
                for s in samples:
                    by_kind.setdefault(s.kind, []).append(s.latency)
                results[name] = by_kind
    return results, injected


# --- main ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {PARTS}")
    parser.add_argument("--passes", type=int, default=1, help="passes over the dev set for the step timing")
    parser.add_argument("--rate", type=float, default=50, help="updates/s of the app latency run (default 50)")
    parser.add_argument("--text-share", type=float, default=0.1, help="share of typed text in the loaded run")
    parser.add_argument("--text-rate", type=float, default=5, help="typed texts/s in the worker runs")
    parser.add_argument("--seconds", type=float, default=15, help="measured seconds per open-loop run")
    parser.add_argument("--rounds", type=int, default=2, help="alternated runs without/with typed text (default 2)")
    parser.add_argument("--users", type=int, default=50, help="distinct users of the app run (default 50)")
    parser.add_argument("--app", choices=["auto", "no"], default="auto",
                        help="latency through the real Application (default), or the worker alone (no)")
    parser.add_argument("--misses", action="store_true", help="print the quality misses (texts!)")
    parser.add_argument("--child", choices=["cold", "threads"], help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--nice", type=int, default=10, help=argparse.SUPPRESS)
    parser.add_argument("--spawned", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    if args.child == "cold":
        child_cold(args.data_dir, args.spawned)
        return
    if args.child == "threads":
        child_threads(args.text_rate, args.seconds, args.nice)
        return

    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    load = os.getloadavg()
    print(f"trustbot bench_understanding: python {sys.version.split()[0]}, {os.cpu_count()} cpus, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
          f"model threads {os.environ.get('TRUSTBOT_MODEL_THREADS', 'default')}", flush=True)
    held_out, corpus = load_sets(HELD_OUT), load_sets(CORPUS)
    u = build(None)
    print(f"model {u.embedder.model_id}, {len(u.reader.index.labels)} labelled examples", flush=True)

    if "quality" in parts:
        columns = quality(u, held_out, corpus)
        print_quality(columns, held_out, corpus)
        if args.misses:
            for name, report in columns.items():
                for measure, text in report.misses:
                    print(f"  MISS {name} {measure}: {text}")

    if "step" in parts:
        texts = set_texts(corpus["dev"])
        s = step(u, texts, args.passes)
        print(f"\nunderstanding step, one message at a time (model + rules + kNN, {s['n']:.0f} messages): "
              f"p50 {s['p50']:.1f} ms, p99 {s['p99']:.1f} ms (target ≤ 30); CPU p50 {s['cpu p50']:.1f}, "
              f"p99 {s['cpu p99']:.1f} ms; of which the model p50 {s['model p50']:.1f} ms, "
              f"rules + kNN p50 {s['rules+kNN p50']:.2f} ms", flush=True)

    if "cold" in parts or "memory" in parts:
        import shutil
        import tempfile

        for place, env in (("in the bot's process", {"TRUSTBOT_MODEL": "thread"}),
                           ("in its own process (as `trustbot run`)", {"TRUSTBOT_MODEL": "process"})):
            print(f"\ncold start and memory, the model {place}, in fresh subprocesses (best of 3; shipped "
                  "example vectors, empty data dir):")
            runs = []
            for _ in range(3):
                data_dir = tempfile.mkdtemp(prefix="trustbot-bench-")
                try:
                    runs.append(run_child(["--child", "cold", "--data-dir", data_dir, "--spawned", "{spawned}"],
                                          env=env))
                finally:
                    shutil.rmtree(data_dir, ignore_errors=True)
            best = min(runs, key=lambda r: r["total"])
            if "cold" in parts:
                totals = ", ".join(f"{r['total']:.2f}" for r in runs)
                steps = ", ".join(f"{k} {v * 1000:.0f} ms" if k != "examples embedded" else f"{k} {v:.0f}"
                                  for k, v in best["timings"].items())
                print(f"  cold start {best['total']:.2f} s wall, {best['cpu']:.2f} s CPU (target ≤ 2; from "
                      f"spawning python to a ready reader, "
                      f"process wall {best['process wall']:.2f} s; runs {totals}): "
                      f"{steps}")
            if "memory" in parts:
                print(f"  memory added {best['rss_after'] - best['rss_before']:.0f} MB RSS (target ≤ 250; the "
                      f"bot's process only): {best['rss_before']:.0f} MB with the bot's code imported → "
                      f"{best['rss_loaded']:.0f} MB model + index loaded → {best['rss_after']:.0f} MB after one "
                      f"message; peak {best['rss_peak']:.0f} MB")

    if "threads" in parts:
        print(f"\nmodel threads, worker + loop in a fresh process each: {args.text_rate:g} texts/s and a 1 ms "
              f"press every 10 ms, {args.seconds:g} s:")
        for threads, nice in (("1", 10), ("1", 0), ("2", 10)):
            r = run_child(["--child", "threads", "--text-rate", str(args.text_rate), "--seconds", str(args.seconds),
                           "--nice", str(nice)], env={"TRUSTBOT_MODEL_THREADS": threads})
            print(f"  model threads {threads}, model thread nice +{nice}:\n"
                  f"    model alone {summarise(r['alone'])}\n"
                  f"    typed text  {summarise(r['text'], r['failed'])}\n"
                  f"    presses     {summarise(r['press'])}; mean batch "
                  f"{sum(r['batch sizes']) / max(1, len(r['batch sizes'])):.2f}", flush=True)

    if "latency" in parts:
        texts = set_texts(corpus["dev"])
        if args.app == "auto":
            results, injected = asyncio.run(app_latency(args, texts))
            print(f"\nbutton presses while typed text is read: the real trustbot Application, in-memory Bot API, "
                  f"{args.rate:g} updates/s for {args.seconds:g} s, typed share {args.text_share:g}"
                  + (" (model given to the chat service by the bench: the runner does not wire it yet)"
                     if injected else "") + ":")
            for name, by_kind in results.items():
                print(f"  {name:<24} buttons {summarise(by_kind.get('button', []))}")
                if "typed text" in by_kind:
                    print(f"  {'':<24} typed   {summarise(by_kind['typed text'])}")
        else:
            print(f"\nbutton presses while typed text is read (EmbeddingWorker "
                  f"directly, presses = 1 ms of CPU on the loop at 100/s, {args.seconds:g} s):")
            alone = asyncio.run(worker_loop(texts, text_rate=0, press_rate=100, seconds=args.seconds))
            loaded = asyncio.run(worker_loop(texts, text_rate=args.text_rate, press_rate=100, seconds=args.seconds))
            print(f"  presses only           {summarise(alone['press'])}")
            print(f"  presses + {args.text_rate:g} texts/s   {summarise(loaded['press'])}")
            print(f"  typed text             {summarise(loaded['text'], loaded['failed'])}")


if __name__ == "__main__":
    main()
