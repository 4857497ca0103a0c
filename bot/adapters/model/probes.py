"""The reader's trained probes, kept on disk like the example vectors.

Why: since the reader learns from the corpus (``dialogs/corpus/``), its three
probes train on ~6,000 rows, about a second of CPU at every start, half the
cold-start budget. They depend only on their rows and labels, so each is
stored under :meth:`Probe.training_key` (the training's version, the rows'
bytes, the labels): a cached probe is always the one training would give.

Sources, in order: this process's memory, the shipped file (the shipped
content's probes, written by ``python -m bot.adapters.model.prebuilt``), the
bot's data directory, and last training. Newly trained probes are written to
the data directory; a directory that cannot be written only costs the
training again next time (one warning, with the error's kind).
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.adapters.model.atomic import write_atomically
from bot.adapters.model.cache import PREBUILT_DIR
from bot.adapters.model.layered import LayeredFiles
from bot.core.understanding.probe import Probe

log = logging.getLogger(__name__)


def file_name(model_id: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in model_id)
    return f"probes-{safe}.npz"


def read_probes(path: Path) -> dict[str, Probe]:
    """The probes a file holds by key ({} when absent or damaged: retrained, not trusted)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            found: dict[str, Probe] = {}
            for key in [k.decode() for k in data["keys"].tolist()]:
                found[key] = Probe(
                    classes=tuple(str(c) for c in data[f"{key}.classes"].tolist()),
                    mean=np.asarray(data[f"{key}.mean"], dtype=np.float64),
                    scale=float(data[f"{key}.scale"]),
                    weights=np.asarray(data[f"{key}.weights"], dtype=np.float64),
                    bias=np.asarray(data[f"{key}.bias"], dtype=np.float64),
                )
            return found
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        log.warning("probe cache %s unreadable (%s): training again", path, type(exc).__name__)
        return {}


def write_probes(path: Path, probes: dict[str, Probe]) -> None:
    """Atomically, so a crash never leaves half a file."""
    arrays: dict[str, npt.NDArray[np.generic]] = {"keys": np.array([k.encode() for k in probes], dtype="S64")}
    for key, probe in probes.items():
        arrays[f"{key}.classes"] = np.array(probe.classes)
        arrays[f"{key}.mean"] = probe.mean
        arrays[f"{key}.scale"] = np.array(probe.scale)
        arrays[f"{key}.weights"] = probe.weights
        arrays[f"{key}.bias"] = probe.bias
    write_atomically(path, lambda stream: np.savez(stream, **arrays))  # type: ignore[arg-type]


class ProbeCache(LayeredFiles[Probe]):
    """``ProbeCache(model_id, data_dir).train`` is a :data:`~bot.core.understanding.probe.Trainer`.

    Blocking (it may train): use it at start-up, where the index is built.
    ``added`` counts the probes it had to train, for the tests.
    """

    def __init__(self, model_id: str, directory: Path | None, *, prebuilt: Path | None = PREBUILT_DIR) -> None:
        super().__init__(file_name(model_id), directory, prebuilt, read=read_probes, write=write_probes,
                         what="probe")

    def train(self, matrix: npt.NDArray[np.floating], labels: Sequence[str]) -> Probe:
        key = Probe.training_key(matrix, labels)
        probe = self.get(key)
        if probe is None:
            probe = Probe.train(matrix, labels)
            self.put(key, probe)
        return probe
