"""The ONNX copy of the embedding model: exported from the packaged weights, without network.

`onnx_model_file(model_path, folder, variant)` returns the path of an optimised ONNX file of
the sentence-transformers model in `model_path`, building it on first use into `folder` (the
instance folder's `models/`). The file's name carries a hash of the weights, the config, the
tokenizer and this recipe, so a changed model (or recipe) gets a new file and the old one is
simply no longer used. Two processes that start at once build it once: the second waits on a
lock file and then finds the file made.

The build: `torch.onnx.export` of the bare transformer (the TorchScript exporter; no `optimum`,
no `onnxscript`), then onnxruntime's transformer optimiser for BERT (fused attention,
embedding and skip layer normalisation, bias GELU), then for "int8" dynamic quantisation of
the weights to int8, per channel ("int8-fp32-attention": all but the attention).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

VARIANTS = ("fp32", "int8", "int8-fp32-attention")
RECIPE = "plenary-onnx-1"  # change when the build below changes, so old files are not reused
_HASHED = ("config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json",
           "vocab.txt", "tokenizer_config.json", "sentence_bert_config.json",
           "1_Pooling/config.json", "modules.json")
OPSET = 17


def model_fingerprint(model_path: str | Path) -> str:
    """sha256 (hex, first 16 digits) of the model's weights, config and tokenizer files and of
    the build recipe: the same model always gives the same fingerprint."""
    digest = hashlib.sha256(RECIPE.encode())
    root = Path(model_path)
    for name in _HASHED:
        path = root / name
        if path.is_file():
            digest.update(name.encode())
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()[:16]


def onnx_file_name(model_name: str, fingerprint: str, variant: str) -> str:
    return f"{model_name}-{fingerprint}-{variant}.onnx"


def onnx_model_file(model_path: str | Path, folder: str | Path, variant: str,
                    *, model_name: str = "model") -> Path:
    """The ONNX file of the model in `model_path` for `variant` ("fp32" or "int8"), built into
    `folder` if it is not there yet. Raises ValueError for an unknown variant."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown ONNX variant {variant!r}; use one of {', '.join(VARIANTS)}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / onnx_file_name(model_name, model_fingerprint(model_path), variant)
    if target.is_file():
        return target
    with (folder / ".build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not target.is_file():  # another process may have built it while we waited
                build(model_path, target, variant)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


def build(model_path: str | Path, target: Path, variant: str) -> None:
    """Export, optimise and (for "int8") quantise the model into `target`, atomically."""
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as work:
        exported = Path(work) / "exported.onnx"
        optimised = Path(work) / "optimised.onnx"
        export(model_path, exported)
        optimise(exported, optimised, model_path)
        final = optimised
        if variant.startswith("int8"):
            final = Path(work) / "int8.onnx"
            quantise(optimised, final, keep_attention=variant == "int8-fp32-attention")
        os.replace(final, target)


def export(model_path: str | Path, out: Path) -> None:
    """The bare transformer as ONNX: inputs input_ids, attention_mask, token_type_ids (int64,
    batch × sequence), output last_hidden_state; pooling is done outside the graph."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from transformers import AutoModel

    # Eager attention exports as plain MatMul/Softmax, the pattern the optimiser fuses.
    model = AutoModel.from_pretrained(str(model_path), local_files_only=True,
                                      attn_implementation="eager").eval()

    class Transformer(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    sample = torch.ones((2, 8), dtype=torch.int64)
    # The tracer warns about shape checks it records as constants; for this graph they hold
    # for every input (tests/engines/test_onnx_embedding.py compares vectors with PyTorch's).
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Transformer(model), (sample, sample, torch.zeros_like(sample)), str(out),
            input_names=names, output_names=["last_hidden_state"],
            dynamic_axes={n: {0: "batch", 1: "sequence"} for n in [*names, "last_hidden_state"]},
            opset_version=OPSET, dynamo=False,
        )


def optimise(source: Path, out: Path, model_path: str | Path) -> None:
    """onnxruntime's BERT optimiser: fused attention and layer norms (heads and hidden size
    from the model's config.json)."""
    import json

    from onnxruntime.transformers import optimizer
    from onnxruntime.transformers.fusion_options import FusionOptions

    config = json.loads((Path(model_path) / "config.json").read_text())
    model = optimizer.optimize_model(
        str(source), model_type="bert", num_heads=int(config["num_attention_heads"]),
        hidden_size=int(config["hidden_size"]), optimization_options=FusionOptions("bert"),
        opt_level=0, use_gpu=False,
    )
    model.save_model_to_file(str(out))


def quantise(source: Path, out: Path, *, keep_attention: bool = False) -> None:
    """Dynamic int8 quantisation of the weights, per output channel (activations stay float
    and are quantised per batch at run time); `keep_attention` leaves the fused attention
    nodes in float32 and quantises only the other matrix products."""
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(out), per_channel=True, weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul"] if keep_attention else None,
                     extra_options={"DefaultTensorType": TensorProto.FLOAT})
