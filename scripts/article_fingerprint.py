"""Regenerate tests/data/article_shingles.json from the source article.

The article lives beside the repository (``../shared/article.txt``) and is not
committed; only its hashed 8-word shingles are, so the no-copying test runs
in any clone. Run this after the article changes:

    .venv/bin/python scripts/article_fingerprint.py [ARTICLE]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ARTICLE = ROOT.parent / "shared" / "article.txt"


def main(argv: list[str]) -> int:
    # The hashing lives beside the test that uses it, so both always agree.
    sys.path.insert(0, str(ROOT))
    from tests.support.fingerprint import FINGERPRINT, dump, fingerprint

    article = Path(argv[0]) if argv else DEFAULT_ARTICLE
    if not article.is_file():
        print(f"article_fingerprint: {article} not found; the committed fingerprint is unchanged", file=sys.stderr)
        return 1
    hashes = fingerprint(article.read_text(encoding="utf-8"))
    FINGERPRINT.write_text(dump(hashes), encoding="utf-8")
    print(f"wrote {len(hashes)} shingles to {FINGERPRINT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
