"""Merge a LoRA adapter into its base and, when llama.cpp's converter is at hand, write a GGUF.

Why optional: the hf backend evaluates an adapter directly, so merging is only needed to run the
tuned model with the `llamacpp` backend or to ship it. The converter (`convert_hf_to_gguf.py`)
is part of llama.cpp's source tree, not of any wheel; it is looked for in $MEDAUDIT_LLAMA_CPP_DIR
and a few usual places, and when it is absent the GGUF step is skipped with a note that says so.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from medaudit.finetune.hashing import file_sha256, files_sha256

SCRIPT = "convert_hf_to_gguf.py"


def find_converter() -> Path | None:
    roots = [os.environ.get("MEDAUDIT_LLAMA_CPP_DIR"), "~/llama.cpp", "/opt/llama.cpp",
             "/usr/local/src/llama.cpp"]
    for root in roots:
        if root:
            candidate = Path(root).expanduser() / SCRIPT
            if candidate.is_file():
                return candidate
    return None


def merge_and_convert(source: Any, adapter_dir: Path, out: Path, gguf: bool,
                      dtype: str) -> tuple[dict[str, Any], list[str]]:
    """Write out/merged (transformers) and maybe out/merged.gguf; lineage fields and notes."""
    from peft import PeftModel

    from medaudit.models.hf import load_causal_lm

    notes: list[str] = []
    model, tokenizer = load_causal_lm(source, dtype)
    merged = PeftModel.from_pretrained(model, str(adapter_dir)).merge_and_unload()
    merged.hf_quantizer = None
    if hasattr(merged.config, "quantization_config"):
        del merged.config.quantization_config
    merged_dir = out / "merged"
    merged.save_pretrained(str(merged_dir))
    tokenizer.save_pretrained(str(merged_dir))
    weights = sorted(merged_dir.glob("*.safetensors"))
    result: dict[str, Any] = {"merged": {"path": "merged",
                                         "sha256": files_sha256(weights, merged_dir)}}
    notes.append(f"merged model written to {merged_dir} (evaluate with hf/{merged_dir})")
    if not gguf:
        return result, notes
    converter = find_converter()
    if converter is None:
        notes.append(f"GGUF conversion skipped: llama.cpp's {SCRIPT} is not on this machine "
                     "(set MEDAUDIT_LLAMA_CPP_DIR to a llama.cpp checkout to enable it)")
        result["gguf"] = None
        return result, notes
    target = out / "merged.gguf"
    proc = subprocess.run([sys.executable, str(converter), str(merged_dir), "--outfile",
                           str(target), "--outtype", "f16"], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0 or not target.is_file():
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        notes.append(f"GGUF conversion failed ({converter}): {tail[0]}")
        result["gguf"] = None
        return result, notes
    result["gguf"] = {"path": "merged.gguf", "sha256": file_sha256(target)}
    notes.append(f"GGUF written to {target} (evaluate with llamacpp/{target})")
    return result, notes
