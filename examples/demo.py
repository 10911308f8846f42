"""The main job of ``make demo``: ringkas on the example articles.

1. Offline, always: clean each article and detect its language, then an extractive (lead-3)
   Indonesian summary of the Indonesian ones.
2. The whole pipeline with the default models: an abstractive Indonesian summary and an English
   translation of every article. The models come from the local Hugging Face cache or the Hub
   (about 3 GB on first use), or from local folders named by ``RINGKAS_MODEL_<NAME>`` variables
   (e.g. ``RINGKAS_MODEL_OPUS_MT_ID_EN=/models/opus-mt-id-en``). On a machine with no hub and no
   cache, this part stops at once with the loader's message saying what to do.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import ringkas

ARTICLES = Path(__file__).with_name("articles.jsonl")


def load_articles(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def offline_part(articles: list[dict[str, str]]) -> None:
    print("== 1. Cleaning and language detection (offline) ==")
    for article in articles:
        cleaned = ringkas.clean_text(article["text"])
        lang = ringkas.detect_article(cleaned.text, title=article.get("title"))
        removed = ", ".join(sorted({r.kind for r in cleaned.removed})) or "-"
        print(
            f"{article['id']:<11} {lang.lang} ({lang.confidence:.2f}, {lang.stage:<10})"
            f" dateline: {cleaned.dateline or '-'}; removed: {removed}"
        )
    indonesian = [a for a in articles if ringkas.detect_article(a["text"]).lang == "id"]
    summaries = ringkas.Summarizer(method="lead", lead_k=1).summarize(
        [ringkas.clean_text(a["text"]).text for a in indonesian], lang="id"
    )
    print("\n== Extractive summaries (lead, offline) ==")
    for article, summary in zip(indonesian, summaries, strict=True):
        print(f"{article['id']}: {summary.text}")


def model_part(articles: list[dict[str, str]]) -> int:
    print("\n== 2. Abstractive summaries and translations (default models) ==")
    pipeline = ringkas.Ringkas()
    try:
        names = pipeline.load_models(languages=("id", "ms", "en"))
    except ringkas.ModelError as exc:
        print(f"ringkas: {exc}", file=sys.stderr)
        print(
            "demo: the abstractive part needs the default models; it stopped here. "
            "Run it where the Hugging Face Hub is reachable, or point RINGKAS_MODEL_<NAME> "
            "variables at local folders (see README, 'Models offline').",
            file=sys.stderr,
        )
        return 0
    print("models:", ", ".join(names))
    for result in pipeline.process_iter(articles):
        if result.error:
            print(f"{result.id}: error {result.error.type}: {result.error.message}")
            continue
        print(f"\n[{result.id}] ({result.lang})")
        print("ringkasan:", textwrap.fill(result.summary or "", 100))
        print("english:  ", textwrap.shorten(result.translation or "", 300))
    return 0


def main() -> int:
    articles = load_articles(ARTICLES)
    offline_part(articles)
    return model_part(articles)


if __name__ == "__main__":
    raise SystemExit(main())
