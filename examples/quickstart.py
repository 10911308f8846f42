"""Summarise and translate news articles with ringkas's public API.

    python examples/quickstart.py                       # default models (Hub or local cache)
    python examples/quickstart.py --summary-model /models/mt5-xlsum \\
        --route id-en=/models/opus-mt-id-en --route en-id=/models/opus-mt-en-id

Reads JSONL articles (``{"id", "text", "title"?}``) and prints one JSON result per line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ringkas import EngineOptions, Ringkas

HERE = Path(__file__).parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, default=HERE / "articles.jsonl")
    parser.add_argument("--summary-model", help="summariser name, folder or Hub id")
    parser.add_argument(
        "--route", action="append", default=[], metavar="SRC-TGT=MODEL",
        help="translation model for a language pair, e.g. id-en=/models/opus-mt-id-en",
    )  # fmt: skip
    parser.add_argument("--device", default="auto")
    args = parser.parse_args(argv)

    routes = dict(item.split("=", 1) for item in args.route)
    engine = EngineOptions(device=args.device)  # backend, quantize...: the library's defaults
    pipeline = Ringkas(summary_model=args.summary_model, routes=routes, engine=engine)
    with args.articles.open(encoding="utf-8") as handle:
        articles = [json.loads(line) for line in handle if line.strip()]

    failed = 0
    for result in pipeline.process_iter(articles):  # streamed, in input order
        if result.error:
            failed += 1
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
