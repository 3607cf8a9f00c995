"""One question at a time through the model's transformer as a single TorchScript graph.

Why: a forward pass in eager PyTorch is a few hundred operations, and each gives up the
interpreter lock and must get it back. While another thread runs Python — `veileder serve`'s event
loop taking a burst of requests in — every getting-back waits up to that thread's switch interval
(5 ms). Measured with the bundled model on the 2-core machine, one thread spinning in Python beside
it: a question took 25 ms alone and 1.5–1.6 s eager, 0.12 s as a traced graph, which gives the lock
up once for the whole pass (`torch.jit.trace`).

Only for a single text (a question): with no padding the graph traced on one text holds for any
length. Passages are embedded in batches by the eager model. The graph is checked when built
against the eager model on texts of different lengths (one past the model's length limit); where
tracing fails or the vectors differ, questions go through the eager model and the log says why.
"""
from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

CHECK_TEXTS = (  # lengths the built graph is checked on: short, a long question, past the length limit
    "Kan jeg?",
    "Kan jeg som ansatt uttale meg til lokalavisa om en sak fra kommunestyret, og må jeg si fra til lederen min først?",
    " ".join(["kommunikasjon og informasjon til innbyggerne"] * 200),
)
AGREEMENT = 0.9999  # least cosine between the graph's and the eager model's vector on CHECK_TEXTS


class QueryGraph:
    """A question's vector from a traced transformer and the model's own pooling and normalising modules."""

    def __init__(self, model: Any, graph: Any, input_names: tuple[str, ...], prompt: str | None) -> None:
        self.model = model  # a sentence_transformers.SentenceTransformer
        self.graph = graph  # torch.jit.ScriptModule: input tensors → token embeddings
        self.input_names = input_names
        self.prompt = prompt

    @classmethod
    def build(cls, model: Any, prompt_name: str | None) -> "QueryGraph | None":
        """Trace `model`'s first module (a sentence-transformers Transformer) on one text (a second or
        two); None, logged, when the model is of another kind, tracing fails or the graph's vectors
        differ from the eager model's."""
        import torch

        prompt = model.prompts.get(prompt_name) if prompt_name else None
        first = model[0]
        transformer = getattr(first, "auto_model", None)
        if transformer is None:
            log.info("questions go through the eager model: its first module is not a transformer")
            return None
        features = model.preprocess([CHECK_TEXTS[1]], prompt=prompt)
        names = tuple(n for n in ("input_ids", "attention_mask", "token_type_ids") if n in features)

        class Forward(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.transformer = transformer

            def forward(self, *inputs):
                return self.transformer(**dict(zip(names, inputs)), return_dict=False)[0]

        try:
            with torch.inference_mode(), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the tracer's notes on shapes taken as constants: checked below
                graph = torch.jit.trace(Forward().eval(), tuple(features[n] for n in names), check_trace=False)
            built = cls(model, graph, names, prompt)
            eager = model.encode(list(CHECK_TEXTS), prompt=prompt, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False, batch_size=1)
            agreement = min(float(built.encode(t) @ e) for t, e in zip(CHECK_TEXTS, eager))
        except Exception as exc:  # torch and transformers raise many kinds; the eager model still works
            log.info("questions go through the eager model: tracing it failed (%s)", exc)
            return None
        if agreement < AGREEMENT:
            log.info("questions go through the eager model: the traced graph's vectors differ (cosine %.5f)", agreement)
            return None
        log.info("questions go through the model as one traced graph (least cosine to the eager model %.6f)", agreement)
        return built

    def encode(self, text: str) -> np.ndarray:
        """The unit vector (float32, the model's dimension) of one text, the prompt put before it."""
        import torch

        features = self.model.preprocess([text], prompt=self.prompt)
        with torch.inference_mode():
            features[self.model[0].module_output_name] = self.graph(*(features[n] for n in self.input_names))
            for module in list(self.model)[1:]:
                features = module(features)
            vector = features["sentence_embedding"][0]
            vector = torch.nn.functional.normalize(vector, dim=0)
        return vector.numpy().astype(np.float32)
