"""Ablation of the retrieval steps, on dev and test, for the README's retrieval table.

Each step is a configuration of settings (environment variables) run through
`python -m assistant eval run --json` in a fresh process; configurations with another
embedder get their own index folder. Reports principle P@1 / hit@3, record hit@5 / MRR
and the answer's lead principle, overall and for practitioner scenarios, and writes
benchmarks/results/ablation.json and .md.

    python -m benchmarks.ablation            # all steps (about 15 minutes on 2 cores)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NO_BANK = '{"bank": 0, "bank_bm25": 0, "unit": 0, "record": 1, "record_bm25": 1}'
BASE_INDEX = str(ROOT / "index" / "store-base")
STEPS: list[tuple[str, dict[str, str]]] = [
    (
        "hybrid records (before)",
        {
            "ASSISTANT_PRINCIPLE_RANKING": "false",
            "ASSISTANT_ADAPTER_DIR": "",
            "ASSISTANT_INDEX_DIR": BASE_INDEX,
            "ASSISTANT_THESAURUS_PATH": "/nonexistent",
        },
    ),
    (
        "+ principle ranking (records only)",
        {
            "ASSISTANT_FUSION_WEIGHTS": NO_BANK,
            "ASSISTANT_ADAPTER_DIR": "",
            "ASSISTANT_INDEX_DIR": BASE_INDEX,
            "ASSISTANT_THESAURUS_PATH": "/nonexistent",
        },
    ),
    (
        "+ question bank",
        {
            "ASSISTANT_ADAPTER_DIR": "",
            "ASSISTANT_INDEX_DIR": BASE_INDEX,
            "ASSISTANT_THESAURUS_PATH": "/nonexistent",
        },
    ),
    ("+ thesaurus", {"ASSISTANT_ADAPTER_DIR": "", "ASSISTANT_INDEX_DIR": BASE_INDEX}),
    ("+ LoRA adapter (default)", {}),
]
SHOWN = ("p_at_1", "principle_hit_at_3", "hit_at_5", "mrr", "lead_correct")


def run(env_overrides: dict[str, str]) -> dict:
    env = {**os.environ, **env_overrides}
    py = sys.executable
    subprocess.run(
        [py, "-m", "assistant", "index", "ensure"], env=env, check=True, capture_output=True
    )
    out = subprocess.run(
        [py, "-m", "assistant", "eval", "run", "--split", "both", "--json", "--no-history"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    results = {}
    for name, overrides in STEPS:
        print(f"… {name}", flush=True)
        results[name] = run(overrides)
    lines = [
        "| step | split | P@1 | hit@3 (principles) | hit@5 | MRR | lead correct "
        "| scenarios P@1 | scenarios hit@3 | multi P@1 | multi hit@3 |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, res in results.items():
        for split in ("dev", "test"):
            o = res[split]
            cells = [f"{o[m]:.3f}" for m in SHOWN]
            for qtype in ("scenario", "multi"):
                t = o["by_type"].get(qtype, {})
                cells += [f"{t.get('p_at_1', 0):.3f}", f"{t.get('principle_hit_at_3', 0):.3f}"]
            lines.append(f"| {name} | {split} | " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print(table)
    out = ROOT / "benchmarks" / "results"
    (out / "ablation.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    (out / "ablation.md").write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
