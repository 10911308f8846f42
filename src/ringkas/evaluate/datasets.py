"""Evaluation datasets from local files, behind a small registry (nothing is downloaded).

A dataset is named by a spec ``name[:arg[:arg]]`` and a path, for example::

    load_dataset("flores200:ind_Latn-eng_Latn:devtest", "../shared/data/flores200")
    load_dataset("indosum", "../shared/data/indosum/dev.01.jsonl")
    load_dataset("parallel:id-en", ["test.id", "test.en"])            # source, then reference(s)
    load_dataset("tatoeba:ind-eng", "../shared/data/tatoeba")
    load_dataset("jsonl", "my.jsonl", source_field="text", reference_field="summary")

Every loader yields typed :class:`Example` records (id, source, references, and the sentence
lists where the format has them) and raises :class:`~ringkas.errors.DataError` naming the file
and line of malformed input.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ringkas.errors import ConfigError, DataError
from ringkas.types import plain

__all__ = [
    "TASKS",
    "Dataset",
    "DatasetInfo",
    "Example",
    "available_datasets",
    "detokenize",
    "iso_code",
    "load_dataset",
    "read_lines",
    "register_dataset",
]

TASKS = ("translation", "summarization")

PathArg = str | Path | Sequence[str | Path]


@dataclass(frozen=True)
class Example:
    """One evaluation item: a source text and its reference(s)."""

    id: str
    source: str
    references: tuple[str, ...]
    #: Source sentences, where the format gives them (IndoSum, Liputan6): baselines use these
    #: gold boundaries instead of re-splitting.
    source_sentences: tuple[str, ...] | None = None
    #: Sentences of each reference, where known.
    reference_sentences: tuple[tuple[str, ...], ...] | None = None
    title: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = plain(self)
        return result


@dataclass(frozen=True)
class Dataset:
    """A loaded dataset: examples plus what a report needs to say where they came from."""

    name: str
    task: str
    examples: tuple[Example, ...]
    paths: tuple[str, ...] = ()
    #: ISO 639-1 codes where known (``id``, ``en``), else the dataset's own code.
    source_lang: str | None = None
    target_lang: str | None = None

    def __len__(self) -> int:
        return len(self.examples)

    def __iter__(self) -> Iterator[Example]:
        return iter(self.examples)

    @property
    def sources(self) -> list[str]:
        return [ex.source for ex in self.examples]

    @property
    def n_references(self) -> int:
        return max((len(ex.references) for ex in self.examples), default=0)

    def reference_streams(self) -> list[list[str | None]]:
        """References as sacrebleu takes them: one stream per reference set, None where missing."""
        width = self.n_references
        return [
            [ex.references[i] if i < len(ex.references) else None for ex in self.examples]
            for i in range(width)
        ]

    def head(self, n: int | None) -> Dataset:
        """The first ``n`` examples (all when ``n`` is None), e.g. for a quick run."""
        if n is None:
            return self
        if n < 1:
            raise ConfigError(f"limit must be a positive integer, got {n!r}")
        return Dataset(
            self.name, self.task, self.examples[:n], self.paths, self.source_lang, self.target_lang
        )

    def to_dict(self) -> dict[str, Any]:
        """The description plus every example, as plain JSON-serialisable data."""
        return {**self.describe(), "examples": [ex.to_dict() for ex in self.examples]}

    def describe(self) -> dict[str, Any]:
        """Everything but the examples (what a report records)."""
        return {
            "name": self.name,
            "task": self.task,
            "paths": list(self.paths),
            "source_lang": self.source_lang,
            "target_lang": self.target_lang,
            "n_examples": len(self.examples),
            "n_references": self.n_references,
        }


# --------------------------------------------------------------------------------------------
# Language codes

_ISO3_TO_1 = {
    "ind": "id", "eng": "en", "zsm": "ms", "msa": "ms", "jav": "jv", "sun": "su", "tgl": "tl",
    "fra": "fr", "deu": "de", "spa": "es", "zho": "zh", "arb": "ar", "ara": "ar", "jpn": "ja",
    "por": "pt", "ita": "it", "nld": "nl", "vie": "vi", "tha": "th", "kor": "ko", "rus": "ru",
    "hin": "hi", "tur": "tr", "swh": "sw", "ceb": "ceb", "ilo": "ilo", "war": "war",
    "min": "min", "ban": "ban", "bjn": "bjn", "ace": "ace", "bug": "bug",
}  # fmt: skip


def iso_code(code: str) -> str:
    """``ind_Latn`` / ``ind`` / ``id`` -> ``id``; unknown codes are returned without the script."""
    base = code.split("_", 1)[0].split("-", 1)[0].lower()
    return _ISO3_TO_1.get(base, base)


# --------------------------------------------------------------------------------------------
# Reading files


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(f"{name}:{line}: not valid UTF-8 ({exc.reason})") from exc


def _read_text(path: str | Path) -> str:
    if str(path) == "-":
        return _decode(sys.stdin.buffer.read(), "<stdin>")
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise DataError(f"{p}: no such file") from exc
    except IsADirectoryError as exc:
        raise DataError(f"{p}: is a directory, expected a file") from exc
    except OSError as exc:
        raise DataError(f"{p}: cannot read ({exc.strerror})") from exc
    return _decode(data, str(p))


def read_lines(path: str | Path) -> list[str]:
    """Lines of a UTF-8 text file without their line ends (``-`` reads stdin).

    Only ``\\n`` (and a ``\\r`` before it) ends a line: other Unicode line separators are data.
    """
    text = _read_text(path)
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    for lineno, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(
                f"{path}:{lineno}: invalid JSON ({exc.msg}, column {exc.colno})"
            ) from exc
        if not isinstance(record, dict):
            raise DataError(f"{path}:{lineno}: expected a JSON object, got {type(record).__name__}")
        yield lineno, record


def _field(record: Mapping[str, Any], name: str, where: str) -> Any:
    if name not in record:
        fields = ", ".join(sorted(record)) or "none"
        raise DataError(f"{where}: missing field {name!r} (fields present: {fields})")
    return record[name]


def _text_field(record: Mapping[str, Any], name: str, where: str) -> str:
    value = _field(record, name, where)
    if not isinstance(value, str):
        raise DataError(f"{where}: field {name!r} must be a string, got {type(value).__name__}")
    return value


# --------------------------------------------------------------------------------------------
# Detokenisation of pre-tokenised corpora (IndoSum, Liputan6)

_NO_SPACE_BEFORE = frozenset(".,;:!?)]}%”’»…") | {"''", "n't"}
_TRAILING_PUNCT = frozenset(".,;:!?…")
_NO_SPACE_AFTER = frozenset("([{“‘«$€£") | {"US$", "Rp", "``"}
_JOINERS = frozenset("/")  # "27 / 3" -> "27/3", "dan / atau" -> "dan/atau"
_CLITIC_RE = re.compile(r"^-(nya|lah|kah|pun|ku|mu)$", re.IGNORECASE)


def detokenize(tokens: Sequence[str]) -> str:
    """Join tokens into text with no space before closing punctuation or after opening brackets.

    Straight quotes alternate between opening and closing; ``/`` binds both neighbours;
    Indonesian clitics tokenised apart rejoin their word (``Instagram -nya`` -> ``Instagram-nya``,
    as IndoSum's source wrote it). Whitespace-only tokens
    (IndoSum has stray non-breaking spaces) are dropped.
    """
    out: list[str] = []
    glue_next = False
    open_quotes: dict[str, bool] = {'"': False, "'": False}
    for raw in tokens:
        token = " ".join(raw.split())
        if not token:
            continue
        if token in open_quotes:
            opening = not open_quotes[token]
            open_quotes[token] = opening
            if opening:
                if out and not glue_next:
                    out.append(" ")
                out.append(token)
                glue_next = True
            else:
                out.append(token)
                glue_next = False
            continue
        attach = (
            not out
            or glue_next
            or token in _NO_SPACE_BEFORE
            or all(c in _TRAILING_PUNCT for c in token)
            or token in _JOINERS
            or _CLITIC_RE.match(token) is not None
        )
        if not attach:
            out.append(" ")
        out.append(token)
        glue_next = token in _NO_SPACE_AFTER or token in _JOINERS
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Registry


@dataclass(frozen=True)
class DatasetInfo:
    """A registered loader: its name, what it reads, and its task."""

    name: str
    description: str
    task: str
    loader: Callable[..., Dataset]

    @property
    def arguments(self) -> tuple[str, ...]:
        """Names of the spec arguments (``flores200:<pair>:<split>``) in order."""
        params = list(inspect.signature(self.loader).parameters.values())[1:]
        return tuple(p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD)

    @property
    def options(self) -> tuple[str, ...]:
        """Keyword-only options the loader accepts."""
        params = inspect.signature(self.loader).parameters.values()
        return tuple(p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY)


_REGISTRY: dict[str, DatasetInfo] = {}


def register_dataset(
    name: str, loader: Callable[..., Dataset], *, description: str, task: str
) -> None:
    """Add a loader: ``loader(path, *spec_args, **options) -> Dataset``."""
    if task not in TASKS:
        raise ConfigError(f"unknown task {task!r}; valid choices: {', '.join(TASKS)}")
    _REGISTRY[name] = DatasetInfo(name, description, task, loader)


def available_datasets() -> dict[str, DatasetInfo]:
    """Registered dataset names and their loaders, sorted by name."""
    return dict(sorted(_REGISTRY.items()))


def _paths(path: PathArg) -> list[Path]:
    if isinstance(path, (str, Path)):
        return [Path(path)]
    paths = [Path(p) for p in path]
    if not paths:
        raise ConfigError("no path given")
    return paths


def load_dataset(spec: str, path: PathArg, *, limit: int | None = None, **options: Any) -> Dataset:
    """Load a registered dataset: ``spec`` is ``name[:arg...]``, ``path`` a file or folder.

    ``options`` are the loader's keyword-only options (for example ``source_field`` of
    ``jsonl``); an unknown one raises :class:`ConfigError` listing the valid ones.
    """
    name, *args = spec.split(":")
    info = _REGISTRY.get(name)
    if info is None:
        valid = ", ".join(available_datasets())
        raise ConfigError(f"unknown dataset {name!r}; valid choices: {valid}")
    if len(args) > len(info.arguments):
        expected = ":".join([name, *(f"<{a}>" for a in info.arguments)])
        raise ConfigError(f"too many parts in dataset spec {spec!r}; expected {expected}")
    unknown = sorted(set(options) - set(info.options))
    if unknown:
        valid = ", ".join(info.options) or "none"
        raise ConfigError(
            f"dataset {name!r} has no option {', '.join(map(repr, unknown))}; "
            f"valid options: {valid}"
        )
    dataset = info.loader(_paths(path), *args, **options)
    if not dataset.examples:
        raise DataError(f"{', '.join(dataset.paths)}: no examples found")
    return dataset.head(limit)


def _single(paths: list[Path], what: str) -> Path:
    if len(paths) != 1:
        raise ConfigError(f"{what} takes one path, got {len(paths)}")
    return paths[0]


# --------------------------------------------------------------------------------------------
# Translation loaders


def _parallel(
    name: str,
    source: Path,
    references: Sequence[Path],
    *,
    source_lang: str | None,
    target_lang: str | None,
) -> Dataset:
    src_lines = read_lines(source)
    ref_lines = [read_lines(r) for r in references]
    for ref_path, lines in zip(references, ref_lines, strict=True):
        if len(lines) != len(src_lines):
            raise DataError(
                f"line counts differ: {source} has {len(src_lines)} lines but {ref_path} has "
                f"{len(lines)}"
            )
    examples = tuple(
        Example(id=str(i + 1), source=src, references=tuple(lines[i] for lines in ref_lines))
        for i, src in enumerate(src_lines)
    )
    return Dataset(
        name=name,
        task="translation",
        examples=examples,
        paths=(str(source), *(str(r) for r in references)),
        source_lang=source_lang,
        target_lang=target_lang,
    )


def _split_pair(pair: str, spec_name: str) -> tuple[str, str]:
    parts = pair.split("-")
    if len(parts) != 2 or not all(parts):
        raise ConfigError(
            f"{spec_name}: language pair must look like 'src-tgt' (e.g. ind_Latn-eng_Latn), "
            f"got {pair!r}"
        )
    return parts[0], parts[1]


def load_flores200(
    paths: list[Path], pair: str = "ind_Latn-eng_Latn", split: str = "devtest"
) -> Dataset:
    """FLORES-200 (or FLORES-101): ``<folder>/<split>/<code>.<split>``, any two codes."""
    folder = _single(paths, "flores200")
    splits = ("dev", "devtest")
    if split not in splits:
        raise ConfigError(f"unknown FLORES split {split!r}; valid choices: {', '.join(splits)}")
    src, tgt = _split_pair(pair, "flores200")
    split_dir = folder / split if (folder / split).is_dir() else folder
    if not split_dir.is_dir():
        raise DataError(f"{folder}: not a FLORES folder (no {split}/ inside)")
    files = [split_dir / f"{code}.{split}" for code in (src, tgt)]
    for f in files:
        if not f.is_file():
            codes = sorted(p.name[: -len(split) - 1] for p in split_dir.glob(f"*.{split}"))
            raise DataError(
                f"{f}: no such FLORES file; languages in {split_dir}: {', '.join(codes) or 'none'}"
            )
    return _parallel(
        f"flores200:{src}-{tgt}:{split}",
        files[0],
        files[1:],
        source_lang=iso_code(src),
        target_lang=iso_code(tgt),
    )


def load_parallel(paths: list[Path], pair: str | None = None) -> Dataset:
    """Aligned line files: the first path is the source, the others its references."""
    if len(paths) < 2:
        raise ConfigError(
            "parallel needs a source file and at least one reference file, "
            f"got {len(paths)} path(s)"
        )
    src_lang = tgt_lang = None
    if pair:
        src, tgt = _split_pair(pair, "parallel")
        src_lang, tgt_lang = iso_code(src), iso_code(tgt)
    name = f"parallel:{pair}" if pair else "parallel"
    return _parallel(name, paths[0], paths[1:], source_lang=src_lang, target_lang=tgt_lang)


def _find_language_file(folder: Path, code: str, name: str) -> Path:
    candidates = sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and (p.name.endswith(f".{code}") or p.name.endswith(f".{code}.txt"))
    )
    if len(candidates) != 1:
        found = ", ".join(p.name for p in candidates) or "none"
        raise DataError(
            f"{folder}: expected exactly one {name} file ending in .{code} or .{code}.txt, "
            f"found {found}"
        )
    return candidates[0]


def _test_set_loader(
    set_name: str,
) -> Callable[[list[Path], str], Dataset]:
    def load(paths: list[Path], pair: str = "ind-eng") -> Dataset:
        folder = _single(paths, set_name)
        src, tgt = _split_pair(pair, set_name)
        for sub in (folder / f"{src}-{tgt}", folder / f"{tgt}-{src}", folder):
            if sub.is_dir():
                try:
                    files = [_find_language_file(sub, c, set_name) for c in (src, tgt)]
                except DataError:
                    if sub == folder:
                        raise
                    continue
                return _parallel(
                    f"{set_name}:{src}-{tgt}",
                    files[0],
                    files[1:],
                    source_lang=iso_code(src),
                    target_lang=iso_code(tgt),
                )
        raise DataError(f"{folder}: no such folder")

    load.__doc__ = f"{set_name} test set: a folder with one file per language (e.g. *.ind, *.eng)."
    return load


# --------------------------------------------------------------------------------------------
# Summarisation loaders


def _token_sentences(value: Any, where: str, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(
        isinstance(s, list) and all(isinstance(t, str) for t in s) for s in value
    ):
        raise DataError(f"{where}: field {name!r} must be a list of sentences (lists of tokens)")
    sentences = (detokenize(s) for s in value)
    return tuple(s for s in sentences if s)


def load_indosum(paths: list[Path]) -> Dataset:
    """IndoSum JSONL: tokenised ``paragraphs`` (paragraph > sentence > tokens) and ``summary``."""
    path = _single(paths, "indosum")
    examples = []
    for lineno, record in _iter_jsonl(path):
        where = f"{path}:{lineno}"
        paragraphs = _field(record, "paragraphs", where)
        if not isinstance(paragraphs, list):
            raise DataError(f"{where}: field 'paragraphs' must be a list of paragraphs")
        para_sentences = [_token_sentences(p, where, "paragraphs") for p in paragraphs]
        summary = _token_sentences(_field(record, "summary", where), where, "summary")
        source = "\n\n".join(" ".join(p) for p in para_sentences if p)
        examples.append(
            Example(
                id=str(record.get("id", lineno)),
                source=source,
                references=(" ".join(summary),),
                source_sentences=tuple(s for p in para_sentences for s in p),
                reference_sentences=(summary,),
                meta={k: record[k] for k in ("category", "source", "source_url") if k in record},
            )
        )
    return Dataset("indosum", "summarization", tuple(examples), (str(path),), "id", "id")


def load_xlsum(paths: list[Path], lang: str = "id") -> Dataset:
    """XL-Sum JSONL: ``id``, ``url``, ``title``, ``summary``, ``text``."""
    path = _single(paths, "xlsum")
    examples = []
    for lineno, record in _iter_jsonl(path):
        where = f"{path}:{lineno}"
        title = record.get("title")
        examples.append(
            Example(
                id=str(record.get("id", lineno)),
                source=_text_field(record, "text", where),
                references=(_text_field(record, "summary", where),),
                title=title if isinstance(title, str) else None,
                meta={"url": record["url"]} if isinstance(record.get("url"), str) else {},
            )
        )
    return Dataset(f"xlsum:{lang}", "summarization", tuple(examples), (str(path),), lang, lang)


def _liputan6_files(path: Path, split: str | None) -> list[Path]:
    if path.is_file():
        return [path]
    folder = path
    if split is not None:
        for candidate in (path / split, path / "canonical" / split):
            if candidate.is_dir():
                folder = candidate
                break
        else:
            raise DataError(f"{path}: no {split}/ folder inside")
    if not folder.is_dir():
        raise DataError(f"{folder}: no such file or folder")
    files = list(folder.glob("*.json"))

    def key(p: Path) -> tuple[int, int | str]:
        return (0, int(p.stem)) if p.stem.isdigit() else (1, p.stem)

    return sorted(files, key=key)


def load_liputan6(paths: list[Path], split: str | None = None) -> Dataset:
    """Liputan6 canonical JSON (one file per article: ``clean_article``, ``clean_summary`` ...).

    ``path`` is a folder of ``<id>.json`` files, a folder holding ``<split>/`` (or
    ``canonical/<split>/``), or one file.
    """
    path = _single(paths, "liputan6")
    examples = []
    for file in _liputan6_files(path, split):
        text = _read_text(file)
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataError(f"{file}:{exc.lineno}: invalid JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise DataError(f"{file}: expected a JSON object, got {type(record).__name__}")
        where = str(file)
        article = _token_sentences(_field(record, "clean_article", where), where, "clean_article")
        summary = _token_sentences(_field(record, "clean_summary", where), where, "clean_summary")
        meta: dict[str, Any] = {}
        if isinstance(record.get("url"), str):
            meta["url"] = record["url"]
        if isinstance(record.get("extractive_summary"), list):
            meta["extractive_summary"] = list(record["extractive_summary"])
        examples.append(
            Example(
                id=str(record.get("id", file.stem)),
                source=" ".join(article),
                references=(" ".join(summary),),
                source_sentences=article,
                reference_sentences=(summary,),
                meta=meta,
            )
        )
    name = f"liputan6:{split}" if split else "liputan6"
    return Dataset(name, "summarization", tuple(examples), (str(path),), "id", "id")


def load_jsonl(
    paths: list[Path],
    *,
    source_field: str = "text",
    reference_field: str | Sequence[str] = "summary",
    id_field: str = "id",
    task: str = "summarization",
    source_lang: str | None = None,
    target_lang: str | None = None,
) -> Dataset:
    """Any JSONL: a source field and one or more reference fields (each a string or a list)."""
    if task not in TASKS:
        raise ConfigError(f"unknown task {task!r}; valid choices: {', '.join(TASKS)}")
    path = _single(paths, "jsonl")
    ref_fields = [reference_field] if isinstance(reference_field, str) else list(reference_field)
    if not ref_fields:
        raise ConfigError("jsonl needs at least one reference_field")
    examples = []
    for lineno, record in _iter_jsonl(path):
        where = f"{path}:{lineno}"
        references: list[str] = []
        for name in ref_fields:
            value = _field(record, name, where)
            if isinstance(value, str):
                references.append(value)
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                references.extend(value)
            else:
                raise DataError(
                    f"{where}: field {name!r} must be a string or a list of strings, "
                    f"got {type(value).__name__}"
                )
        if not references:
            raise DataError(f"{where}: no reference in field(s) {', '.join(ref_fields)}")
        examples.append(
            Example(
                id=str(record.get(id_field, lineno)),
                source=_text_field(record, source_field, where),
                references=tuple(references),
            )
        )
    return Dataset("jsonl", task, tuple(examples), (str(path),), source_lang, target_lang)


register_dataset(
    "flores200",
    load_flores200,
    description="FLORES-200/101 folder; spec flores200:<src>-<tgt>:<dev|devtest>",
    task="translation",
)
register_dataset(
    "parallel",
    load_parallel,
    description="aligned line files (source, then references); spec parallel[:src-tgt]",
    task="translation",
)
for _name in ("tatoeba", "tico19", "ntrex128"):
    register_dataset(
        _name,
        _test_set_loader(_name),
        description=f"{_name} folder with one file per language; spec {_name}[:src-tgt]",
        task="translation",
    )
register_dataset(
    "indosum",
    load_indosum,
    description="IndoSum JSONL (tokenised paragraphs and summary)",
    task="summarization",
)
register_dataset(
    "xlsum",
    load_xlsum,
    description="XL-Sum JSONL (id, url, title, summary, text); spec xlsum[:lang]",
    task="summarization",
)
register_dataset(
    "liputan6",
    load_liputan6,
    description="Liputan6 canonical JSON folder; spec liputan6[:split]",
    task="summarization",
)
register_dataset(
    "jsonl",
    load_jsonl,
    description="generic JSONL with source_field, reference_field (one or more), id_field",
    task="summarization",
)
