"""Hashed word shingles: compare texts for copied runs without keeping the source text.

The article the dialogs are written from is not ours to publish, so the
repository keeps only a fingerprint of it: the truncated SHA-256 of every
normalised run of ``WINDOW`` words. A bot text copies the article when any of
its own runs hashes to a value in that fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path

#: Words per shingle: long enough that a shared run means copying, not a common phrase.
WINDOW = 8
#: Hex digits kept of each SHA-256 (64 bits: no accidental collisions among a few thousand).
DIGITS = 16
FINGERPRINT = Path(__file__).resolve().parent.parent / "data" / "article_shingles.json"

_WORD = re.compile(r"[a-z']+")


def words(text: str) -> list[str]:
    """Lower-case words, curly apostrophes made straight, punctuation dropped."""
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def shingle_hash(run: Iterable[str]) -> str:
    """The fingerprint entry of one run of words."""
    return hashlib.sha256(" ".join(run).encode("utf-8")).hexdigest()[:DIGITS]


def runs(text: str) -> list[list[str]]:
    """Every run of ``WINDOW`` consecutive words of ``text``."""
    found = words(text)
    return [found[i:i + WINDOW] for i in range(len(found) - WINDOW + 1)]


def fingerprint(text: str) -> set[str]:
    """The hashes of every run of ``text``."""
    return {shingle_hash(run) for run in runs(text)}


def copied_runs(text: str, hashes: set[str]) -> list[str]:
    """The runs of ``text`` whose hash is in ``hashes``, as plain words."""
    return [" ".join(run) for run in runs(text) if shingle_hash(run) in hashes]


def dump(hashes: set[str]) -> str:
    """The committed file's content: sorted, so a regeneration diffs cleanly."""
    return json.dumps({"window": WINDOW, "digits": DIGITS, "hash": "sha256", "shingles": sorted(hashes)},
                      indent=0) + "\n"


def load(path: Path = FINGERPRINT) -> set[str]:
    """The committed fingerprint, checked to be made the way this module hashes."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if (data.get("window"), data.get("digits"), data.get("hash")) != (WINDOW, DIGITS, "sha256"):
        raise ValueError(f"{path} was made with other settings; run scripts/article_fingerprint.py")
    return set(data["shingles"])
